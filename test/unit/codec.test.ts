// The codec's JSON path for plain messages against devalue's general one: plain messages go
// as native JSON and come back equal, anything JSON would change goes through devalue as
// before, and a hostile item reads as a value or as unreadable, never as a `__proto__` key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse, stringify } from 'devalue';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeFrame, encodeMessage, encodePlain, MalformedMessage, setLeftOutLog } from '../../src/ipc/codec.js';
import { joinFrame } from '../../src/ipc/wire.js';

/** A small seeded generator (mulberry32), so a failure can be repeated. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STRINGS = ['', 'a', 'echo', 'é', '\u2028', '<script>', '"quoted"', '\\', '\n\t', '\u0001', '\ud800', '😀', 'constructor', 'toString', '__proto__', 'x'.repeat(300)];
const NUMBERS = [0, 1, -1, 0.5, 1e21, 1e-7, -1e-7, Number.MAX_VALUE, Number.MIN_VALUE, 2 ** 53, 123456789.125];
/** Values JSON would change or lose: each makes a message go through devalue. */
const NOT_JSON = [undefined, NaN, Infinity, -Infinity, -0, 10n, new Date(0), new Map([[1, 2]]), new Set([1]), /x/g, new Uint8Array([1]), new TypeError('boom')];

function plainValue(next: () => number, depth: number): unknown {
  const pick = <T>(list: T[]) => list[Math.floor(next() * list.length)];
  const roll = next();
  if (depth > 4 || roll < 0.45) return pick<unknown>([...STRINGS, ...NUMBERS, true, false, null]);
  if (roll < 0.7) return Array.from({ length: Math.floor(next() * 5) }, () => plainValue(next, depth + 1));
  const object: Record<string, unknown> = {};
  for (let i = Math.floor(next() * 5); i > 0; i--) object[pick([...STRINGS.filter((key) => key !== '__proto__'), 'k', 'id', '0', '12'])] = plainValue(next, depth + 1);
  return object;
}

/** `value` with one item somewhere replaced by `replacement` (or the value itself if it has no room). */
function plant(next: () => number, value: unknown, replacement: unknown): unknown {
  if (value && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length && next() < 0.8) {
      const key = keys[Math.floor(next() * keys.length)];
      (value as any)[key] = plant(next, (value as any)[key], replacement);
      return value;
    }
  }
  return Array.isArray(value) && next() < 0.5 ? [...value, replacement] : [value, replacement];
}

const decodeOne = (encoded: string) => decodeFrame(joinFrame([encoded]))[0];

