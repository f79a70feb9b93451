// Issue E in memory: the limits an endpoint keeps, and that nothing a peer sends can make a
// caller wait forever or change a prototype on the receiving side.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Endpoint } from '../../src/ipc/endpoint.js';
import { Link } from '../../src/ipc/link.js';
import { MAX_FRAME_CHARS, reviveError } from '../../src/ipc/codec.js';
import { pair } from './pair.js';

const keepAlive = setInterval(() => {}, 1000);
after(() => clearInterval(keepAlive));

/** A backend endpoint whose frames to the page are collected and decoded as plain JSON. */
function backendWithLimits(limits: { messageChars?: number; pending?: number; storeKeys?: number }, startingUp?: boolean) {
  const out: unknown[] = [];
  const backend = new Endpoint({ side: 'backend', peer: 'page', waitForHandler: 50, startingUp, limits, post: (frame) => out.push(...JSON.parse(frame)) });
  return { backend, out };
}
const flushed = () => new Promise((resolve) => setTimeout(resolve, 5));

test('a message over the size limit rejects at the caller with a RangeError that gives both sizes', { timeout: 10000 }, async () => {
  const { backend } = backendWithLimits({ messageChars: 1000 });
  await assert.rejects(backend.call('echo', ['x'.repeat(2000)]), { name: 'RangeError', message: /echo\(\): the arguments are 2,0\d\d characters encoded, over the 1,000 characters limit/ });
  await assert.rejects(backend.send('big', 'x'.repeat(2000)), { name: 'RangeError', message: /event 'big': the data is .* over the 1,000/ });
  assert.throws(() => backend.storeSet('big', 'x'.repeat(2000)), { name: 'RangeError', message: /store\.big: the value is .* over the 1,000/ });
  assert.equal(backend.storeHas('big'), false, 'a refused store write changes nothing');
});

test('a result over the size limit reaches the caller as an error, not a hang', { timeout: 10000 }, async () => {
  const { ipc, pageIpc } = pair();
  ipc.huge = () => 'x'.repeat(64 * 1024 * 1024 + 10);
  await assert.rejects(pageIpc.huge(), { name: 'TypeError', message: /the result cannot be sent back from the backend: it is 67,108,9\d\d characters encoded, over the 67,108,864/ });
  ipc.fine = () => 'fine';
  assert.equal(await pageIpc.fine(), 'fine');
});

