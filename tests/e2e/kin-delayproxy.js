#!/usr/bin/env node
// A delaying proxy for the Kinesis JSON API, between a kin-* tool and
// kinesalite, on 127.0.0.1, for the tests and benchmarks of many shards:
//
//   node kin-delayproxy.js --target PORT [--delay MS] [--log FILE]
//        [--throttle SHARD,N]
//
// Every request waits MS milliseconds (default 30) before it is
// forwarded, as a request to a far region would. GetRecords calls are
// traced to their shard through the iterators (the one GetShardIterator
// answered for a shard, then each NextShardIterator) and appended to
// --log as "GetRecords SHARD START_MS END_MS RECORDS" (a monotonic clock,
// when the request came in and when its answer went out). --throttle
// answers the first N GetRecords of SHARD with 400
// ProvisionedThroughputExceededException, unsent. Prints its port on
// stdout when ready.
'use strict'
const fs = require('fs')
const http = require('http')

const args = process.argv.slice(2)
let target = 0, delay = 30, logFile = null, throttleShard = null, throttleLeft = 0
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--target') target = Number(args[++i])
  else if (args[i] === '--delay') delay = Number(args[++i])
  else if (args[i] === '--log') logFile = args[++i]
  else if (args[i] === '--throttle') {
    const [s, n] = args[++i].split(',')
    throttleShard = s
    throttleLeft = Number(n)
  } else throw new Error('kin-delayproxy: unknown argument ' + args[i])
}

const shardOf = new Map()	// iterator -> shard
const t0 = process.hrtime.bigint()
const ms = () => Number(process.hrtime.bigint() - t0) / 1e6
const lines = []
function log(line) {
  if (!logFile) return
  lines.push(line)
  if (lines.length >= 64) flush()
}
function flush() {
  if (logFile && lines.length) fs.appendFileSync(logFile, lines.splice(0).join('\n') + '\n')
}

function forward(req, body, cb) {
  const headers = Object.assign({}, req.headers)
  headers['content-length'] = Buffer.byteLength(body)
  const up = http.request({ host: '127.0.0.1', port: target, method: req.method, path: req.url, headers }, (res) => {
    const chunks = []
    res.on('data', (c) => chunks.push(c))
    res.on('end', () => cb(null, res.statusCode, res.headers, Buffer.concat(chunks)))
  })
  up.on('error', (err) => cb(err))
  up.end(body)
}

const agent = new http.Agent({ keepAlive: true })
http.globalAgent = agent

const server = http.createServer((req, res) => {
  const chunks = []
  req.on('data', (c) => chunks.push(c))
  req.on('end', () => {
    const start = ms()
    const body = Buffer.concat(chunks)
    const op = String(req.headers['x-amz-target'] || '').split('.').pop()
    let doc = {}
    try { doc = JSON.parse(body.toString() || '{}') } catch (e) { /* forwarded as it is */ }
    const shard = op === 'GetRecords' ? shardOf.get(doc.ShardIterator) || '?' : doc.ShardId
    setTimeout(() => {
      if (op === 'GetRecords' && shard === throttleShard && throttleLeft > 0) {
        throttleLeft--
        const b = Buffer.from(JSON.stringify({ __type: 'ProvisionedThroughputExceededException', message: 'throttled by kin-delayproxy' }))
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'content-length': b.length })
        res.end(b)
        log(['GetRecords', shard, start.toFixed(1), ms().toFixed(1), 'throttled'].join(' '))
        return
      }
      forward(req, body, (err, status, headers, answer) => {
        if (err) { res.destroy(); return }
        let n = 0
        if (status === 200 && (op === 'GetShardIterator' || op === 'GetRecords')) {
          try {
            const a = JSON.parse(answer.toString())
            if (op === 'GetShardIterator') shardOf.set(a.ShardIterator, doc.ShardId)
            else {
              if (a.NextShardIterator) shardOf.set(a.NextShardIterator, shard)
              shardOf.delete(doc.ShardIterator)
              n = a.Records.length
            }
          } catch (e) { /* not JSON: passed on as it is */ }
        }
        const h = Object.assign({}, headers)
        delete h['transfer-encoding']
        h['content-length'] = answer.length
        res.writeHead(status, h)
        res.end(answer)
        if (op === 'GetRecords') log(['GetRecords', shard, start.toFixed(1), ms().toFixed(1), n].join(' '))
      })
    }, delay)
  })
})
server.keepAliveTimeout = 60000
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\n'))
setInterval(flush, 200)
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => { flush(); process.exit(0) })
