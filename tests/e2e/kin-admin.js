#!/usr/bin/env node
// Stream administration for the kin-* tests (the tools never need it):
//   node kin-admin.js PORT create STREAM SHARDS
//   node kin-admin.js PORT split STREAM SHARD        (at the middle of its range)
//   node kin-admin.js PORT merge STREAM SHARD ADJACENT
//   node kin-admin.js PORT list STREAM               (shard ids, parents, closed)
//   node kin-admin.js PORT ranges STREAM             (shard ids, hash key ranges)
//   node kin-admin.js PORT put STREAM KEY BASE64     (any bytes; prints the sequence number)
//   node kin-admin.js PORT shards STREAM             (ListShards' Shards, as JSON)
//   node kin-admin.js PORT put STREAM < LINES        one PutRecord per line, in
//        order: {"Data":BASE64,"PartitionKey":K[,"ExplicitHashKey":H]}; prints
//        "ShardId SequenceNumber" per record
//   node kin-admin.js PORT get STREAM                every record of every shard
//        from its start, as "ShardId SequenceNumber PartitionKey BASE64" lines
// create, split and merge wait until the stream is ACTIVE again.
'use strict'
const http = require('http')
const [port, op, stream, a, b] = process.argv.slice(2)

function call(target, body) {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body)
    const req = http.request({
      host: '127.0.0.1', port: Number(port), method: 'POST', path: '/',
      headers: {
        'Content-Type': 'application/x-amz-json-1.1',
        'X-Amz-Target': 'Kinesis_20131202.' + target,
        // kinesalite wants the header present and checks nothing in it;
        // kinesis-mock keeps streams apart by the region it names
        Authorization: 'AWS4-HMAC-SHA256 Credential=test/20240101/' + (process.env.AWS_REGION || 'us-east-1') + '/kinesis/aws4_request, SignedHeaders=host, Signature=0',
        'X-Amz-Date': '20240101T000000Z',
      },
    }, (res) => {
      let text = ''
      res.on('data', (c) => { text += c })
      res.on('end', () => {
        const doc = text ? JSON.parse(text) : {}
        if (res.statusCode !== 200) reject(new Error(target + ': ' + (doc.__type || res.statusCode) + ': ' + doc.message))
        else resolve(doc)
      })
    })
    req.on('error', reject)
    req.end(data)
  })
}

async function active() {
  for (;;) {
    const d = await call('DescribeStream', { StreamName: stream })
    if (d.StreamDescription.StreamStatus === 'ACTIVE') return d.StreamDescription
    await new Promise((r) => setTimeout(r, 20))
  }
}

async function main() {
  if (op === 'create') {
    await call('CreateStream', { StreamName: stream, ShardCount: Number(a) })
    await active()
  } else if (op === 'split') {
    const d = await active()
    const s = d.Shards.find((x) => x.ShardId === a)
    const lo = BigInt(s.HashKeyRange.StartingHashKey), hi = BigInt(s.HashKeyRange.EndingHashKey)
    await call('SplitShard', { StreamName: stream, ShardToSplit: a, NewStartingHashKey: ((lo + hi) / 2n + 1n).toString() })
    await active()
  } else if (op === 'merge') {
    await active()
    await call('MergeShards', { StreamName: stream, ShardToMerge: a, AdjacentShardToMerge: b })
    await active()
  } else if (op === 'shards') {
    const d = await call('ListShards', { StreamName: stream })
    console.log(JSON.stringify(d.Shards))
  } else if (op === 'list') {
    const d = await call('ListShards', { StreamName: stream })
    for (const s of d.Shards) {
      console.log([s.ShardId, s.ParentShardId || '-', s.AdjacentParentShardId || '-',
        s.SequenceNumberRange.EndingSequenceNumber ? 'closed' : 'open'].join(' '))
    }
  } else if (op === 'put' && a !== undefined) {
    const r = await call('PutRecord', { StreamName: stream, PartitionKey: a, Data: b })
    console.log(r.SequenceNumber)
  } else if (op === 'ranges') {
    const d = await call('ListShards', { StreamName: stream })
    for (const s of d.Shards) {
      console.log([s.ShardId, s.HashKeyRange.StartingHashKey, s.HashKeyRange.EndingHashKey].join(' '))
    }
  } else if (op === 'get') {
    const d = await call('ListShards', { StreamName: stream })
    for (const s of d.Shards) {
      let it = (await call('GetShardIterator', { StreamName: stream, ShardId: s.ShardId,
        ShardIteratorType: 'TRIM_HORIZON' })).ShardIterator
      while (it) {
        const r = await call('GetRecords', { ShardIterator: it })
        for (const x of r.Records) console.log([s.ShardId, x.SequenceNumber, x.PartitionKey, x.Data].join(' '))
        it = r.Records.length > 0 || r.MillisBehindLatest > 0 ? r.NextShardIterator : null
      }
    }
  } else if (op === 'put') {
    const lines = require('fs').readFileSync(0, 'utf8').split('\n').filter((l) => l)
    for (const l of lines) {
      const r = await call('PutRecord', Object.assign({ StreamName: stream }, JSON.parse(l)))
      console.log(r.ShardId + ' ' + r.SequenceNumber)
    }
  } else {
    throw new Error('unknown operation ' + op)
  }
}

main().catch((err) => { process.stderr.write('kin-admin: ' + err.message + '\n'); process.exit(1) })
