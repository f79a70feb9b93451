// How protocol messages travel between the backend and a browser, whatever the protocol: one
// text in, one text out. Two carriers: the pipe Chromium opens on fds 3/4 with
// --remote-debugging-pipe (no TCP port), and the loopback WebSocket of Firefox's remote agent.
// The connections above (engine/connection.ts) see only the Transport interface.
import type { Readable, Writable } from 'node:stream';
import WebSocket from 'ws';
import { logger } from '../log.js';

const log = logger('transport');

export interface Transport {
  /** Sends one message; throws if the transport is closed. */
  send(text: string): void;
  /** Closes the transport; onclose follows (once). */
  close(): void;
  onmessage: (text: string) => void;
  onclose: () => void;
}

/** The backend writes to the browser's fd 3 and reads its fd 4. Each message is one JSON text followed by a NUL byte. */
export class PipeTransport implements Transport {
  private pending: Buffer[] = [];
  private closed = false;
  onmessage: (text: string) => void = () => {};
  onclose: () => void = () => {};

  constructor(private readonly writable: Writable, readable: Readable) {
    readable.on('data', (chunk: Buffer) => this.onData(chunk));
    readable.on('close', () => this.markClosed());
    readable.on('error', () => this.markClosed());
    writable.on('error', () => this.markClosed());
  }

  send(text: string): void {
    if (this.closed) throw new Error('the browser connection is closed');
    this.writable.write(text);
    this.writable.write('\0');
  }

  close(): void {
    if (this.closed) return;
    this.writable.end();
    this.markClosed();
  }

  private onData(chunk: Buffer): void {
    let start = 0;
    let end = chunk.indexOf(0);
    while (end !== -1) {
      this.pending.push(chunk.subarray(start, end));
      const text = Buffer.concat(this.pending).toString('utf8');
      this.pending = [];
      this.onmessage(text);
      start = end + 1;
      end = chunk.indexOf(0, start);
    }
    if (start < chunk.length) this.pending.push(chunk.subarray(start));
  }

  private markClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.onclose();
  }
}

/**
 * A WebSocket to a browser's loopback agent (Firefox's WebDriver BiDi).
 *
 * Latency: Firefox's server socket does not set TCP_NODELAY, so a message it sends right after
 * another waits ~40 ms for our delayed ACK. An unsolicited pong frame after every message
 * received makes the ACK leave at once (median round trip ~0.7 ms, no 40 ms tail).
 */
export class WebSocketTransport implements Transport {
  private closed = false;
  onmessage: (text: string) => void = () => {};
  onclose: () => void = () => {};

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      // See the note above: let our ACK go now.
      try {
        socket.pong();
      } catch {
        // closing
      }
      this.onmessage(String(data));
    });
    socket.on('close', () => this.markClosed());
    socket.on('error', (error) => log('socket error:', String(error)));
  }

  /** Opens the socket; rejects with the socket's error if it cannot. Messages up to 1 GiB, uncompressed. */
  static connect(url: string): Promise<WebSocketTransport> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { perMessageDeflate: false, maxPayload: 1024 * 1024 * 1024 });
      socket.once('open', () => {
        socket.removeListener('error', reject);
        resolve(new WebSocketTransport(socket));
      });
      socket.once('error', reject);
    });
  }

  send(text: string): void {
    if (this.closed) throw new Error('the browser connection is closed');
    this.socket.send(text, (error) => {
      // A write that fails means the socket is going: the connection's commands reject on close.
      if (error) {
        log('could not send:', String(error));
        this.close();
      }
    });
  }

  close(): void {
    if (this.closed) return;
    this.socket.terminate();
    this.markClosed();
  }

  private markClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.onclose();
  }
}
