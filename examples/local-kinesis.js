#!/usr/bin/env node
// A local Kinesis (kinesalite from the repository's node_modules) on
// 127.0.0.1 only: its own CLI listens on every interface.
//
//   node examples/local-kinesis.js [--port N] [--path DIR]
//
// Prints the port on stdout once it accepts connections (port 0 or no
// --port: a free one), keeps data in memory unless --path names a LevelDB
// directory, and stops on SIGTERM/SIGINT.
'use strict'
const path = require('path')
const KINESALITE = path.join(__dirname, '..', 'node_modules', 'kinesalite')

// kinesalite never answers GetShardIterator AT_TIMESTAMP when no record
// of the shard arrived at or after the time (its issue 84: the request
// hangs). The service answers with an iterator at the shard's tip, from
// which the records put later are read, as from LATEST. So here: with no
// such record, the same request as LATEST. Everything else, including
// the refusal of a time in the future, is kinesalite's own.
const actionFile = require.resolve(path.join(KINESALITE, 'actions', 'getShardIterator'))
const getShardIterator = require(actionFile)
const db = require(path.join(KINESALITE, 'db'))
require.cache[actionFile].exports = function (store, data, cb) {
  let shardIx
  if (data.ShardIteratorType !== 'AT_TIMESTAMP' || data.Timestamp == null ||
      data.Timestamp * 1000 > Date.now()) return getShardIterator(store, data, cb)
  try {
    shardIx = db.resolveShardId(data.ShardId).shardIx
  } catch (e) {
    return getShardIterator(store, data, cb)
  }
  let found = false, done = false
  const items = store.getStreamDb(data.StreamName).createReadStream({
    gt: db.shardIxToHex(shardIx), lt: db.shardIxToHex(shardIx + 1),
  })
  const answer = () => {
    if (done) return
    done = true
    getShardIterator(store, found ? data
      : Object.assign({}, data, { ShardIteratorType: 'LATEST', Timestamp: undefined }), cb)
  }
  items.on('data', (item) => {
    if (!found && item.value.ApproximateArrivalTimestamp >= data.Timestamp) {
      found = true
      items.destroy()
      answer()
    }
  })
  items.on('error', (err) => { if (!done) { done = true; cb(err) } })
  items.on('end', answer)
  items.on('close', answer)
}
const kinesalite = require(KINESALITE)

function arg(name) {
  const i = process.argv.indexOf(name)
  return i > 0 ? process.argv[i + 1] : undefined
}

const opts = { createStreamMs: 20, deleteStreamMs: 20, updateStreamMs: 20, shardLimit: 1000 }
if (arg('--path')) opts.path = arg('--path')
const server = kinesalite(opts)
server.listen(Number(arg('--port') || 0), '127.0.0.1', () => {
  process.stdout.write(server.address().port + '\n')
})
server.on('error', (err) => {
  process.stderr.write('local-kinesis: ' + err.message + '\n')
  process.exit(1)
})
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => server.close(() => process.exit(0)))
