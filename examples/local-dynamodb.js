#!/usr/bin/env node
// A local DynamoDB (dynalite from the repository's node_modules) on
// 127.0.0.1 only: its own CLI listens on every interface.
//
//   node examples/local-dynamodb.js [--port N] [--path DIR]
//
// Prints the port on stdout once it accepts connections (port 0 or no
// --port: a free one), keeps data in memory unless --path names a LevelDB
// directory, and stops on SIGTERM/SIGINT.
'use strict'
const path = require('path')
const dynalite = require(path.join(__dirname, '..', 'node_modules', 'dynalite'))

function arg(name) {
  const i = process.argv.indexOf(name)
  return i > 0 ? process.argv[i + 1] : undefined
}

const opts = { createTableMs: 20, deleteTableMs: 20, updateTableMs: 20 }
if (arg('--path')) opts.path = arg('--path')
const server = dynalite(opts)
server.listen(Number(arg('--port') || 0), '127.0.0.1', () => {
  process.stdout.write(server.address().port + '\n')
})
server.on('error', (err) => {
  process.stderr.write('local-dynamodb: ' + err.message + '\n')
  process.exit(1)
})
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => server.close(() => process.exit(0)))
