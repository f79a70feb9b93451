// The link under one IPC endpoint: how its frames reach the other side. The same code runs
// in Node and in the page.
//
// Two channels can carry frames:
//   - the control channel, the browser protocol's own (always there, used first);
//   - the data channel (a WebSocket on 127.0.0.1), when both sides manage to open one.
// Each side switches its *sending* on its own: it posts a `switch` link message on the
// control channel, then sends every later frame on the data channel. The receiver holds
// frames that come on the data channel until it has read that `switch` on the control
// channel, so no frame ever overtakes an earlier one across the switch.
//
// What a text on either channel can be (a whole frame, a piece of a long one, a link
// message) is written down in wire.ts; long frames go as pieces because browser protocols
// move many medium messages faster than one huge one, and both ends keep their buffers small.

import { MAX_FRAME_CHARS } from './codec.js';
import { LINK_MARK, linkText, PIECE_MARK, pieceText, readLinkMessage, readPiece, type LinkMessage } from './wire.js';

/**
 * Frames longer than this travel as pieces sent back to back on the control channel
 * (10 MB over CDP: about twice as fast as one message).
 */
export const PIECE_CHARS = 256 * 1024;
/**
 * The same on the data channel, in smaller pieces: Firefox receives a WebSocket message of more
 * than 64 KB several times slower per byte (a 10 MB echo: ~1 s in one message, ~0.26 s in 64 KB
 * pieces); Chromium is as fast or faster with them too. 32 Ki characters stay under 64 KB
 * for ASCII and near it otherwise.
 */
export const DATA_CHANNEL_PIECE_CHARS = 32 * 1024;
/** Limits on reassembly, so a peer cannot make this side hold unbounded partial frames. */
const MAX_PIECES = 8192; // 256 MiB in the smaller pieces; MAX_FRAME_CHARS comes first
const MAX_PARTIAL_FRAMES = 16;
/** Data-channel texts (frames or pieces) held while the peer's `switch` is still on its way. */
const MAX_EARLY_TEXTS = 4096;
/** Characters held in partial frames at once, all frames together. */
const MAX_PARTIAL_CHARS = 2 * MAX_FRAME_CHARS;

/** The sending end of an open data channel, as the link uses it. */
export interface DataChannel {
  /** Sends one text; returns false if the channel can no longer send (nothing was sent). */
  send(text: string): boolean;
  close(): void;
}

export interface LinkOptions {
  /** Sends one text on the control channel. May throw or return a rejected promise: both are caught. */
  control: (text: string) => unknown;
  /** Hands one whole frame to the endpoint. */
  deliver: (frame: string) => void;
  /** Link messages the link does not handle itself (the data channel's request and offer). */
  onMessage?: (message: Exclude<LinkMessage, { t: 'switch' }>) => void;
  log?: (line: string) => void;
}

export class Link {
  private dataChannel: DataChannel | undefined;
  /** True once the peer's `switch` arrived: its data-channel frames are delivered as they come. */
  private dataChannelIn = false;
  private early: string[] = [];
  private nextSeq = 1;
  private partialChars = 0;
  private readonly partial = new Map<string, { pieces: string[]; received: number; chars: number }>();
  /** Texts (frames or pieces) sent and received on each channel, for diagnostics and tests. */
  readonly counts = { sentControl: 0, sentDataChannel: 0, receivedControl: 0, receivedDataChannel: 0 };

  constructor(private readonly options: LinkOptions) {}

  /** True while frames leave on the data channel. */
  get usingDataChannel(): boolean {
    return this.dataChannel !== undefined;
  }

  /** Sends one frame of the endpoint (a long one as pieces sent back to back, on either channel). */
  post(frame: string): void {
    const size = this.dataChannel ? DATA_CHANNEL_PIECE_CHARS : PIECE_CHARS;
    if (frame.length <= size) return this.send(frame);
    const seq = this.nextSeq++;
    const count = Math.ceil(frame.length / size);
    for (let index = 0; index < count; index++) {
      this.send(pieceText(seq, index, count, frame.slice(index * size, (index + 1) * size)));
    }
  }

  private send(text: string): void {
    if (this.dataChannel) {
      if (this.dataChannel.send(text)) return void this.counts.sentDataChannel++;
      this.dataChannelClosed('it stopped accepting frames');
    }
    this.sendControl(text);
  }

  /** Sends a link message on the control channel. */
  message(message: LinkMessage): void {
    this.sendControl(linkText(message));
  }

  /** The data channel is open: later frames leave on it, after the `switch`. */
  attachDataChannel(channel: DataChannel): void {
    this.message({ t: 'switch' });
    this.dataChannel = channel;
    this.log('frames now leave on the data channel');
  }

