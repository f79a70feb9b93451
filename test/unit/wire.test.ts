// The wire protocol (src/ipc/wire.ts), in memory: the backend and the page (the bootstrap is
// built from the same Link and Endpoint) agree on every message kind, link message, piece and
// frame, and on the store snapshot frame the backend hands each new document.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataChannelServer } from '../../src/data-channel/server.js';
import { decodeFrame, encodeMessage } from '../../src/ipc/codec.js';
import { Endpoint } from '../../src/ipc/endpoint.js';
import { Link } from '../../src/ipc/link.js';
import {
  DATA_CHANNEL_PATH, DATA_CHANNEL_PROTOCOL_PREFIX, DATA_CHANNEL_URL_PREFIX, joinFrame, linkText, pieceText,
  readLinkMessage, readPiece, type LinkMessage, type Message, type MessageKind,
} from '../../src/ipc/wire.js';

/** One message of every kind: the mapped type makes this fail to compile when a kind is added to wire.ts and not here. */
const SAMPLES: { [K in MessageKind]: Extract<Message, { k: K }> } = {
  hello: { k: 'hello' },
  call: { k: 'call', id: 1, name: 'add', args: [1, 2] },
  event: { k: 'event', id: 2, type: 'refresh', data: { n: 1 } },
  ok: { k: 'ok', id: 3, value: [1, 'two'] },
  err: { k: 'err', id: 4, error: 'plain' },
  store: { k: 'store', key: 'theme', value: 'dark' },
  'store-all': { k: 'store-all', entries: [['a', 1], ['b', { c: true }]] },
  cancel: { k: 'cancel', id: 5 },
  stream: { k: 'stream', id: 6 },
  pull: { k: 'pull', id: 6, n: 16 },
  item: { k: 'item', id: 6, value: 'x' },
  end: { k: 'end', id: 6 },
};

/** Every link message, one of each kind (the mapped type again keeps the list complete). */
const LINK_SAMPLES: { [T in LinkMessage['t']]: Extract<LinkMessage, { t: T }> } = {
  switch: { t: 'switch' },
  'data-channel?': { t: 'data-channel?' },
  'data-channel': { t: 'data-channel', url: 'ws://127.0.0.1:1234/gluon', protocol: 'gluon.token' },
};

test('every message kind survives a frame, and an endpoint reads every kind', () => {
  const frame = joinFrame(Object.values(SAMPLES).map((message) => encodeMessage(message)));
  assert.deepEqual(decodeFrame(frame), Object.values(SAMPLES));
  const lines: string[] = [];
  const endpoint = new Endpoint({ side: 'page', peer: 'backend', post: () => {}, log: (line) => lines.push(line) });
  endpoint.receive(frame);
  assert.ok(!lines.some((line) => /unknown message kind|not an IPC message|malformed/.test(line)), lines.join('\n'));
  endpoint.close('test over');
});

test('every link message round-trips through a pair of links; the switch is taken by the link itself', async () => {
  const received: { a: LinkMessage[]; b: LinkMessage[] } = { a: [], b: [] };
  const delivered: string[] = [];
  const a: Link = new Link({ control: (text) => b.receiveControl(text), deliver: () => {}, onMessage: (message) => received.a.push(message) });
  const b: Link = new Link({ control: (text) => a.receiveControl(text), deliver: (frame) => delivered.push(frame), onMessage: (message) => received.b.push(message) });
  // What the bootstrap sends (the page, `a`) and what the backend answers (`b`).
  a.message(LINK_SAMPLES['data-channel?']);
  b.message(LINK_SAMPLES['data-channel']);
  assert.deepEqual(received.b, [LINK_SAMPLES['data-channel?']]);
  assert.deepEqual(received.a, [LINK_SAMPLES['data-channel']]);
  // A data-channel frame waits for the peer's switch, which never reaches the layer above.
  b.receiveDataChannel('[1]');
  assert.deepEqual(delivered, []);
  a.attachDataChannel({ send: (text) => (b.receiveDataChannel(text), true), close: () => {} });
  assert.deepEqual(delivered, ['[1]']);
  assert.deepEqual(received.b, [LINK_SAMPLES['data-channel?']]);
  for (const message of Object.values(LINK_SAMPLES)) assert.deepEqual(readLinkMessage(linkText(message)), message);
});

test('pieces: the header a sender writes is the one a receiver reads', () => {
  const text = pieceText(42, 3, 7, '[1,"x:y"');
  assert.deepEqual(readPiece(text), { seq: '42', index: 3, count: 7, slice: '[1,"x:y"' });
  assert.equal(readPiece('[1]'), undefined);
  assert.equal(readPiece(linkText({ t: 'switch' })), undefined);
});

test('the store snapshot frame loads the whole store into a new page, through its link', async () => {
  const backend = new Endpoint({ side: 'backend', peer: 'page', ownsStore: true, post: () => {} });
  backend.storeSet('user', 'ada');
  backend.storeSet('when', new Date(0));
  const page = new Endpoint({ side: 'page', peer: 'backend', post: () => {} });
  const link = new Link({ control: () => {}, deliver: (frame) => page.receive(frame) });
  // What the snapshot init script does with the frame: the page's receive function hands it to the link.
  link.receiveControl(backend.storeSnapshotFrame());
  assert.deepEqual(page.storeEntries(), [['user', 'ada'], ['when', new Date(0)]]);
  backend.close('test over');
  page.close('test over');
});

test("the data channel server's tickets are what the bootstrap accepts", async () => {
  const server = await DataChannelServer.start();
  try {
    const ticket = server.issue({ origin: 'https://app.gluon.invalid', isCurrent: () => true, accept: () => {} });
    assert.ok(ticket.url.startsWith(DATA_CHANNEL_URL_PREFIX) && ticket.url.endsWith(DATA_CHANNEL_PATH), ticket.url);
    assert.ok(ticket.protocol.startsWith(DATA_CHANNEL_PROTOCOL_PREFIX));
    const offer = { t: 'data-channel', url: ticket.url, protocol: ticket.protocol } as const;
    assert.deepEqual(readLinkMessage(linkText(offer)), offer);
    ticket.revoke();
  } finally {
    server.close();
  }
});
