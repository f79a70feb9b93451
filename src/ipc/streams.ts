// Streams over the IPC: an exposed function that returns an async iterable (an async
// generator, a ReadableStream, ...) answers with `stream`; the caller receives an async
// iterable that asks for items with credits (`pull`), so the producer never runs more than
// STREAM_WINDOW items ahead. `break`, `return()` or an abort on the caller's side sends
// `cancel`, which calls the producer's `return()` (its `finally` blocks run).

import type { StreamPart } from './wire.js';

/** How many items a producer may send before the consumer asks for more. */
export const STREAM_WINDOW = 16;

/** The producer's iterator, for anything that streams: async iterables and ReadableStreams. */
export function streamIterator(value: unknown): AsyncIterator<unknown> | undefined {
  if (!value || (typeof value !== 'object' && typeof value !== 'function')) return undefined;
  const candidate = value as { [Symbol.asyncIterator]?: () => AsyncIterator<unknown>; getReader?: () => any };
  if (typeof candidate[Symbol.asyncIterator] === 'function') return candidate[Symbol.asyncIterator]!();
  if (typeof candidate.getReader === 'function') {
    const reader = candidate.getReader();
    return {
      next: () => reader.read(),
      return: async () => {
        await reader.cancel();
        return { done: true, value: undefined };
      },
    };
  }
  return undefined;
}

/** The caller's side of one stream. */
export class StreamReceiver implements AsyncIterableIterator<unknown> {
  private readonly items: unknown[] = [];
  private finished = false;
  private failure: { error: unknown } | undefined;
  private waiter: { resolve: (result: IteratorResult<unknown>) => void; reject: (error: unknown) => void } | undefined;
  private taken = 0;

  /**
   * @param pull asks the producer for `n` more items
   * @param cancel tells the producer to stop
   */
  constructor(
    private readonly pull: (n: number) => void,
    private readonly cancel: () => void,
  ) {
    pull(STREAM_WINDOW);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** An item arrived. */
  push(value: unknown): void {
    if (this.finished) return;
    if (this.waiter) {
      const { resolve } = this.waiter;
      this.waiter = undefined;
      this.took();
      resolve({ value, done: false });
    } else {
      this.items.push(value);
    }
  }

  /** The producer is done. */
  end(): void {
    this.finished = true;
    this.wake();
  }

  /** The producer threw, or the stream was aborted. */
  fail(error: unknown): void {
    if (this.failure || (this.finished && this.items.length === 0)) return;
    this.failure = { error };
    this.finished = true;
    this.wake();
  }

  next(): Promise<IteratorResult<unknown>> {
    if (this.items.length) {
      const value = this.items.shift();
      this.took();
      return Promise.resolve({ value, done: false });
    }
    if (this.failure) return Promise.reject(this.failure.error);
    if (this.finished) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  /** `break` in `for await`: stop the producer. */
  return(): Promise<IteratorResult<unknown>> {
    if (!this.finished) {
      this.finished = true;
      this.items.length = 0;
      this.cancel();
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  private took(): void {
    this.taken++;
    if (this.taken >= STREAM_WINDOW / 2 && !this.finished) {
      this.pull(this.taken);
      this.taken = 0;
    }
  }

  private wake(): void {
    if (!this.waiter || this.items.length) return;
    const { resolve, reject } = this.waiter;
    this.waiter = undefined;
    if (this.failure) reject(this.failure.error);
    else resolve({ value: undefined, done: true });
  }
}

/** The callee's side of one stream: runs the iterator as far as the credits allow. */
export class StreamProducer {
  private credits = 0;
  private stopped = false;
  private wakeUp: (() => void) | undefined;

  constructor(
    private readonly iterator: AsyncIterator<unknown>,
    private readonly send: (message: StreamPart) => void,
  ) {}

  grant(n: number): void {
    if (!Number.isSafeInteger(n) || n <= 0) return;
    this.credits = Math.min(this.credits + n, STREAM_WINDOW);
    this.wakeUp?.();
  }

  /** Stops the producer: its iterator's `return()` runs (an async generator's `finally`). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.wakeUp?.();
    void Promise.resolve()
      .then(() => this.iterator.return?.())
      .catch(() => {});
  }

  async run(): Promise<void> {
    try {
      for (;;) {
        while (this.credits === 0 && !this.stopped) await new Promise<void>((resolve) => (this.wakeUp = resolve));
        this.wakeUp = undefined;
        if (this.stopped) return;
        const result = await this.iterator.next();
        if (this.stopped) return;
        if (result.done) {
          this.stopped = true;
          return this.send({ k: 'end' });
        }
        this.credits--;
        this.send({ k: 'item', value: result.value });
      }
    } catch (error) {
      if (!this.stopped) {
        this.stopped = true;
        this.send({ k: 'err', error });
      }
    }
  }
}
