// What every protocol connection does, whatever the protocol (CDP, WebDriver BiDi): numbered
// commands waiting for their replies, event handlers by name, closing once with a reason, and
// log lines. A protocol's connection (chromium/cdp.ts, firefox/bidi.ts) only says how its
// messages look: how a command is written, and whether a message is a reply or an event.
import type { Logger } from '../log.js';
import type { Transport } from './transport.js';

/** A command the browser refused or could not answer; `code` is the protocol's ('closed' or -1 when the connection went). */
export class ProtocolError extends Error {
  override name = 'ProtocolError';
  constructor(readonly method: string, readonly code: number | string, message: string) {
    super(message);
  }
}

// The handlers' argument lists differ per protocol (CDP adds the session id).
type EventHandler = (...args: any[]) => void;

interface PendingCommand {
  resolve: (value: any) => void;
  reject: (error: Error) => void;
  method: string;
}

/** A set of handlers removed together (a window's, when it closes). */
export class HandlerGroup {
  private readonly offs = new Set<() => void>();
  private disposed = false;

  /** Keeps `off` for dispose(); returns a function removing the handler now (and from the group). */
  add(off: () => void): () => void {
    if (this.disposed) {
      off();
      return () => {};
    }
    this.offs.add(off);
    return () => {
      this.offs.delete(off);
      off();
    };
  }

  dispose(): void {
    this.disposed = true;
    for (const off of this.offs) off();
    this.offs.clear();
  }
}

export abstract class ProtocolConnection {
  private nextId = 1;
  private readonly pending = new Map<number, PendingCommand>();
  private readonly handlers = new Map<string, Set<EventHandler>>();
  private closeReason: string | undefined;
  private readonly closeHandlers = new Set<(reason: string) => void>();

  constructor(protected readonly transport: Transport, protected readonly log: Logger) {
    transport.onmessage = (text) => this.onText(text);
    transport.onclose = () => this.markClosed('the browser closed its protocol connection');
  }

  /** The protocol's error for `method` (code as the protocol gives it). */
  protected abstract error(method: string, code: number | string, message: string): ProtocolError;
  /** Handles one parsed message: calls settle() for a reply, emit() for an event. */
  protected abstract dispatch(message: any): void;

  get closed(): boolean {
    return this.closeReason !== undefined;
  }

  /** How many event handlers are on this connection (tests check that closed windows leave none). */
  get handlerCount(): number {
    let count = 0;
    for (const set of this.handlers.values()) count += set.size;
    return count;
  }

  /** Sends the command `write(id)` gives and resolves with its reply's result. */
  protected command(method: string, write: (id: number) => object): Promise<unknown> {
    if (this.closeReason) return Promise.reject(this.error(method, 'closed', this.closeReason));
    const id = this.nextId++;
    const text = JSON.stringify(write(id));
    if (this.log.enabled) this.log('->', text.length > 300 ? `${text.slice(0, 300)}... (${text.length} chars)` : text);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, method });
      try {
        this.transport.send(text);
      } catch (error) {
        this.pending.delete(id);
        reject(this.error(method, 'closed', (error as Error).message));
      }
    });
  }

  /** Settles command `id` with its result, or with the error the browser gave; false if no command waits for `id`. */
  protected settle(id: unknown, failure: { code: number | string; message: string } | undefined, result?: unknown): boolean {
    const pending = typeof id === 'number' ? this.pending.get(id) : undefined;
    if (!pending) return false;
    this.pending.delete(id as number);
    if (failure) pending.reject(this.error(pending.method, failure.code, failure.message));
    else pending.resolve(result);
    return true;
  }

  /** Calls every handler of event `method` with `args`; one that throws is logged and the others still run. */
  protected emit(method: string, ...args: unknown[]): void {
    for (const handler of this.handlers.get(method) ?? []) {
      try {
        handler(...args);
      } catch (error) {
        this.log('an event handler threw:', String((error as Error)?.stack ?? error));
      }
    }
  }

  /** Any event by name, untyped; returns the function removing the handler. */
  protected addHandler(event: string, handler: EventHandler): () => void {
    let set = this.handlers.get(event);
    if (!set) this.handlers.set(event, (set = new Set()));
    set.add(handler);
    return () => {
      set!.delete(handler);
      if (set!.size === 0 && this.handlers.get(event) === set) this.handlers.delete(event);
    };
  }

  onClose(handler: (reason: string) => void): () => void {
    if (this.closeReason) queueMicrotask(() => handler(this.closeReason!));
    else this.closeHandlers.add(handler);
    return () => this.closeHandlers.delete(handler);
  }

  /** Closes the connection; commands still waiting reject with `reason` (why the backend let go). */
  close(reason = 'the connection was closed by the backend'): void {
    this.markClosed(reason);
    this.transport.close();
  }

  private onText(text: string): void {
    let message: any;
    try {
      message = JSON.parse(text);
    } catch {
      this.log('dropped a non-JSON message from the browser');
      return;
    }
    if (this.log.enabled) this.log('<-', text.length > 300 ? `${text.slice(0, 300)}... (${text.length} chars)` : text);
    this.dispatch(message);
  }

  private markClosed(reason: string): void {
    if (this.closeReason) return;
    this.closeReason = reason;
    for (const [id, pending] of this.pending) {
      this.pending.delete(id);
      pending.reject(this.error(pending.method, 'closed', reason));
    }
    for (const handler of this.closeHandlers) handler(reason);
    this.closeHandlers.clear();
  }
}
