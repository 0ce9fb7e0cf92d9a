#!/usr/bin/env node
// A TCP proxy between kin-read --consumer and kinesis-mock on 127.0.0.1
// that breaks subscriptions, for the enhanced fan-out tests:
//
//   node kin-h2proxy.js --target PORT [--cut-after BYTES] [--cuts N]
//        [--corrupt-at BYTES] [--log FILE]
//
// Bytes are relayed as they are. A connection that opens with the HTTP/2
// preface (kin-read's subscriptions, HTTP/2 with prior knowledge; its
// other calls are HTTP/1.1) is watched: --cut-after drops it (both TCP
// connections closed, every stream on it gone) once BYTES bytes have come
// from the server on it, for the first N such connections (default 1);
// --corrupt-at flips one byte of the first such connection's DATA frames
// (the byte at that offset of their payloads, the event-stream bytes),
// leaving the HTTP/2 framing intact. Each cut or flip is appended to
// --log. Prints its port on stdout when ready.
'use strict'
const fs = require('fs')
const net = require('net')

const args = process.argv.slice(2)
let target = 0, cutAfter = 0, cuts = 1, corruptAt = -1, logFile = null
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--target') target = Number(args[++i])
  else if (args[i] === '--cut-after') cutAfter = Number(args[++i])
  else if (args[i] === '--cuts') cuts = Number(args[++i])
  else if (args[i] === '--corrupt-at') corruptAt = Number(args[++i])
  else if (args[i] === '--log') logFile = args[++i]
  else throw new Error('kin-h2proxy: unknown argument ' + args[i])
}
const log = (line) => { if (logFile) fs.appendFileSync(logFile, line + '\n') }
const PREFACE = Buffer.from('PRI * HTTP/2.0')
const FRAME_HEADER = 9
const DATA = 0
let h2conns = 0

// The server's HTTP/2 frames, passed on whole frames at a time (the tail
// of one waits for the rest), to find the payload bytes of DATA frames.
function corrupter(at) {
  let pending = Buffer.alloc(0), dataSeen = 0, done = false
  return (chunk) => {
    pending = Buffer.concat([pending, chunk])
    if (done) {
      const all = pending
      pending = Buffer.alloc(0)
      return all
    }
    let i = 0
    while (pending.length - i >= FRAME_HEADER) {
      const len = pending.readUIntBE(i, 3), type = pending[i + 3]
      if (pending.length - i < FRAME_HEADER + len) break
      if (!done && type === DATA && at >= dataSeen && at < dataSeen + len) {
        pending[i + FRAME_HEADER + (at - dataSeen)] ^= 0x01
        log('corrupt ' + at)
        done = true
      }
      if (type === DATA) dataSeen += len
      i += FRAME_HEADER + len
    }
    const out = pending.slice(0, i)
    pending = pending.slice(i)
    return out
  }
}

const server = net.createServer((client) => {
  const up = net.connect(target, '127.0.0.1')
  let h2 = null, fromServer = 0, corrupt = null, nth = -1
  client.on('data', (c) => {
    if (h2 === null) {
      h2 = c.length >= PREFACE.length && c.slice(0, PREFACE.length).equals(PREFACE)
      if (h2) {
        nth = h2conns++
        if (nth === 0 && corruptAt >= 0) corrupt = corrupter(corruptAt)
      }
    }
    up.write(c)
  })
  up.on('data', (c) => {
    if (corrupt) c = corrupt(c)
    if (c.length === 0) return
    client.write(c)
    if (!h2) return
    fromServer += c.length
    if (cutAfter > 0 && nth < cuts && fromServer >= cutAfter) {
      log('cut after ' + fromServer)
      client.destroy()
      up.destroy()
    }
  })
  client.on('end', () => up.end())
  up.on('end', () => client.end())
  client.on('error', () => up.destroy())
  up.on('error', () => client.destroy())
  client.on('close', () => up.destroy())
  up.on('close', () => client.destroy())
})
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\n'))
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0))