test('pending calls are limited on the calling side, and requests in hand on the answering side', { timeout: 10000 }, async () => {
  const { backend } = backendWithLimits({ pending: 3 });
  const waiting = [1, 2, 3].map(() => backend.call('never', []).catch(() => 'let go'));
  await assert.rejects(backend.call('one more', []), { name: 'RangeError', message: /one more\(\): 3 calls and events already wait for the page's answers, the limit/ });
  backend.close('done');
  assert.deepEqual(await Promise.all(waiting), ['let go', 'let go', 'let go']);

  // Starting up, so a request for a name nobody handles yet waits (and counts) instead of being answered.
  const { backend: answering, out } = backendWithLimits({ pending: 2 }, true);
  answering.expose('never', () => new Promise(() => {}));
  const call = (id: number, name: string) => JSON.stringify([[{ k: 1, id: 2, name: 3, args: 4 }, 'call', id, name, []]]);
  answering.receive(call(1, 'never'));
  answering.receive(call(2, 'not exposed: parked'));
  answering.receive(call(3, 'never'));
  await flushed();
  assert.equal(out.length, 1, 'only the third request is answered at once');
  assert.match(JSON.stringify(out[0]), /"err".*RangeError.*already handling 2 calls and events from the page, the limit; call never\(\) was refused/);
});

test('the store holds at most its limit of keys, on both sides', { timeout: 10000 }, async () => {
  const { backend, out } = backendWithLimits({ storeKeys: 2 });
  backend.storeSet('a', 1);
  backend.storeSet('b', 2);
  backend.storeSet('a', 3); // an existing key can change
  assert.throws(() => backend.storeSet('c', 4), { name: 'RangeError', message: /store\.c: the store already holds 2 keys, its limit/ });
  backend.receive(JSON.stringify([[{ k: 1, key: 2, value: 3 }, 'store', 'd', 5]]));
  assert.deepEqual(backend.storeKeys(), ['a', 'b'], 'a peer cannot add keys past the limit either');
  await flushed();
  assert.ok(out.length > 0);
});

test('a message that cannot be decoded still answers its call, or settles the call it answers: nothing waits forever', { timeout: 10000 }, async () => {
  const { backend, out } = backendWithLimits({});
  // A call whose arguments hold an object with an own __proto__ key (devalue refuses to build it).
  backend.receive('[[{"k":1,"id":2,"name":3,"args":4},"call",7,"merge",[5],{"__proto__":6},{"polluted":8},"yes"]]');
  await flushed();
  assert.match(JSON.stringify(out), /"err".*TypeError.*the backend could not read this call: malformed IPC message/);
  assert.equal(({} as any).polluted, undefined);

  // A reply that cannot be decoded rejects the call it answers.
  const waiting = backend.call('x', []);
  await flushed();
  backend.receive('[[{"k":1,"id":2,"value":3},"ok",1,{"__proto__":4},{"polluted":5},"yes"]]');
  await assert.rejects(waiting, { name: 'TypeError', message: /the page's answer to x\(\) could not be read/ });
  assert.equal(({} as any).polluted, undefined);
});

test('an error whose name is __proto__, constructor or toString crosses as a plain Error and changes no prototype', { timeout: 10000 }, () => {
  for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
    const error = reviveError({ name, message: 'm', props: { __proto__: { polluted: 1 }, constructor: 2 } as any });
    assert.ok(error instanceof Error, name);
    assert.equal(error.name, name);
    assert.equal(error.message, 'm');
  }
  assert.equal(({} as any).polluted, undefined);
});

test('nothing the page sends changes a prototype in the backend: keys, names, store, errors, Map keys', { timeout: 10000 }, async () => {
  const { ipc, pageIpc, backend } = pair();
  const snapshot = () => [Object, Array, Function, Error, Map, Promise].map((C) => Reflect.ownKeys(C.prototype).map(String).join());
  const before = snapshot();
  const got: unknown[] = [];
  ipc.take = (value: unknown) => {
    got.push(value);
    Object.assign({}, value);
    return 'taken';
  };
  const nasty = [
    { constructor: { prototype: { polluted: 1 } }, prototype: { polluted: 1 } },
    Object.assign(Object.create(null), { __proto__x: 1, toString: 'not a function' }),
    new Map<unknown, unknown>([['__proto__', { polluted: 1 }], ['constructor', 1]]),
    Object.assign(new Error('e'), { name: '__proto__' }),
  ];
  for (const value of nasty) assert.equal(await pageIpc.take(value), 'taken');
  await assert.rejects(pageIpc.take(JSON.parse('{"__proto__": {"polluted": 1}}')), /Cannot stringify objects with __proto__ keys/);
  pageIpc.store.__proto__ = { polluted: 1 };
  pageIpc.store.set('constructor', { polluted: 1 });
  await pageIpc.take(0); // the store writes have arrived
  pageIpc.__proto__; // a property read names a call function on the page side: harmless
  assert.deepEqual(backend.storeKeys().sort(), ['__proto__', 'constructor']);
  assert.deepEqual(ipc.store.__proto__, { polluted: 1 }, 'a store key is only a key');
  assert.equal(Object.getPrototypeOf(got[0]), Object.prototype);
  assert.equal(({} as any).polluted, undefined);
  assert.deepEqual(snapshot(), before);
});

test('the link drops a frame, whole or in pieces, longer than the frame limit', { timeout: 10000 }, () => {
  const delivered: string[] = [];
  const log: string[] = [];
  const link = new Link({ control: () => {}, deliver: (frame) => delivered.push(frame), log: (line) => log.push(line) });
  link.receiveControl('[' + 'x'.repeat(MAX_FRAME_CHARS) + ']');
  const piece = 'y'.repeat(16 * 1024 * 1024);
  for (let index = 0; index < 5; index++) link.receiveControl(`\u0001${9}:${index}:${5}:${piece}`);
  assert.equal(delivered.length, 0);
  assert.match(log.join('\n'), /dropped a frame of \d+ characters, over the limit/);
  assert.match(log.join('\n'), /dropped a frame arriving in pieces: over the limit/);
  link.receiveControl('["fine"]');
  assert.deepEqual(delivered, ['["fine"]']);
});
