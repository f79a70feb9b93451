// The value codec: turns IPC messages into text and back, the same on both sides.
// Built on devalue (undefined, NaN, ±Infinity, -0, BigInt, Date, RegExp, Map, Set,
// typed arrays, shared and cyclic references) plus a reducer for Error objects.
//
// A frame (wire.ts) is a JSON array with one item per message. A message made only of plain data
// (see encodePlain) is the item `{"m": <the message as JSON>}`; any other message is
// devalue's flattened form (an array). Messages are encoded one by one, so a value that
// cannot cross fails only its own message, and a batch of messages is joined without
// re-encoding any payload.
import { stringify, unflatten } from 'devalue';

/**
 * Largest message, encoded, in characters: one call's arguments, one event's data, one result,
 * one stored value. A 64 MB payload (64,000,000 characters) fits.
 */
export const MAX_MESSAGE_CHARS = 64 * 1024 * 1024;
/** Largest frame: messages are batched into frames no longer than this (one message alone always fits). */
export const MAX_FRAME_CHARS = MAX_MESSAGE_CHARS + 1024;

/** What an Error looks like on the wire. */
export interface WireError {
  name: string;
  message: string;
  stack?: string;
  cause?: unknown;
  /** Own enumerable extras such as `code`. */
  props?: Record<string, unknown>;
  /** AggregateError's errors. */
  errors?: unknown[];
}

const errorReducers = {
  Error: (value: unknown): WireError | undefined => {
    if (value instanceof ReducedError) return value.wire;
    if (!(value instanceof Error)) return undefined;
    const wire: WireError = { name: String(value.name), message: String(value.message) };
    if (typeof value.stack === 'string') wire.stack = value.stack;
    if ('cause' in value) wire.cause = value.cause;
    if (value instanceof AggregateError) wire.errors = [...value.errors];
    const extra = Object.keys(value).filter((key) => key !== 'cause');
    if (extra.length) wire.props = Object.fromEntries(extra.map((key) => [key, (value as any)[key]]));
    return wire;
  },
};

const STANDARD_ERRORS: Record<string, ErrorConstructor> = {
  Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError,
};

/** Rebuilds an Error received from the other side: same standard class, name, message and cause. */
export function reviveError(wire: WireError, localSide?: string): Error {
  const message = String(wire?.message ?? '');
  const error = Array.isArray(wire?.errors)
    ? new AggregateError(wire.errors, message)
    : new (Object.hasOwn(STANDARD_ERRORS, String(wire?.name)) ? STANDARD_ERRORS[wire.name] : Error)(message);
  if (wire && typeof wire.name === 'string' && error.name !== wire.name) {
    Object.defineProperty(error, 'name', { value: wire.name, configurable: true, writable: true });
  }
  if (wire && 'cause' in wire && wire.cause !== undefined) {
    Object.defineProperty(error, 'cause', { value: wire.cause, configurable: true, writable: true });
  }
  if (wire?.props) {
    for (const [key, value] of Object.entries(wire.props)) {
      if (key !== '__proto__' && key !== 'constructor' && !(key in error)) (error as any)[key] = value;
    }
  }
  if (typeof wire?.stack === 'string' && wire.stack) {
    error.stack = `${error.stack ?? ''}\n    --- ${localSide ? `the ${localSide}'s` : 'remote'} stack ---\n${wire.stack}`;
  }
  return error;
}

const errorRevivers = {
  Error: (wire: WireError) => reviveError(wire),
};

/**
 * Encodes one message; throws an Error naming the path of a value that cannot cross.
 *
 * Plain data goes as JSON, and everything devalue carries exactly goes through devalue. A
 * message devalue refuses (a class instance, a function, a promise...) is then carried as
 * JSON would carry it (see `asJsonWould`); only what JSON could not carry either (a getter or
 * a `toJSON` that throws, a value too deep to walk) still throws.
 */
