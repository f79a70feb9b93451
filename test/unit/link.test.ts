// The link under the IPC endpoints, in memory: pieces on the control channel, and the switch
// to a data channel without any frame overtaking another, whatever the two channels' delays.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Endpoint } from '../../src/ipc/endpoint.js';
import { createIpc } from '../../src/ipc/facade.js';
import { DATA_CHANNEL_PIECE_CHARS, Link, PIECE_CHARS, type DataChannel } from '../../src/ipc/link.js';

const keepAlive = setInterval(() => {}, 1000);
after(() => clearInterval(keepAlive));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A one-way in-memory channel that keeps order (like a protocol connection or a socket) but
 * takes a random time per message, so two channels race each other.
 */
function orderedChannel(deliver: (text: string) => void, maxDelay: number) {
  const queue: { at: number; text: string }[] = [];
  let open = true;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const drain = () => {
    timer = undefined;
    while (queue.length && queue[0].at <= performance.now()) {
      const { text } = queue.shift()!;
      if (open) deliver(text);
    }
    if (queue.length) timer = setTimeout(drain, queue[0].at - performance.now());
  };
  return {
    send(text: string) {
      if (!open) return false;
      queue.push({ at: Math.max(queue.at(-1)?.at ?? 0, performance.now() + Math.random() * maxDelay), text });
      timer ??= setTimeout(drain, queue[0].at - performance.now());
      return true;
    },
    cut() {
      open = false;
    },
  };
}

/** Two links joined by a control channel; `data.connect()` adds a data channel each way. */
function linkPair(o: { controlDelay?: number; dataDelay?: number } = {}) {
  const got = { a: [] as string[], b: [] as string[] };
  const sent = { aControl: [] as string[], bControl: [] as string[], aData: [] as string[], bData: [] as string[] };
  const a: Link = new Link({
    control: (text) => { sent.aControl.push(text); toB.send(text); },
    deliver: (frame) => got.a.push(frame),
  });
  const b: Link = new Link({
    control: (text) => { sent.bControl.push(text); toA.send(text); },
    deliver: (frame) => got.b.push(frame),
  });
  const toB = orderedChannel((text) => b.receiveControl(text), o.controlDelay ?? 3);
  const toA = orderedChannel((text) => a.receiveControl(text), o.controlDelay ?? 3);
  const data = {
    connect() {
      const aToB = orderedChannel((text) => b.receiveDataChannel(text), o.dataDelay ?? 1);
      const bToA = orderedChannel((text) => a.receiveDataChannel(text), o.dataDelay ?? 1);
      const channel = (way: typeof aToB, log: string[]): DataChannel => ({ send: (text) => (log.push(text), way.send(text)), close: () => way.cut() });
      return { aSide: channel(aToB, sent.aData), bSide: channel(bToA, sent.bData), cut: () => { aToB.cut(); bToA.cut(); } };
    },
  };
  return { a, b, got, sent, data };
}

const frame = (n: number) => `[${n}]`;

test('frames keep their order across the switch to the data channel, both ways, whatever the delays', async () => {
  for (let round = 0; round < 20; round++) {
    const { a, b, got, data } = linkPair({ controlDelay: 4, dataDelay: round % 2 ? 0.5 : 6 });
    let n = 0;
    const pump = setInterval(() => {
      for (let i = 0; i < 5; i++, n++) {
        a.post(frame(n));
        b.post(frame(n));
      }
    }, 1);
    await sleep(5 + Math.random() * 10);
    const { aSide, bSide } = data.connect();
    // The two sides switch at different moments, as they do in a real page and backend.
    b.attachDataChannel(bSide);
    await sleep(Math.random() * 5);
    a.attachDataChannel(aSide);
    await sleep(20);
    clearInterval(pump);
    await sleep(30);
    const expected = Array.from({ length: n }, (_, i) => frame(i));
    assert.deepEqual(got.b, expected, `round ${round}: a -> b`);
    assert.deepEqual(got.a, expected, `round ${round}: b -> a`);
    assert.ok(a.usingDataChannel && b.usingDataChannel);
  }
});

test('after the switch, frames (long ones as pieces) leave only on the data channel; link messages always on the control channel', async () => {
  const { a, b, got, sent, data } = linkPair();
  const { aSide, bSide } = data.connect();
  a.attachDataChannel(aSide);
  b.attachDataChannel(bSide);
  const before = sent.aControl.length;
  const big = `[${'x'.repeat(PIECE_CHARS * 3)}]`;
  a.post(frame(1));
  a.post(big);
  a.post(frame(2));
  assert.equal(sent.aControl.length, before);
  a.message({ t: 'data-channel?' });
  assert.equal(sent.aControl.length, before + 1);
  assert.ok(sent.aControl.at(-1)!.startsWith('\u0002'));
  await sleep(30);
  assert.deepEqual(got.b, [frame(1), big, frame(2)]);
  // In the data channel's own, smaller pieces (Firefox reads messages over 64 KB far slower).
  const pieces = sent.aData.filter((text) => text.startsWith('\u0001'));
  assert.equal(pieces.length, Math.ceil(big.length / DATA_CHANNEL_PIECE_CHARS));
  assert.ok(pieces.every((piece) => piece.length <= DATA_CHANNEL_PIECE_CHARS + 40));
});

