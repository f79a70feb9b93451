// The data channel server with real sockets on 127.0.0.1 (no browser): who gets in, who
// gets a 403, and the CSP rules that decide whether a local app may use it at all.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import WebSocket from 'ws';
import { DataChannelServer } from '../../src/data-channel/server.js';
import { cspAllowsDataChannel, DEFAULT_CSP, withDataChannelSource } from '../../src/local/serve.js';

const ORIGIN = 'https://app.gluon.invalid';
const server = await DataChannelServer.start();
after(() => server.close());

function connect(url: string, protocols: string[], origin: string | null = ORIGIN): Promise<{ outcome: string; socket?: WebSocket }> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, protocols, origin === null ? {} : { origin });
    setTimeout(() => socket.terminate(), 5000).unref();
    socket.on('open', () => resolve({ outcome: 'open', socket }));
    socket.on('unexpected-response', (_req, res) => resolve({ outcome: String(res.statusCode) }));
    socket.on('error', (error) => resolve({ outcome: `error: ${error.message}` }));
  });
}

test('a page with its ticket gets in once, with the right Origin, while its document is current', async () => {
  const accepted: WebSocket[] = [];
  let current = true;
  const ticket = server.issue({ origin: ORIGIN, isCurrent: () => current, accept: (socket) => accepted.push(socket) });
  assert.match(ticket.url, /^ws:\/\/127\.0\.0\.1:\d+\/gluon$/);
  assert.match(ticket.protocol, /^gluon\.[0-9a-f]{64}$/);

  assert.equal((await connect(ticket.url, [ticket.protocol], 'https://evil.example')).outcome, '403', 'another origin');
  assert.equal((await connect(ticket.url, [ticket.protocol], null)).outcome, '403', 'no origin (a local program)');
  assert.equal((await connect(ticket.url.replace('/gluon', '/other'), [ticket.protocol])).outcome, '403', 'another path');
  assert.equal((await connect(ticket.url, [ticket.protocol, 'gluon.' + 'f'.repeat(64)])).outcome, '403', 'two tokens');
  assert.equal(accepted.length, 0);

  const { outcome, socket } = await connect(ticket.url, [ticket.protocol]);
  assert.equal(outcome, 'open');
  assert.equal(socket!.protocol, ticket.protocol);
  assert.equal(accepted.length, 1);
  const echoed = new Promise((resolve) => socket!.once('message', (data) => resolve(String(data))));
  accepted[0].send('from the backend');
  assert.equal(await echoed, 'from the backend');
  socket!.close();

  assert.equal((await connect(ticket.url, [ticket.protocol])).outcome, '403', 'a ticket opens one socket only');

  const stale = server.issue({ origin: ORIGIN, isCurrent: () => current, accept: (s) => accepted.push(s) });
  current = false;
  assert.equal((await connect(stale.url, [stale.protocol])).outcome, '403', 'its document is gone');
  const revoked = server.issue({ origin: ORIGIN, isCurrent: () => true, accept: (s) => accepted.push(s) });
  revoked.revoke();
  assert.equal((await connect(revoked.url, [revoked.protocol])).outcome, '403', 'revoked');
  assert.equal((await connect(revoked.url, [`gluon.${'0'.repeat(64)}`])).outcome, '403', 'guessed');
  assert.equal(accepted.length, 1);
});

test('plain HTTP requests get a 404 and nothing else', async () => {
  const status = await new Promise<number | undefined>((resolve, reject) => {
    request({ host: '127.0.0.1', port: server.port, path: '/gluon', headers: { origin: ORIGIN } }, (res) => {
      res.resume();
      resolve(res.statusCode);
    }).on('error', reject).end();
  });
  assert.equal(status, 404);
});

test('which local CSPs let the page open the data channel, and the source added to the default one', () => {
  assert.equal(cspAllowsDataChannel(''), true);
  assert.equal(cspAllowsDataChannel(DEFAULT_CSP), true);
  assert.equal(cspAllowsDataChannel("default-src 'self'"), false);
  assert.equal(cspAllowsDataChannel("default-src 'self'; connect-src 'self' ws://127.0.0.1:*"), true);
  assert.equal(cspAllowsDataChannel("default-src ws:"), true);
  assert.equal(cspAllowsDataChannel("img-src 'self'"), true, 'no connect-src or default-src: nothing restricts it');
  assert.equal(cspAllowsDataChannel("connect-src 'none'; default-src ws:"), false, 'connect-src wins over default-src');
  assert.equal(withDataChannelSource(DEFAULT_CSP, 4321), DEFAULT_CSP.replace("connect-src 'self'", "connect-src 'self' ws://127.0.0.1:4321"));
  assert.equal(withDataChannelSource("default-src 'self'", 4321), "default-src 'self'", "the app's own policy is never rewritten");
});
