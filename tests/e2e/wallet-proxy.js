// A fault-injecting HTTP proxy in front of wallet-server, for the tests of
// the clients' retry rules. Listens on 127.0.0.1:LISTEN, forwards to
// 127.0.0.1:TARGET.
//   --drop N      for the first N buy/sell requests, let the server answer
//                 (so the trade is committed), then close the client's
//                 connection without a word
//   --ignore-ids  play a server that knows nothing of order ids: remove
//                 order_id from requests and the idempotency header from
//                 answers
// Prints "dropped N" on stderr for each dropped answer.
'use strict';
const http = require('http');
const args = process.argv.slice(2);
let listen = 0, target = 0, drop = 0, ignoreIds = false;
for (let i = 0; i < args.length; i++) {
	if (args[i] === '--listen') listen = +args[++i];
	else if (args[i] === '--target') target = +args[++i];
	else if (args[i] === '--drop') drop = +args[++i];
	else if (args[i] === '--ignore-ids') ignoreIds = true;
}
let dropped = 0;
http.createServer((req, res) => {
	let path = req.url;
	const trade = /^\/(buy|sell)/.test(path);
	if (ignoreIds) path = path.replace(/([?&])order_id=[^&]*&?/, '$1').replace(/[?&]$/, '');
	const up = http.get({ host: '127.0.0.1', port: target, path, agent: false }, (ans) => {
		const chunks = [];
		ans.on('data', (c) => chunks.push(c));
		ans.on('end', () => {
			if (trade && dropped < drop) {
				dropped++;
				process.stderr.write(`dropped ${dropped}\n`);
				req.socket.destroy();
				return;
			}
			const headers = Object.assign({}, ans.headers);
			if (ignoreIds) delete headers['x-wallet-order-ids'];
			res.writeHead(ans.statusCode, headers);
			res.end(Buffer.concat(chunks));
		});
	});
	up.on('error', () => req.socket.destroy());
}).listen(listen, '127.0.0.1');
