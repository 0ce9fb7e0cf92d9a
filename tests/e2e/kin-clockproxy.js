#!/usr/bin/env node
// A proxy for the kin-* tests that makes the Kinesis server's clock differ
// from the reader's, on 127.0.0.1:
//
//   node kin-clockproxy.js --target PORT --skew SECONDS [--hold FILE] [--log FILE]
//
// Every ApproximateArrivalTimestamp of a GetRecords answer is moved by
// SECONDS (positive: the server's clock is ahead). While FILE exists,
// GetRecords requests wait before they are forwarded, so a test can put
// records after a reader started but before it reads. Each request is
// appended to --log as it arrives: "Operation MILLISECONDS" (a monotonic
// clock). Prints its port on stdout when ready.
'use strict'
const fs = require('fs')
const http = require('http')

const args = process.argv.slice(2)
let target = 0, skew = 0, hold = null, logFile = null
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--target') target = Number(args[++i])
  else if (args[i] === '--skew') skew = Number(args[++i])
  else if (args[i] === '--hold') hold = args[++i]
  else if (args[i] === '--log') logFile = args[++i]
  else throw new Error('kin-clockproxy: unknown argument ' + args[i])
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

function shifted(body) {
  const doc = JSON.parse(body.toString('utf8'))
  for (const r of doc.Records || []) r.ApproximateArrivalTimestamp += skew
  return Buffer.from(JSON.stringify(doc))
}

function whenReleased(op, cb) {
  if (op !== 'GetRecords' || !hold || !fs.existsSync(hold)) return cb()
  setTimeout(() => whenReleased(op, cb), 20)
}

const server = http.createServer((req, res) => {
  const chunks = []
  req.on('data', (c) => chunks.push(c))
  req.on('end', () => {
    const body = Buffer.concat(chunks)
    const op = String(req.headers['x-amz-target'] || '').replace(/^.*\./, '')
    if (logFile) fs.appendFileSync(logFile, op + ' ' + performance.now().toFixed(1) + '\n')
    whenReleased(op, () => forward(req, body, (err, status, headers, answer) => {
      if (err) {
        res.destroy()
        return
      }
      if (op === 'GetRecords' && status === 200) answer = shifted(answer)
      const h = Object.assign({}, headers)
      delete h['transfer-encoding']
      h['content-length'] = answer.length
      res.writeHead(status, h)
      res.end(answer)
    }))
  })
})
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\n'))
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0))
