// CDP over --remote-debugging-pipe: the backend writes to the browser's fd 3 and
// reads its fd 4. Each message is one JSON text followed by a NUL byte.
import type { Readable, Writable } from 'node:stream';

export class PipeTransport {
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
