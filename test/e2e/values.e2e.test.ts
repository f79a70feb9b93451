// Values that survive the trip, in a real browser, both ways: what JSON loses (undefined,
// NaN, -0, BigInt, Date, RegExp, Map, Set, binary data, Errors, shared and cyclic
// references) arrives as itself; what JSON carries otherwise (class instances, functions left out)
// crosses as JSON carries it; what JSON cannot carry either rejects the sender, naming where it was.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Window } from '../../src/index.js';
import { openFixture } from './helpers.js';

let win: Window;
before(async () => {
  win = await openFixture('app');
  await win.page.loaded;
});
after(() => win?.close());

/** The same values, built in whichever realm runs this source. */
const BUILD_VALUES = `(() => {
  const shared = { shared: true };
  const cyclic = { name: 'cyclic' };
  cyclic.self = cyclic;
  return {
    undef: undefined, nul: null, zero: 0, no: false, empty: '', nan: NaN, inf: Infinity, ninf: -Infinity, negz: -0,
    big: 12345678901234567890n, date: new Date(Date.UTC(2026, 10, 25)), regexp: /gl(u+)on/gi,
    map: new Map([[1, 'one'], ['k', { nested: [1, 2] }]]), set: new Set(['a', 2, null]),
    arrayBuffer: new Uint8Array([1, 2, 255]).buffer, u8: new Uint8Array([0, 128, 255]), i8: new Int8Array([-128, 127]),
    u8c: new Uint8ClampedArray([0, 255]), i16: new Int16Array([-300, 300]), u16: new Uint16Array([65535]),
    i32: new Int32Array([-5]), u32: new Uint32Array([4294967295]), f32: new Float32Array([1.5]), f64: new Float64Array([Math.PI]),
    bi64: new BigInt64Array([-9n]), bu64: new BigUint64Array([9n]), dataView: new DataView(new Uint8Array([7, 8, 9]).buffer, 1, 2),
    pair: [shared, shared], cyclic, sparse: [1, , 3],
  };
})()`;

function checkValues(v: any): void {
  const expected = (0, eval)(BUILD_VALUES);
  for (const key of ['undef', 'nul', 'zero', 'no', 'empty', 'inf', 'ninf', 'big']) assert.equal(v[key], expected[key], key);
  assert.ok('undef' in v, 'an undefined property is kept, not dropped');
  assert.ok(Number.isNaN(v.nan));
  assert.ok(Object.is(v.negz, -0), '-0 stays -0');
  assert.ok(v.date instanceof Date && v.date.getTime() === expected.date.getTime());
  assert.ok(v.regexp instanceof RegExp && String(v.regexp) === String(expected.regexp));
  assert.deepEqual(v.map, expected.map);
  assert.deepEqual(v.set, expected.set);
  assert.ok(v.arrayBuffer instanceof ArrayBuffer);
  assert.deepEqual([...new Uint8Array(v.arrayBuffer)], [1, 2, 255]);
  for (const key of ['u8', 'i8', 'u8c', 'i16', 'u16', 'i32', 'u32', 'f32', 'f64', 'bi64', 'bu64']) {
    assert.equal(v[key].constructor.name, expected[key].constructor.name, key);
    assert.deepEqual([...v[key]], [...expected[key]], key);
  }
  assert.ok(v.dataView instanceof DataView);
  assert.deepEqual([v.dataView.byteLength, v.dataView.getUint8(0), v.dataView.getUint8(1)], [2, 8, 9]);
  assert.equal(v.pair[0], v.pair[1], 'a shared reference stays shared');
  assert.equal(v.cyclic.self, v.cyclic, 'a cycle stays a cycle');
  assert.equal(v.sparse.length, 3);
  assert.ok(!(1 in v.sparse), 'a hole stays a hole');
}

test('page -> backend: every kind of value arrives as itself', async () => {
  let received: unknown;
  win.ipc.take = (value: unknown) => { received = value; return 'taken'; };
  assert.equal(await win.page.eval(`Gluon.ipc.take(${BUILD_VALUES})`), 'taken');
  checkValues(received);
});

