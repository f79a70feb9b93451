// A WebDriver BiDi connection over the remote agent's loopback WebSocket: numbered commands
// with replies, and events. Types come from the protocol's published package.
//
// Latency: Firefox's server socket does not set TCP_NODELAY, so a message it sends right
// after another waits ~40 ms for our delayed ACK. An unsolicited pong frame after every
// message received makes the ACK leave at once (median round trip ~0.7 ms, no 40 ms tail).
import WebSocket from 'ws';
import type * as Bidi from 'webdriver-bidi-protocol';
import { logger } from '../../log.js';

const log = logger('bidi');

type Commands = Bidi.Commands;
export type BidiEvents = { [E in Bidi.Event as E['method']]: E['params'] };
export type BidiResult<M extends keyof Commands> = Commands[M]['returnType'];

export class BidiError extends Error {
  override name = 'BidiError';
  constructor(readonly method: string, readonly code: string, message: string) {
    super(`${method}: ${code}${message ? `: ${message}` : ''}`);
  }
}

interface Pending {
  resolve: (value: any) => void;
  reject: (error: Error) => void;
  method: string;
}

type EventHandler = (params: any) => void;

export class BidiConnection {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly handlers = new Map<string, Set<EventHandler>>();
  private closeReason: string | undefined;
  private readonly closeHandlers = new Set<(reason: string) => void>();

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      // See the note at the top: let our ACK go now.
      try {
        socket.pong();
      } catch {
        // closing
      }
      this.onMessage(String(data));
    });
    socket.on('close', () => this.markClosed('the browser closed its protocol connection'));
    socket.on('error', (error) => log('socket error:', String(error)));
  }

  static connect(url: string): Promise<BidiConnection> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { perMessageDeflate: false, maxPayload: 1024 * 1024 * 1024 });
      socket.once('open', () => {
        socket.removeListener('error', reject);
        resolve(new BidiConnection(socket));
      });
      socket.once('error', reject);
    });
  }

  get closed(): boolean {
    return this.closeReason !== undefined;
  }

  send<M extends keyof Commands>(method: M, params: Commands[M]['params']): Promise<BidiResult<M>>;
  send(method: string, params?: object): Promise<unknown>;
  send(method: string, params: object = {}): Promise<unknown> {
    if (this.closeReason) return Promise.reject(new BidiError(method, 'closed', this.closeReason));
    const id = this.nextId++;
    const text = JSON.stringify({ id, method, params });
    if (log.enabled) log('->', text.length > 300 ? `${text.slice(0, 300)}... (${text.length} chars)` : text);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, method });
      this.socket.send(text, (error) => {
        if (!error || !this.pending.has(id)) return;
        this.pending.delete(id);
        reject(new BidiError(method, 'closed', error.message));
      });
    });
  }

  on<E extends keyof BidiEvents>(event: E, handler: (params: BidiEvents[E]) => void): () => void;
  /** Any event by name, untyped (Window.cdp.on). */
  on(event: string, handler: EventHandler): () => void;
  on(event: string, handler: EventHandler): () => void {
    let set = this.handlers.get(event);
    if (!set) this.handlers.set(event, (set = new Set()));
    set.add(handler);
    return () => set!.delete(handler);
  }

  onClose(handler: (reason: string) => void): () => void {
    if (this.closeReason) queueMicrotask(() => handler(this.closeReason!));
    else this.closeHandlers.add(handler);
    return () => this.closeHandlers.delete(handler);
  }

  /** Closes the connection; commands still waiting reject with `reason` (why the backend let go). */
  close(reason = 'the connection was closed by the backend'): void {
    this.markClosed(reason);
    this.socket.terminate();
  }

  private onMessage(text: string): void {
    let message: any;
    try {
      message = JSON.parse(text);
    } catch {
      return log('dropped a non-JSON message from the browser');
    }
    if (log.enabled) log('<-', text.length > 300 ? `${text.slice(0, 300)}... (${text.length} chars)` : text);
    if (message.type === 'success' || message.type === 'error') {
      const pending = typeof message.id === 'number' ? this.pending.get(message.id) : undefined;
      if (!pending) {
        if (message.type === 'error') log('error with no command:', message.error, message.message);
        return;
      }
      this.pending.delete(message.id);
      if (message.type === 'error') pending.reject(new BidiError(pending.method, message.error, message.message ?? ''));
      else pending.resolve(message.result);
      return;
    }
    if (message.type !== 'event' || typeof message.method !== 'string') return;
    for (const handler of this.handlers.get(message.method) ?? []) {
      try {
        handler(message.params);
      } catch (error) {
        log('an event handler threw:', String((error as Error)?.stack ?? error));
      }
    }
  }

  private markClosed(reason: string): void {
    if (this.closeReason) return;
    this.closeReason = reason;
    for (const [id, pending] of this.pending) {
      this.pending.delete(id);
      pending.reject(new BidiError(pending.method, 'closed', reason));
    }
    for (const handler of this.closeHandlers) handler(reason);
    this.closeHandlers.clear();
  }
}