  /** The data channel closed: later frames leave on the control channel again. */
  dataChannelClosed(why: string): void {
    if (!this.dataChannel) return;
    this.dataChannel = undefined;
    this.log(`the data channel closed (${why}); frames leave on the browser protocol again`);
  }

  /** A new peer (document): forget everything about the old one and close its data channel. */
  reset(): void {
    const dataChannel = this.dataChannel;
    this.dataChannel = undefined;
    this.dataChannelIn = false;
    this.early = [];
    this.partial.clear();
    this.partialChars = 0;
    try {
      dataChannel?.close();
    } catch {
      // already closed
    }
  }

  /** One text from the control channel. Never throws. */
  receiveControl(text: unknown): void {
    if (typeof text !== 'string') return this.log(`dropped a ${typeof text} from the control channel`);
    if (!text.startsWith(LINK_MARK)) {
      this.counts.receivedControl++;
      return this.accept(text);
    }
    const message = readLinkMessage(text);
    if (!message) return this.log('dropped a malformed link message');
    if (message.t !== 'switch') return this.options.onMessage?.(message);
    this.dataChannelIn = true;
    const early = this.early;
    this.early = [];
    for (const text of early) this.accept(text);
  }

  /** One text from the data channel. Never throws. */
  receiveDataChannel(text: unknown): void {
    if (typeof text !== 'string') return this.log(`dropped a ${typeof text} from the data channel`);
    this.counts.receivedDataChannel++;
    if (this.dataChannelIn) return this.accept(text);
    if (this.early.length >= MAX_EARLY_TEXTS) return this.log('dropped a data-channel frame: too many arrived before the switch');
    this.early.push(text);
  }

  /** A whole frame or a piece of one, from either channel. */
  private accept(text: string): void {
    if (!text.startsWith(PIECE_MARK)) {
      if (text.length > MAX_FRAME_CHARS) return this.log(`dropped a frame of ${text.length} characters, over the limit`);
      return this.options.deliver(text);
    }
    const whole = this.reassemble(text);
    if (whole !== undefined) this.options.deliver(whole);
  }

  private sendControl(text: string): void {
    this.counts.sentControl++;
    try {
      const result = this.options.control(text) as Promise<unknown> | undefined;
      if (result && typeof result.then === 'function') result.then(undefined, (error) => this.controlFailed(error));
    } catch (error) {
      this.controlFailed(error);
    }
  }

  private controlFailed(error: unknown): void {
    this.log(`could not send on the control channel: ${(error as Error)?.message ?? error}`);
  }

  /** Collects one piece; returns the whole frame once its last piece is in. */
  private reassemble(piece: string): string | undefined {
    const header = readPiece(piece);
    if (!header || header.count < 2 || header.count > MAX_PIECES || header.index >= header.count) {
      this.log('dropped a malformed frame piece');
      return undefined;
    }
    const { seq, index, count } = header;
    let frame = this.partial.get(seq);
    if (!frame) {
      if (this.partial.size >= MAX_PARTIAL_FRAMES) {
        this.log(`dropped a frame piece: ${MAX_PARTIAL_FRAMES} frames are already arriving in pieces`);
        return undefined;
      }
      frame = { pieces: new Array<string>(count), received: 0, chars: 0 };
      this.partial.set(seq, frame);
    }
    if (frame.pieces.length !== count || frame.pieces[index] !== undefined) {
      this.forget(seq);
      this.log('dropped a frame whose pieces do not agree');
      return undefined;
    }
    frame.pieces[index] = header.slice;
    frame.chars += frame.pieces[index].length;
    this.partialChars += frame.pieces[index].length;
    if (frame.chars > MAX_FRAME_CHARS || this.partialChars > MAX_PARTIAL_CHARS) {
      this.forget(seq);
      this.log(`dropped a frame arriving in pieces: over the limit of ${MAX_FRAME_CHARS} characters a frame, ${MAX_PARTIAL_CHARS} in all`);
      return undefined;
    }
    if (++frame.received < count) return undefined;
    this.forget(seq);
    // Concatenated, not joined: Firefox's Array.prototype.join copies a 1 MB frame of 32 pieces
    // in ~15 ms, where `+=` builds a rope that the JSON parse flattens once (a 1 MB echo on
    // Firefox: ~70 -> ~60 ms; Chromium unchanged).
    let whole = '';
    for (const piece of frame.pieces) whole += piece;
    return whole;
  }

  private forget(seq: string): void {
    const frame = this.partial.get(seq);
    if (!frame) return;
    this.partial.delete(seq);
    this.partialChars -= frame.chars;
  }

  private log(line: string): void {
    this.options.log?.(line);
  }
}