test('backend -> page: every kind of value arrives as itself, as return value and as event data', async () => {
  win.ipc.give = () => (0, eval)(BUILD_VALUES);
  win.ipc.giveBuffer = () => Buffer.from('héllo');
  const report = await win.page.eval<string[]>(`(async () => {
    const out = [];
    const v = await Gluon.ipc.give();
    const check = (ok, what) => { if (!ok) out.push(what); };
    check(v.undef === undefined && 'undef' in v, 'undef');
    check(Number.isNaN(v.nan) && Object.is(v.negz, -0) && v.inf === Infinity, 'numbers');
    check(v.big === 12345678901234567890n, 'bigint');
    check(v.date instanceof Date && v.date.getTime() === Date.UTC(2026, 10, 25), 'date');
    check(v.regexp instanceof RegExp && v.regexp.flags === 'gi', 'regexp');
    check(v.map instanceof Map && v.map.get('k').nested[1] === 2, 'map');
    check(v.set instanceof Set && v.set.has(null), 'set');
    check(v.arrayBuffer instanceof ArrayBuffer && new Uint8Array(v.arrayBuffer)[2] === 255, 'arraybuffer');
    check(v.bu64 instanceof BigUint64Array && v.f64[0] === Math.PI && v.u8c instanceof Uint8ClampedArray, 'typed arrays');
    check(v.dataView instanceof DataView && v.dataView.getUint8(1) === 9, 'dataview');
    check(v.pair[0] === v.pair[1] && v.cyclic.self === v.cyclic, 'references');
    const buffer = await Gluon.ipc.giveBuffer();
    check(buffer instanceof Uint8Array && new TextDecoder().decode(buffer) === 'héllo', 'Buffer arrives as Uint8Array');
    return out;
  })()`);
  assert.deepEqual(report, [], `wrong on the page: ${report.join(', ')}`);

  await win.page.eval(`Gluon.ipc.on('values', (v) => (v.map instanceof Map && v.cyclic.self === v.cyclic && typeof v.big === 'bigint') ? 'ok' : 'wrong')`);
  assert.equal(await win.ipc.send('values', (0, eval)(BUILD_VALUES)), 'ok');
});

test('errors keep their class, message, cause and both stacks, in both directions', async () => {
  win.ipc.failWithCause = () => {
    throw new TypeError('outer', { cause: new RangeError('inner') });
  };
  win.ipc.failAggregate = () => {
    throw new AggregateError([new Error('one'), new SyntaxError('two')], 'several');
  };
  const got = await win.page.eval<any>(`(async () => {
    const a = await Gluon.ipc.failWithCause().catch((e) => e);
    const b = await Gluon.ipc.failAggregate().catch((e) => e);
    return {
      a: [a instanceof TypeError, a.message, a.cause instanceof RangeError, a.cause.message, /backend's stack|remote stack/.test(a.stack)],
      b: [b instanceof AggregateError, b.message, b.errors.map((e) => e.name + ':' + e.message)],
    };
  })()`);
  assert.deepEqual(got.a, [true, 'outer', true, 'inner', true]);
  assert.deepEqual(got.b, [true, 'several', ['Error:one', 'SyntaxError:two']]);

  await win.page.eval(`Gluon.ipc.on('page fails', () => { throw new URIError('from the page', { cause: 'a string cause' }); })`);
  const error = await win.ipc.send('page fails').catch((e: Error) => e);
  assert.ok(error instanceof URIError);
  assert.equal(error.message, 'from the page');
  assert.equal((error as any).cause, 'a string cause');
  assert.match(String(error.stack), /from the page[\s\S]*--- remote stack ---/);
});

test('a value JSON carries crosses as JSON carries it; one JSON cannot carry either rejects the sender, naming where', async () => {
  win.ipc.sink = (...args: unknown[]) => args;
  const fromPage = await win.page.eval<unknown[]>(`(async () => {
    const out = [];
    for (const bad of [{ deep: [1, () => 2] }, Symbol('s'), document.body, { a: { get broken() { throw new Error('no read'); } } }]) {
      out.push(await Gluon.ipc.sink(bad).then((got) => got, (e) => e.name + ': ' + e.message));
    }
    return out;
  })()`);
  assert.deepStrictEqual(fromPage.slice(0, 3), [[{ deep: [1, null] }], [null], [{}]]);
  assert.match(String(fromPage[3]), /^TypeError: .*cannot be sent to the backend: no read at \[0\]\.a\.broken/);
  await assert.rejects(win.ipc.send('values', { get broken() { throw new Error('no read'); } }), /cannot be sent to the page: no read at \.broken/);
});
