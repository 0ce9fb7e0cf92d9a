#!/usr/bin/env node
// The producer of bench-kin-shards.sh: for SECONDS, every 100 ms, one
// PutRecords of BATCH records with random partition keys straight to
// kinesalite, each record {"i":N,"t":MS} with MS the wall clock (ms) just
// before the call. Prints how many records it put.
//
//   node kin-feed.js PORT STREAM SECONDS BATCH
'use strict'
const http = require('http')
const [port, stream, seconds, batch] = process.argv.slice(2)

function put(records) {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify({ StreamName: stream, Records: records })
    const req = http.request({
      host: '127.0.0.1', port: Number(port), method: 'POST', path: '/',
      headers: {
        'Content-Type': 'application/x-amz-json-1.1',
        'X-Amz-Target': 'Kinesis_20131202.PutRecords',
        Authorization: 'AWS4-HMAC-SHA256 Credential=bench/20240101/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=0',
        'X-Amz-Date': '20240101T000000Z',
      },
    }, (res) => {
      let text = ''
      res.on('data', (c) => { text += c })
      res.on('end', () => {
        const doc = JSON.parse(text)
        if (res.statusCode !== 200 || doc.FailedRecordCount) reject(new Error('PutRecords: ' + text.slice(0, 200)))
        else resolve()
      })
    })
    req.on('error', reject)
    req.end(data)
  })
}

async function main() {
  const end = Date.now() + Number(seconds) * 1000
  let i = 0
  while (Date.now() < end) {
    const tick = Date.now()
    const recs = []
    for (let k = 0; k < Number(batch); k++) {
      const d = JSON.stringify({ i: i++, t: Date.now() })
      recs.push({ Data: Buffer.from(d).toString('base64'), PartitionKey: String(Math.random()) })
    }
    await put(recs)
    await new Promise((r) => setTimeout(r, Math.max(0, 100 - (Date.now() - tick))))
  }
  console.log(i)
}
main().catch((e) => { process.stderr.write('kin-feed: ' + e.message + '\n'); process.exit(1) })
