#!/usr/bin/env node
// A listener for the kin-* credential and signing tests: it records each
// request ({"method","url","headers","body"} per line in LOG) and answers
// with STATUS and BODY; or, with --imds, plays an EC2 instance metadata
// service (IMDSv2: a token first, then the role, then its keys); or, with
// --forward, passes each request on to 127.0.0.1:PORT (kinesalite) and
// its answer back, so a long run against a real server is recorded too.
//   node kin-capture.js LOG STATUS BODY
//   node kin-capture.js LOG --imds ROLE ACCESS_KEY SECRET TOKEN
//   node kin-capture.js LOG --forward PORT
// Prints its port on stdout.
'use strict'
const http = require('http')
const fs = require('fs')
const [log, status, body, ...rest] = process.argv.slice(2)

const server = http.createServer((req, res) => {
  let text = ''
  req.on('data', (c) => { text += c })
  req.on('end', () => {
    fs.appendFileSync(log, JSON.stringify({ method: req.method, url: req.url, headers: req.rawHeaders, body: text }) + '\n')
    if (status === '--forward') {
      const up = http.request({ host: '127.0.0.1', port: Number(body), method: req.method, path: req.url, headers: req.headers },
        (ans) => { res.writeHead(ans.statusCode, ans.headers); ans.pipe(res) })
      up.on('error', () => { res.writeHead(502); res.end() })
      return up.end(text)
    }
    if (status !== '--imds') {
      res.writeHead(Number(status), { 'Content-Type': 'application/x-amz-json-1.1' })
      return res.end(body)
    }
    const [role, key, secret, token] = [body, ...rest]
    if (req.method === 'PUT' && req.url === '/latest/api/token') {
      if (!req.headers['x-aws-ec2-metadata-token-ttl-seconds']) { res.writeHead(400); return res.end() }
      res.writeHead(200)
      return res.end('IMDSTOKEN')
    }
    if (req.headers['x-aws-ec2-metadata-token'] !== 'IMDSTOKEN') { res.writeHead(401); return res.end() }
    if (req.url === '/latest/meta-data/iam/security-credentials/') { res.writeHead(200); return res.end(role) }
    if (req.url === '/latest/meta-data/iam/security-credentials/' + role) {
      res.writeHead(200)
      return res.end(JSON.stringify({ Code: 'Success', Type: 'AWS-HMAC', AccessKeyId: key, SecretAccessKey: secret,
        Token: token, Expiration: '2999-01-01T00:00:00Z' }))
    }
    res.writeHead(404)
    res.end()
  })
})
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\n'))
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0))