test('when the data channel stops, frames go back to the control channel, still in order', async () => {
  const { a, b, got, data } = linkPair({ controlDelay: 2, dataDelay: 2 });
  const { aSide, bSide } = data.connect();
  a.attachDataChannel(aSide);
  b.attachDataChannel(bSide);
  for (let i = 0; i < 10; i++) a.post(frame(i));
  await sleep(20);
  a.dataChannelClosed('test');
  assert.equal(a.usingDataChannel, false);
  for (let i = 10; i < 20; i++) a.post(frame(i));
  await sleep(20);
  assert.deepEqual(got.b, Array.from({ length: 20 }, (_, i) => frame(i)));
  // A data channel that refuses to send makes the link fall back by itself.
  const refusing: DataChannel = { send: () => false, close: () => {} };
  a.attachDataChannel(refusing);
  a.post(frame(20));
  assert.equal(a.usingDataChannel, false);
  await sleep(20);
  assert.equal(got.b.at(-1), frame(20));
});

test('reset forgets the old peer: its held data-channel frames, half-arrived pieces and data channel', async () => {
  const got: string[] = [];
  let closed = 0;
  const link = new Link({ control: () => {}, deliver: (f) => got.push(f) });
  link.attachDataChannel({ send: () => true, close: () => closed++ });
  link.receiveDataChannel('[1]'); // held: no switch marker yet
  link.receiveControl('\u00019:0:2:[');
  link.reset();
  assert.equal(closed, 1);
  assert.equal(link.usingDataChannel, false);
  link.receiveControl('\u0002{"t":"switch"}');
  link.receiveControl('\u00019:1:2:2]');
  assert.deepEqual(got, [], 'nothing from before the reset was delivered');
  link.receiveDataChannel('[3]');
  assert.deepEqual(got, ['[3]']);
});

test('bad input on either channel is dropped and never throws; other link messages reach the layer above', () => {
  const got: string[] = [];
  const messages: unknown[] = [];
  const link = new Link({ control: () => { throw new Error('down'); }, deliver: (f) => got.push(f), onMessage: (m) => messages.push(m) });
  for (const bad of [undefined, 42, {}, '\u0002', '\u0002{', '\u0002null', '\u0002[]', '\u0002{"t":1}', '\u0002{"t":"x"}', '\u0002{"t":"data-channel","url":"ws://x"}', '\u0001', '\u00011:0:1:x', '\u00011:5:2:x', '\u00011:0:99999:x', '\u0001x:0:2:x']) {
    assert.doesNotThrow(() => link.receiveControl(bad));
  }
  for (const bad of [undefined, 42, new ArrayBuffer(2)]) assert.doesNotThrow(() => link.receiveDataChannel(bad));
  assert.doesNotThrow(() => link.post('[1]'), 'a control channel that throws is caught');
  assert.doesNotThrow(() => link.message({ t: 'data-channel?' }));
  link.receiveControl('\u0002{"t":"data-channel","url":"ws://x","protocol":"gluon.x"}');
  assert.deepEqual(messages, [{ t: 'data-channel', url: 'ws://x', protocol: 'gluon.x' }]);
  assert.deepEqual(got, []);
});

test('data-channel frames held before the switch are bounded', () => {
  const got: string[] = [];
  const link = new Link({ control: () => {}, deliver: (f) => got.push(f) });
  for (let i = 0; i < 5000; i++) link.receiveDataChannel(`[${i}]`);
  link.receiveControl('\u0002{"t":"switch"}');
  assert.equal(got.length, 4096);
  assert.equal(got[4095], '[4095]');
});

test('a large frame travels as pieces on the control channel and arrives whole, both ways; bad pieces are dropped', async () => {
  const toPage: string[] = [];
  const toBackend: string[] = [];
  const backend: Endpoint = new Endpoint({ side: 'backend', peer: 'page', waitForPeer: true, ownsStore: true, post: (f) => backendLink.post(f) });
  const page: Endpoint = new Endpoint({ side: 'page', peer: 'backend', post: (f) => pageLink.post(f) });
  const backendLink = new Link({ control: (t) => { toPage.push(t); setImmediate(() => pageLink.receiveControl(t)); }, deliver: (f) => backend.receive(f) });
  const pageLink = new Link({ control: (t) => { toBackend.push(t); setImmediate(() => backendLink.receiveControl(t)); }, deliver: (f) => page.receive(f) });
  page.hello();
  const ipc = createIpc(backend, 'backend');
  const pageIpc = createIpc(page, 'page');
  ipc.echo = (value: unknown) => value;
  const big = 'é"\\'.repeat(400_000) + 'end';
  const before = toBackend.length;
  assert.equal(await pageIpc.echo(big), big);
  const sent = toBackend.slice(before);
  assert.ok(sent.length > 4, `the call went as ${sent.length} pieces`);
  assert.ok(sent.every((piece) => piece.length <= PIECE_CHARS + 40 && piece.startsWith('\u0001')));
  assert.ok(toPage.some((piece) => piece.startsWith('\u0001')), 'the reply came back in pieces too');
  assert.deepEqual(await Promise.all([pageIpc.echo(big), pageIpc.echo('small'), pageIpc.echo(big)]), [big, 'small', big]);
  for (const bad of ['\u00017:0:2:[[', '\u00017:0:2:[[']) assert.doesNotThrow(() => backendLink.receiveControl(bad));
  assert.equal(await pageIpc.echo('still fine'), 'still fine');
});
