// The wire protocol between a window's backend and its page, in one place: every text the
// two sides exchange, on the browser protocol's channel (the control channel) and on the
// data channel (the WebSocket on 127.0.0.1 local apps use once the page has opened it).
// The same code runs in Node and in the page (bundled into the bootstrap), so both ends
// read and write exactly these shapes. Nothing here sends or receives: endpoint.ts writes
// and reads messages, link.ts moves texts, codec.ts encodes the values inside messages.
//
// A text on either channel is one of:
//   - a whole frame: a JSON array with one item per endpoint message (see `joinFrame`;
//     codec.ts writes and reads the items). It always starts with '['.
//   - a piece of a long frame: PIECE_MARK, a header `seq:index:count:`, then a slice of the
//     frame. The pieces of one frame go back to back on one channel.
//   - a link message (control channel only): LINK_MARK and a JSON object `{ t: ... }`.

// ------------------------------------------------------------------ endpoint messages

/** Every message two endpoints exchange, inside frames; `k` says which kind it is. */
export type Message =
  /** Page -> backend, on every (re)load: a new document listens; the backend forgets the old one. */
  | { k: 'hello' }
  /** A call of a function the other side exposed. `id` is the caller's, unique while it waits. */
  | { k: 'call'; id: number; name: string; args: unknown[] }
  /** An event for the other side's listeners; answered like a call (the first reply, or null). */
  | { k: 'event'; id: number; type: string; data: unknown }
  /** The result of call or event `id`. */
  | { k: 'ok'; id: number; value: unknown }
  /** Call or event `id` failed with `error` (an Error is carried with its class, message and stack). */
  | { k: 'err'; id: number; error: unknown }
  /** One write to the shared store: `value` for `key`, or `del: 1` to delete it. */
  | { k: 'store'; key: string; value?: unknown; del?: 1 }
  /** The whole store, from its owner (the backend): on every hello, and in the store snapshot script. */
  | { k: 'store-all'; entries: [string, unknown][] }
  /** The caller gave up (abort, timeout): the callee's signal fires, its stream stops. */
  | { k: 'cancel'; id: number }
  /** The result of call `id` is a stream: items follow as the caller grants credits with `pull`. */
  | { k: 'stream'; id: number }
  /** The caller of stream `id` takes `n` more items. */
  | { k: 'pull'; id: number; n: number }
  /** One item of stream `id`. */
  | { k: 'item'; id: number; value: unknown }
  /** Stream `id` is over (a failed stream ends with `err` instead). */
  | { k: 'end'; id: number };

/** The kinds of message, as `k` spells them. */
export type MessageKind = Message['k'];

/** A request: what the receiving side runs a handler for, and answers with `ok` or `err`. */
export type Request = Extract<Message, { k: 'call' | 'event' }>;

/** What a stream's producer sends, before the id of the call it answers is added. */
export type StreamPart = { k: 'item'; value: unknown } | { k: 'end' } | { k: 'err'; error: unknown };

/** Joins encoded messages (codec.ts's `encodeMessage`) into one frame; no payload is encoded again. */
export function joinFrame(encoded: string[]): string {
  return `[${encoded.join(',')}]`;
}

// ------------------------------------------------------------------ pieces of long frames

/** A piece of a long frame starts with this character (a whole frame always starts with '['). */
export const PIECE_MARK = '\u0001';

/** The text of piece `index` (of `count`) of the frame numbered `seq` by its sender. */
export function pieceText(seq: number, index: number, count: number, slice: string): string {
  return `${PIECE_MARK}${seq}:${index}:${count}:${slice}`;
}

/** A piece's header, read from its text; `slice` is the part of the frame it carries. */
export interface PieceHeader {
  seq: string;
  index: number;
  count: number;
  slice: string;
}

const PIECE_HEADER = /^\u0001(\d{1,12}):(\d{1,6}):(\d{1,6}):/;

/** Reads a piece written by `pieceText`; undefined if its header is malformed (the bounds are the reader's to check). */
export function readPiece(text: string): PieceHeader | undefined {
  const header = PIECE_HEADER.exec(text.slice(0, 40));
  if (!header) return undefined;
  return { seq: header[1], index: Number(header[2]), count: Number(header[3]), slice: text.slice(header[0].length) };
}

// ------------------------------------------------------------------ link messages

/** A message of the link itself (on the control channel only) starts with this character. */
export const LINK_MARK = '\u0002';

/** The messages of the links themselves, on the control channel; `t` says which kind it is. */
export type LinkMessage =
  /** Either way: every later text of the sender comes on the data channel (hold those that overtake this). */
  | { t: 'switch' }
  /** Page -> backend: the page can open a data channel; please offer one. */
  | { t: 'data-channel?' }
  /** Backend -> page: connect to `url` offering the subprotocol `protocol` (a one-use ticket for this document). */
  | { t: 'data-channel'; url: string; protocol: string };

/** The text of a link message. */
export function linkText(message: LinkMessage): string {
  return LINK_MARK + JSON.stringify(message);
}

/** Reads the text of a link message (it starts with LINK_MARK); undefined if it is malformed or of an unknown kind. */
export function readLinkMessage(text: string): LinkMessage | undefined {
  let message: { t?: unknown; url?: unknown; protocol?: unknown };
  try {
    message = JSON.parse(text.slice(LINK_MARK.length));
  } catch {
    return undefined;
  }
  if (!message || typeof message !== 'object') return undefined;
  switch (message.t) {
    case 'switch':
    case 'data-channel?':
      return { t: message.t };
    case 'data-channel':
      if (typeof message.url !== 'string' || typeof message.protocol !== 'string') return undefined;
      return { t: message.t, url: message.url, protocol: message.protocol };
    default:
      return undefined;
  }
}

// ------------------------------------------------------------------ the data channel's handshake

/** Every data channel URL starts so (the backend's server listens on 127.0.0.1): the page connects nowhere else. */
export const DATA_CHANNEL_URL_PREFIX = 'ws://127.0.0.1:';
/** The path a page connects to. */
export const DATA_CHANNEL_PATH = '/gluon';
/** The subprotocol a page offers is this prefix and the ticket's token. */
export const DATA_CHANNEL_PROTOCOL_PREFIX = 'gluon.';
