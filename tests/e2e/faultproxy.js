#!/usr/bin/env node
// A fault-injecting HTTP proxy for the Kinesis JSON API, between a kin-*
// tool and kinesalite (or DynamoDB's, before dynalite), on 127.0.0.1:
//
//   node faultproxy.js --target PORT [--seed N] [--log FILE]
//        [--rule KIND,p=PROB[,op=Operation][,ms=N]]...
//
// KIND is one of
//   throttle    answer 400 ProvisionedThroughputExceededException, unsent
//   500         answer 500 InternalFailure, unsent
//   drop        close the connection without an answer, unsent
//   slow        hold the request ms milliseconds (default 1500), then forward
//   expired     answer 400 ExpiredIteratorException, unsent
//   drop-after  forward, then close the connection instead of answering
//   partial     PutRecords only: forward a random half of the entries and
//               answer the rest as throttled, in the original order
//   empty       GetRecords only: answer no records, MillisBehindLatest 1000
//               and the same iterator to ask again, unsent (AWS may answer
//               so short of a shard's tip, records or not)
// Rules are tried in order with a seeded generator; the first that fires
// (always, for the first N requests it matches when it has first=N)
// applies. Each fault is appended to --log as "KIND Operation". Prints its
// port on stdout when ready.
'use strict'
const http = require('http')

const args = process.argv.slice(2)
let target = 0, seed = 1, logFile = null
const rules = []
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--target') target = Number(args[++i])
  else if (args[i] === '--seed') seed = Number(args[++i])
  else if (args[i] === '--log') logFile = args[++i]
  else if (args[i] === '--rule') {
    const [kind, ...kv] = args[++i].split(',')
    const r = { kind, p: 1, op: null, ms: 1500, first: 0, seen: 0 }
    for (const x of kv) {
      const [k, v] = x.split('=')
      r[k] = k === 'op' ? v : Number(v)
    }
    rules.push(r)
  } else throw new Error('faultproxy: unknown argument ' + args[i])
}

// mulberry32: small, seeded, good enough to pick faults reproducibly
let state = seed >>> 0
function rand() {
  state = (state + 0x6d2b79f5) >>> 0
  let t = state
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const fs = require('fs')
function log(kind, op) {
  if (logFile) fs.appendFileSync(logFile, kind + ' ' + op + '\n')
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

function answer(res, status, headers, body) {
  const h = Object.assign({}, headers)
  delete h['transfer-encoding']
  h['content-length'] = body.length
  res.writeHead(status, h)
  res.end(body)
}

function error(res, status, type, message) {
  answer(res, status, { 'content-type': 'application/x-amz-json-1.1' },
    Buffer.from(JSON.stringify({ __type: type, message })))
}

function partial(req, res, body, op) {
  const doc = JSON.parse(body)
  const keep = doc.Records.map(() => rand() < 0.5)
  if (!keep.includes(false)) return forward(req, body, (err, st, h, b) => err ? res.destroy() : answer(res, st, h, b))
  log('partial', op)
  const sent = doc.Records.filter((_, i) => keep[i])
  const done = (st, h, b) => {
    const got = sent.length ? JSON.parse(b.toString()) : { Records: [] }
    if (st !== 200) return answer(res, st, h, b)
    let j = 0, failed = 0
    const out = doc.Records.map((_, i) => {
      if (keep[i]) return got.Records[j++]
      failed++
      return { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded for shard (injected)' }
    })
    failed += got.FailedRecordCount || 0
    answer(res, 200, { 'content-type': 'application/x-amz-json-1.1' },
      Buffer.from(JSON.stringify({ FailedRecordCount: failed, Records: out })))
  }
  if (!sent.length) return done(200, {}, Buffer.from('{}'))
  forward(req, JSON.stringify(Object.assign({}, doc, { Records: sent })), (err, st, h, b) => err ? res.destroy() : done(st, h, b))
}

const server = http.createServer((req, res) => {
  const chunks = []
  req.on('data', (c) => chunks.push(c))
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString()
    const op = String(req.headers['x-amz-target'] || '').split('.').pop()
    const rule = rules.find((r) => (!r.op || r.op === op) && (r.seen++ < r.first || rand() < r.p))
    const kind = rule ? rule.kind : null
    if (kind === 'partial' && op === 'PutRecords') return partial(req, res, body, op)
    if (kind && kind !== 'partial') log(kind, op)
    if (kind === 'throttle') return error(res, 400, 'ProvisionedThroughputExceededException', 'Rate exceeded (injected)')
    if (kind === '500') return error(res, 500, 'InternalFailure', 'injected')
    if (kind === 'expired') return error(res, 400, 'ExpiredIteratorException', 'Iterator expired (injected)')
    if (kind === 'empty') return answer(res, 200, { 'content-type': 'application/x-amz-json-1.1' },
      Buffer.from(JSON.stringify({ Records: [], NextShardIterator: JSON.parse(body).ShardIterator, MillisBehindLatest: 1000 })))
    if (kind === 'drop') return req.socket.destroy()
    const go = () => forward(req, body, (err, st, h, b) => {
      if (err || kind === 'drop-after') return res.socket ? res.socket.destroy() : res.destroy()
      answer(res, st, h, b)
    })
    if (kind === 'slow') setTimeout(go, rule.ms)
    else go()
  })
})
server.keepAliveTimeout = 60000
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\n'))
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0))