export function encodeMessage(message: unknown): string {
  const plain = encodePlain(message);
  if (plain !== undefined) return plain;
  try {
    return stringify(message, errorReducers);
  } catch {
    // Not carried exactly: carry it as JSON would (below), the rare path.
  }
  const leftOut: string[] = [];
  try {
    const encoded = stringify(asJsonWould(message, leftOut), errorReducers);
    if (leftOut.length && reportLeftOut) reportLeftOut(`${describeMessage(message)}: left out what JSON leaves out: ${leftOut.slice(0, 10).join(', ')}${leftOut.length > 10 ? `, and ${leftOut.length - 10} more` : ''}`);
    return encoded;
  } catch (error) {
    // The path is relative to the message: report it relative to the payload.
    const path = payloadPath(String((error as { path?: string })?.path ?? ''));
    throw new TypeError(`${(error as Error)?.message ?? error}${path ? ` at ${path}` : ''}`);
  }
}

/** Where a GLUON_DEBUG=ipc line goes when a message leaves out functions, symbols or promises. */
let reportLeftOut: ((line: string) => void) | undefined;

/** Sets (or, with undefined, clears) the log of values left out of messages (the backend's `ipc` logger). */
export function setLeftOutLog(log: ((line: string) => void) | undefined): void {
  reportLeftOut = log;
}

function describeMessage(message: unknown): string {
  const { k, id, name, type, key } = message as { k?: unknown; id?: unknown; name?: unknown; type?: unknown; key?: unknown };
  const what = typeof name === 'string' ? ` ${name}` : typeof type === 'string' ? ` '${type}'` : typeof key === 'string' ? ` ${key}` : '';
  return `${String(k)}${what}${typeof id === 'number' ? ` #${id}` : ''}`;
}

