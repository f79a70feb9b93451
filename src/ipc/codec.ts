// The value codec: turns IPC messages into text and back, the same on both sides.
// Built on devalue (undefined, NaN, ±Infinity, -0, BigInt, Date, RegExp, Map, Set,
// typed arrays, shared and cyclic references) plus a reducer for Error objects.
//
// A frame is a JSON array whose items are devalue's flattened form of one message
// each. Messages are encoded one by one, so a value that cannot cross fails only its
// own message, and a batch of messages is joined without re-encoding any payload.
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
    return stringify(message, errorReducers);
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
  return items.map((item) => {
    try {
      return unflatten(item as any, errorRevivers);
    } catch (error) {
      const why = `malformed IPC message: ${String((error as Error)?.message ?? error).slice(0, 200)}`;
      return new MalformedMessage(why, ...envelopeOf(item));
    }
  });
}

/** The kind and id of a flattened message, if it has them (devalue: item[0] maps keys to indices). */
function envelopeOf(item: unknown): [string?, number?] {
  if (!Array.isArray(item)) return [];
  const root = item[0];
  if (!root || typeof root !== 'object' || Array.isArray(root)) return [];
  const at = (key: string) => (Object.hasOwn(root, key) && Number.isInteger(root[key]) ? item[root[key]] : undefined);
  const kind = at('k');
  const id = at('id');
  return [typeof kind === 'string' ? kind : undefined, Number.isSafeInteger(id) && id > 0 ? id : undefined];
}
