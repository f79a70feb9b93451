// The value codec: turns IPC messages into text and back, the same on both sides.
// Built on devalue (undefined, NaN, ±Infinity, -0, BigInt, Date, RegExp, Map, Set,
// typed arrays, shared and cyclic references) plus a reducer for Error objects.
//
// A frame is a JSON array with one item per message. A message made only of plain data
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

/** Encodes one message; throws an Error naming the path of a value that cannot cross. */
export function encodeMessage(message: unknown): string {
  try {
    return encodePlain(message) ?? stringify(message, errorReducers);
  } catch (error) {
    // devalue names the offending value's path (relative to the message): report it relative to the payload.
    const path = String((error as { path?: string })?.path ?? '').replace(/^\.(args|data|value|error)/, '');
    throw new TypeError(`${(error as Error)?.message ?? error}${path ? ` at ${path}` : ''}`);
  }
}

/** Joins encoded messages into one frame (no payload is encoded again). */
export function joinFrame(encoded: string[]): string {
  return `[${encoded.join(',')}]`;
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