const payloadPath = (path: string) => path.replace(/^\.(args|data|value|error)(?=$|[.[])/, '');

// ------------------------------------------------------------------ values JSON carries
//
// What JSON.stringify would make of a value, but keeping every type devalue and the Error
// reducer carry exactly (undefined, BigInt, NaN, Date, Map, Set, RegExp, URL, Error, typed
// arrays, ArrayBuffer, boxed primitives, shared and cyclic references...):
// - a class instance (any object whose prototype is not Object.prototype or null) becomes a
//   plain object of its own enumerable string-keyed data; its `toJSON`, if it has one, is
//   called instead, with the key, as JSON does (on plain objects too);
// - functions, symbols and promises are left out of objects, Maps and Sets, and become null in
//   arrays (a top-level one is left out: undefined); each is named in `leftOut`;
// - symbol keys are left out; an own `__proto__` key is still refused.

/** Tags of the objects devalue carries as themselves (Object.prototype.toString's). */
const EXACT_TAGS = new Set([
  'Number', 'String', 'Boolean', 'BigInt', 'Date', 'URL', 'URLSearchParams', 'RegExp', 'ArrayBuffer', 'DataView',
  'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Float16Array', 'Int32Array',
  'Uint32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array',
]);
const tagOf = (value: object) => Object.prototype.toString.call(value).slice(8, -1);

/** An Error already turned into its wire form, with JSON-safe contents. */
class ReducedError {
  constructor(readonly wire: WireError) {}
}

const LEFT_OUT: unique symbol = Symbol('left out');

function asJsonWould(message: unknown, leftOut: string[]): unknown {
  const copies = new Map<object, unknown>();
  const inToJson = new Set<object>();
  const path: (string | number)[] = [];
  const here = () => path.map((key) => (typeof key === 'number' ? `[${key}]` : /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`)).join('');
  const note = (what: string) => {
    leftOut.push(`${payloadPath(here()) || 'the value'} (${what})`);
    return LEFT_OUT;
  };
  /** Where a getter or a toJSON threw (the innermost path). */
  let failedAt: string | undefined;
  const at = <T>(key: string | number, step: () => T): T => {
    path.push(key);
    try {
      return step();
    } catch (error) {
      failedAt ??= here();
      throw error;
    } finally {
      path.pop();
    }
  };

  /** JSON's value for `value` at `key`; `viaToJson` false for the result of a toJSON (not called again). */
  const walk = (value: unknown, key: string, viaToJson = true): unknown => {
    switch (typeof value) {
      case 'function':
        return note('a function');
      case 'symbol':
        return note('a symbol');
      case 'object':
        break;
      default:
        return value; // undefined, strings, numbers, booleans, BigInt: carried exactly
    }
    if (value === null) return null;
    if (copies.has(value)) return copies.get(value);
    const tag = tagOf(value);
    if (EXACT_TAGS.has(tag) || tag.startsWith('Temporal.')) return value;
    if (value instanceof Promise || tag === 'Promise') return note('a promise');
    if (value instanceof Error) {
      const reduced = new ReducedError({ name: '', message: '' });
      copies.set(value, reduced);
      Object.assign(reduced.wire, walkObject(errorReducers.Error(value)!));
      return reduced;
    }
    if (Array.isArray(value)) {
      const copy: unknown[] = new Array(value.length);
      copies.set(value, copy);
      for (let i = 0; i < value.length; i++) {
        if (!hasOwn(value, i)) continue; // a hole stays a hole
        const item = at(i, () => walk(value[i], String(i)));
        copy[i] = item === LEFT_OUT ? null : item;
      }
      return copy;
    }
    if (tag === 'Map') {
      const copy = new Map();
      copies.set(value, copy);
      for (const [k, v] of value as Map<unknown, unknown>) {
        const name = typeof k === 'string' || typeof k === 'number' ? k : '(a key)';
        const mapKey = at(name, () => walk(k, String(k)));
        const mapValue = at(name, () => walk(v, String(k)));
        if (mapKey !== LEFT_OUT && mapValue !== LEFT_OUT) copy.set(mapKey, mapValue);
      }
      return copy;
    }
    if (tag === 'Set') {
      const copy = new Set();
      copies.set(value, copy);
      let i = 0;
      for (const item of value as Set<unknown>) {
        const member = at(i++, () => walk(item, ''));
        if (member !== LEFT_OUT) copy.add(member);
      }
      return copy;
    }
    const toJSON = viaToJson ? (value as { toJSON?: unknown }).toJSON : undefined;
    if (typeof toJSON !== 'function') return walkObject(value);
    // What toJSON returns is new each time: a result holding the object again would never end.
    if (inToJson.has(value)) throw new TypeError('Converting circular structure: a toJSON() result holds its own object');
    inToJson.add(value);
    try {
      return walk(toJSON.call(value, key), key, false);
    } finally {
      inToJson.delete(value);
    }
  };

  /** The object's own enumerable string-keyed data, walked; null prototypes stay null. */
  const walkObject = (value: object): Record<string, unknown> => {
    const copy: Record<string, unknown> = getPrototypeOf(value) === null ? Object.create(null) : {};
    copies.set(value, copy);
    for (const key of ownKeys(value)) {
      const item = at(key, () => {
        // Refused as devalue refuses it: a receiver that assigned it would change a prototype.
        if (key === '__proto__') throw new TypeError('Cannot stringify objects with __proto__ keys');
        return walk((value as Record<string, unknown>)[key], key);
      });
      if (item !== LEFT_OUT) copy[key] = item;
    }
    return copy;
  };

  try {
    const copy = walk(message, '');
    return copy === LEFT_OUT ? undefined : copy;
  } catch (error) {
    throw Object.assign(new TypeError(String((error as Error)?.message ?? error)), { path: failedAt });
  }
}

/**
 * A message that could not be decoded. Its kind and id are read from the flattened form when
 * they are there, so a request can still be answered (with an error) and a reply can still
 * settle its call: nothing waits forever for a message that arrived unreadable.
 */
export class MalformedMessage extends TypeError {
  constructor(message: string, readonly kind?: string, readonly id?: number) {
    super(message);
  }
}

/** Splits a frame into messages. Malformed frames throw; a malformed item becomes a MalformedMessage. */
export function decodeFrame(frame: string): unknown[] {
  const items: unknown = JSON.parse(frame);
  if (!Array.isArray(items)) throw new TypeError('an IPC frame must be an array');
  // JSON.parse gives a value a `__proto__` key only if the text spells one, maybe with \u escapes.
  const mayHaveProtoKey = frame.includes('__proto__') || frame.includes('\\u');
  return items.map((item) => {
    try {
      if (isPlainItem(item)) return decodePlain(item, mayHaveProtoKey);
      return unflatten(item as any, errorRevivers);
    } catch (error) {
      const why = `malformed IPC message: ${String((error as Error)?.message ?? error).slice(0, 200)}`;
      return new MalformedMessage(why, ...envelopeOf(item));
    }
  });
}

/** The kind and id of a flattened message, if it has them (devalue: item[0] maps keys to indices). */
function envelopeOf(item: unknown): [string?, number?] {
  if (isPlainItem(item)) {
    const { k: kind, id } = (item.m ?? {}) as { k?: unknown; id?: unknown };
    return [typeof kind === 'string' ? kind : undefined, Number.isSafeInteger(id) && (id as number) > 0 ? id as number : undefined];
  }
  if (!Array.isArray(item)) return [];
  const root = item[0];
  if (!root || typeof root !== 'object' || Array.isArray(root)) return [];
  const at = (key: string) => (Object.hasOwn(root, key) && Number.isInteger(root[key]) ? item[root[key]] : undefined);
  const kind = at('k');
  const id = at('id');
  return [typeof kind === 'string' ? kind : undefined, Number.isSafeInteger(id) && id > 0 ? id : undefined];
}


// ------------------------------------------------------------------ plain messages
//
// Most messages hold only plain objects, dense arrays, strings, finite numbers, booleans and
// null. Those go as JSON, written and read by the engine's native JSON: several times
// faster than devalue's walk, in SpiderMonkey most of all (1000 small calls encoded in ~1 ms
// instead of ~3-10 ms in Firefox, ~0.5 ms instead of ~2 ms in Chromium). Anything JSON
// would change or lose (undefined below the message itself, NaN, ±Infinity, -0, a Map, a
// Date, an Error, a class instance, a shared or cyclic reference, a hole, a symbol key,
// a `__proto__` key, a very deep value...) sends the whole message through devalue.
// A getter on a plain object may run twice: once for this check, once to be written.

const { getPrototypeOf, keys: ownKeys, getOwnPropertySymbols, hasOwn } = Object;
const objectPrototype = Object.prototype;
const arrayPrototype = Array.prototype;
const toJson = JSON.stringify;

/** Objects met on the walk in progress (few per message: a list beats a Set). */
let visited: object[] = [];

function isPlain(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return value - value === 0 && (value !== 0 || 1 / value > 0); // finite, not -0
    case 'object': {
      if (value === null) return true;
      if (visited.includes(value)) return false; // shared or cyclic: devalue keeps the references
      visited.push(value);
      const prototype = getPrototypeOf(value);
      if (prototype === arrayPrototype && Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          if (!(i in value) || !isPlain(value[i])) return false;
        }
        return true;
      }
      if (prototype !== objectPrototype || getOwnPropertySymbols(value).length) return false;
      for (const key of ownKeys(value)) {
        if (key === '__proto__' || !isPlain((value as Record<string, unknown>)[key])) return false;
      }
      return true;
    }
    default:
      return false; // undefined, bigint, symbol, function
  }
}

/** A plain message as a frame item, or undefined if JSON would not carry it exactly. */
export function encodePlain(message: unknown): string | undefined {
  if (!message || typeof message !== 'object' || getPrototypeOf(message) !== objectPrototype) return undefined;
  // A toJSON inherited by every object (a page may add one) would change what JSON writes.
  if ('toJSON' in objectPrototype || 'toJSON' in arrayPrototype) return undefined;
  visited = [message];
  try {
    if (getOwnPropertySymbols(message).length) return undefined;
    for (const key of ownKeys(message)) {
      const value = (message as Record<string, unknown>)[key];
      // The message's own fields may be undefined (JSON leaves them out; they read back as undefined).
      if (key === '__proto__' || (value !== undefined && !isPlain(value))) return undefined;
    }
    return `{"m":${toJson(message)}}`;
  } catch {
    return undefined; // too deep for this walk, or a getter threw: devalue decides
  } finally {
    visited = [];
  }
}

/** A frame item written by encodePlain. */
function isPlainItem(item: unknown): item is { m: unknown } {
  return item !== null && typeof item === 'object' && !Array.isArray(item) && hasOwn(item, 'm');
}

/** The message of a plain item; refuses `__proto__` keys as devalue does. */
export function decodePlain(item: { m: unknown }, mayHaveProtoKey = true): unknown {
  const message = item.m;
  if (!message || typeof message !== 'object' || Array.isArray(message)) throw new TypeError('not a message');
  if (mayHaveProtoKey) refuseProtoKeys(message);
  return message;
}

function refuseProtoKeys(value: unknown): void {
  if (!value || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const item of value) refuseProtoKeys(item);
    return;
  }
  if (hasOwn(value, '__proto__')) throw new Error('Cannot parse an object with a `__proto__` property');
  for (const key of ownKeys(value)) refuseProtoKeys((value as Record<string, unknown>)[key]);
}