test('plain messages go as JSON and come back equal; devalue\'s form still reads', () => {
  const next = random(20261126);
  for (let i = 0; i < 5000; i++) {
    const message = { k: 'call', id: i + 1, name: 'echo', args: [plainValue(next, 0)] };
    const encoded = encodeMessage(message);
    if (!encoded.startsWith('{"m":')) assert.fail(`plain message ${i} did not take the JSON path: ${encoded.slice(0, 200)}`);
    assert.deepStrictEqual(decodeOne(encoded), message, `message ${i}`);
    assert.deepStrictEqual(decodeOne(stringify(message)), message, `message ${i} in devalue's form`);
  }
  // The message's own fields may be undefined: JSON leaves them out, and they read back as undefined.
  const reply = decodeOne(encodeMessage({ k: 'ok', id: 1, value: undefined })) as { value?: unknown };
  assert.equal(reply.value, undefined);
  assert.match(encodeMessage({ k: 'ok', id: 1, value: undefined }), /^\{"m":/);
});

test('a message holding anything JSON would change goes through devalue and keeps it', () => {
  const next = random(42);
  for (let i = 0; i < 2000; i++) {
    const special = NOT_JSON[i % NOT_JSON.length];
    const value = plant(next, plainValue(next, 0), special);
    const message = { k: 'ok', id: 1, value };
    assert.equal(encodePlain(message), undefined, `case ${i} took the JSON path`);
    const encoded = encodeMessage(message);
    assert.ok(encoded.startsWith('['), `case ${i} went through devalue`);
    const decoded = decodeOne(encoded);
    if (special instanceof Error) {
      assert.ok(stringify(decoded, { Error: (v: unknown) => v instanceof TypeError && v.message }).includes('"boom"'), `case ${i}: the error came back`);
    } else {
      assert.deepStrictEqual(decoded, parse(stringify(message)), `case ${i}`);
    }
  }
  const shared = { a: 1 };
  const cyclic: any = { name: 'loop' };
  cyclic.self = cyclic;
  const holey = [1, , 3]; // eslint-disable-line no-sparse-arrays
  class Point { x = 1; }
  for (const value of [[shared, shared], cyclic, holey, Object.assign(Object.create(null), { a: 1 }), new Point(), { [Symbol('s')]: 1 }, { a: { b: undefined } }, [undefined]]) {
    assert.equal(encodePlain({ k: 'ok', id: 1, value }), undefined, `${Object.prototype.toString.call(value)} goes through devalue`);
  }
  const [a, b] = (decodeOne(encodeMessage({ k: 'ok', id: 1, value: [shared, shared] })) as { value: unknown[] }).value;
  assert.equal(a, b, 'a shared reference stays shared');
  const loop = (decodeOne(encodeMessage({ k: 'ok', id: 1, value: cyclic })) as { value: any }).value;
  assert.equal(loop.self, loop, 'a cycle stays a cycle');
  assert.equal(1 in (decodeOne(encodeMessage({ k: 'ok', id: 1, value: holey })) as { value: unknown[] }).value, false, 'a hole stays a hole');
  assert.deepStrictEqual(decodeOne(encodeMessage({ k: 'ok', id: 1, value: { a: { b: undefined } } })), { k: 'ok', id: 1, value: { a: { b: undefined } } });
});

test('a toJSON every object inherits (a vandalized page) sends messages through devalue, unchanged', () => {
  (Object.prototype as any).toJSON = () => 'vandalized';
  try {
    const message = { k: 'call', id: 1, name: 'f', args: [{ a: [1, 2] }] };
    assert.equal(encodePlain(message), undefined);
    delete (Object.prototype as any).toJSON;
    assert.deepStrictEqual(decodeOne(encodeMessage(message)), message);
  } finally {
    delete (Object.prototype as any).toJSON;
  }
});

/** Encodes and decodes `value` as a reply; returns what arrived and the GLUON_DEBUG=ipc lines written. */
function across(value: unknown): { value: any; lines: string[] } {
  const lines: string[] = [];
  setLeftOutLog((line) => lines.push(line));
  try {
    return { value: (decodeOne(encodeMessage({ k: 'ok', id: 9, value })) as { value: unknown }).value, lines };
  } finally {
    setLeftOutLog(undefined);
  }
}

test('fs.Dirent and fs.Stats arrive as JSON carries them (own enumerable data), their dates as Dates', () => {
  const dir = mkdtempSync(join(tmpdir(), 'codec-'));
  try {
    writeFileSync(join(dir, 'a.txt'), 'hi');
    mkdirSync(join(dir, 'sub'));
    const entries = readdirSync(dir, { withFileTypes: true });
    const got = across(entries);
    assert.deepStrictEqual(got.value, JSON.parse(JSON.stringify(entries)));
    assert.deepStrictEqual(got.value.map((entry: { name: string }) => entry.name).sort(), ['a.txt', 'sub']);
    assert.deepStrictEqual(got.lines, [], 'nothing was left out (a symbol key is not worth a line)');

    const stats = statSync(join(dir, 'a.txt'));
    const arrived = across(stats).value;
    assert.equal(Object.getPrototypeOf(arrived), Object.prototype);
    assert.equal(arrived.size, 2);
    assert.equal(arrived.mtimeMs, stats.mtimeMs);
    assert.ok(arrived.mtime instanceof Date && arrived.mtime.getTime() === stats.mtime.getTime(), 'a Date stays a Date');
    assert.deepStrictEqual(Object.keys(arrived), Object.keys(JSON.parse(JSON.stringify(stats))));
    assert.equal(typeof across(statSync(dir, { bigint: true })).value.size, 'bigint', 'BigIntStats keep their BigInts');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('class instances: toJSON is honoured (with its key), otherwise their own enumerable data; exact types stay exact', () => {
  class Money {
    constructor(readonly cents: number) {}
    toJSON(key: string) { return { text: `${this.cents / 100} EUR`, key, when: new Date(0), more: new Map([[1, new Set([2n])]]) }; }
  }
  class Point {
    hidden!: number;
    constructor(public x: number, public y: number) {
      Object.defineProperty(this, 'hidden', { value: 1, enumerable: false });
    }
    get length() { return Math.hypot(this.x, this.y); }
    scale() { return new Point(this.x * 2, this.y * 2); }
  }
  const got = across({ price: new Money(250), at: new Point(3, 4), list: [new Money(1)], undef: undefined, nan: NaN, big: 10n, re: /x/g });
  assert.deepStrictEqual(got.value, {
    price: { text: '2.5 EUR', key: 'price', when: new Date(0), more: new Map([[1, new Set([2n])]]) },
    at: { x: 3, y: 4 },
    list: [{ text: '0.01 EUR', key: '0', when: new Date(0), more: new Map([[1, new Set([2n])]]) }],
    undef: undefined,
    nan: NaN,
    big: 10n,
    re: /x/g,
  });
  assert.deepStrictEqual(got.lines, []);
  // A plain object's toJSON counts too, as in JSON; a Date's does not (a Date is carried exactly).
  assert.deepStrictEqual(across({ a: { toJSON: () => 'A' }, d: new Date(5) }).value, { a: 'A', d: new Date(5) });
  // Errors stay errors; anything in them that JSON would leave out is left out.
  const error = Object.assign(new RangeError('far', { cause: { retry: () => 1, n: 1 } }), { code: 'E_FAR', at: new Point(1, 2) });
  const back = across(error);
  const revived = back.value;
  assert.ok(back.value instanceof RangeError);
  assert.deepStrictEqual([revived.message, revived.cause, revived.code, revived.at], ['far', { n: 1 }, 'E_FAR', { x: 1, y: 2 }]);
  assert.deepStrictEqual(back.lines, ['ok #9: left out what JSON leaves out: .cause.retry (a function)']);
});

test('functions, symbols and promises are left out as JSON leaves them out (null in arrays), with one log line naming each path', () => {
  const promise = Promise.resolve(1);
  const got = across({
    name: 'x',
    callback: () => 1,
    entries: [1, function named() {}, Symbol('s'), promise, { deep: { then: promise, keep: true } }],
    api: { method() { return 1; }, tag: Symbol.iterator, value: 2 },
    map: new Map<unknown, unknown>([['fn', () => 1], ['ok', 1]]),
    set: new Set([1, () => 2]),
  });
  assert.deepStrictEqual(got.value, {
    name: 'x',
    entries: [1, null, null, null, { deep: { keep: true } }],
    api: { value: 2 },
    map: new Map([['ok', 1]]),
    set: new Set([1]),
  });
  assert.deepStrictEqual(got.value.entries, JSON.parse(JSON.stringify(got.value.entries)), 'arrays as JSON makes them');
  assert.equal(got.lines.length, 1);
  assert.equal(got.lines[0], 'ok #9: left out what JSON leaves out: .callback (a function), .entries[1] (a function), .entries[2] (a symbol), ' +
    '.entries[3] (a promise), .entries[4].deep.then (a promise), .api.method (a function), .api.tag (a symbol), .map.fn (a function), .set[1] (a function)');
  // Call arguments as JSON makes an array; a value that is only a function is left out (undefined).
  assert.deepStrictEqual(decodeOne(encodeMessage({ k: 'call', id: 1, name: 'f', args: [() => 1, { a: 1, f() {} }] })), { k: 'call', id: 1, name: 'f', args: [null, { a: 1 }] });
  assert.deepStrictEqual(across(() => 1).value, undefined);
  // Symbol keys are left out, as JSON leaves them out.
  assert.deepStrictEqual(across({ [Symbol('s')]: 1, a: 2 }).value, { a: 2 });
  // Nothing is logged when no log is set.
  assert.deepStrictEqual(decodeOne(encodeMessage({ k: 'ok', id: 1, value: [() => 1] })), { k: 'ok', id: 1, value: [null] });
});

test('shared and cyclic class instances stay shared and cyclic (where JSON would fail, we carry them)', () => {
  class Node2 { next?: Node2; constructor(public name: string) {} }
  const a = new Node2('a');
  const b = new Node2('b');
  a.next = b;
  b.next = a;
  const got = across({ a, again: a }).value;
  assert.equal(got.a.next.next, got.a);
  assert.equal(got.again, got.a);
  assert.equal(got.a.next.name, 'b');
});

test('what JSON could not carry either still fails, naming where', () => {
  const own = { a: [{ get boom() { throw new Error('getter failed'); } }] };
  assert.throws(() => encodeMessage({ k: 'call', id: 1, name: 'f', args: [own] }), { name: 'TypeError', message: /getter failed at \[0\]\.a\[0\]\.boom/ });
  const withMethod = { f() {}, a: [{ get boom() { throw new Error('getter failed'); } }] };
  assert.throws(() => encodeMessage({ k: 'call', id: 1, name: 'f', args: [withMethod] }), { message: /getter failed at \[0\]\.a\[0\]\.boom/ });
  assert.throws(() => encodeMessage({ k: 'ok', id: 1, value: { x: { toJSON() { throw new RangeError('no JSON'); } }, f() {} } }), { name: 'TypeError', message: /no JSON at \.x/ });
  assert.throws(() => encodeMessage({ k: 'call', id: 1, name: 'f', args: [JSON.parse('{"__proto__": 1}')] }), { message: /__proto__/ });
  class Loop { toJSON() { return { again: this }; } }
  assert.throws(() => encodeMessage({ k: 'ok', id: 1, value: { loop: new Loop() } }), { name: 'TypeError', message: /circular.*toJSON.* at \.loop\.again/ });
  assert.throws(() => encodeMessage({ k: 'call', id: 1, name: 'f', args: [{ f() {}, inner: JSON.parse('{"__proto__": 1}') }] }), { message: /__proto__ keys at \[0\]\.inner\.__proto__/ });
});

test('plain messages stay on the JSON path: as fast as before', () => {
  const message = { k: 'call', id: 1, name: 'echo', args: [{ list: Array.from({ length: 20 }, (_, i) => ({ i, s: 'text' })) }] };
  assert.match(encodeMessage(message), /^\{"m":/);
});

test('a JSON item with a __proto__ key anywhere, spelled plainly or escaped, is unreadable; its call can still be answered', () => {
  const next = random(7);
  let refused = 0;
  let read = 0;
  for (let i = 0; i < 5000; i++) {
    const message = { k: 'call', id: i + 1, name: 'f', args: [plainValue(next, 0)] };
    let text = encodeMessage(message);
    const spelling = ['"__proto__"', '"\\u005f_proto__"', '"__prot\\u006f__"', '"__proto__ "'][i % 4];
    const poisoned = next() < 0.5 && text.includes('{"', 6);
    if (poisoned) {
      // Put a key of that spelling into one of the message's objects.
      const at = text.indexOf('{"', 6 + Math.floor(next() * (text.length - 6)));
      const where = at === -1 ? text.indexOf('{"', 6) : at;
      text = `${text.slice(0, where + 1)}${spelling}:{"x":1},${text.slice(where + 1)}`;
    }
    const [got] = decodeFrame(`[${text}]`);
    if (poisoned && spelling !== '"__proto__ "') {
      if (!(got instanceof MalformedMessage)) assert.fail(`case ${i}: a __proto__ key was read: ${text.slice(0, 300)}`);
      assert.equal(got.kind, 'call');
      assert.equal(got.id, i + 1);
      refused++;
    } else {
      assert.ok(!(got instanceof MalformedMessage), `case ${i}: ${text.slice(0, 300)}`);
      if (!poisoned) assert.deepStrictEqual(got, message);
      read++;
    }
  }
  assert.ok(refused > 500 && read > 500, `both outcomes were tried (${read} read, ${refused} refused)`);
  for (const bad of ['{"m":1}', '{"m":null}', '{"m":[1]}', '{"m":"x"}']) {
    assert.ok(decodeFrame(`[${bad}]`)[0] instanceof MalformedMessage, bad);
  }
});
