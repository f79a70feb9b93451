// A CDP connection: numbered commands with replies, and events, for the browser
// session and for flattened target sessions (`sessionId` at the top level).
import type { ProtocolMapping } from 'devtools-protocol/types/protocol-mapping.js';
import { logger } from '../../log.js';
import type { PipeTransport } from './pipe.js';

const log = logger('cdp');

type Commands = ProtocolMapping.Commands;
type Events = ProtocolMapping.Events;
export type CommandParams<M extends keyof Commands> = Commands[M]['paramsType'][0];
export type CommandResult<M extends keyof Commands> = Commands[M]['returnType'];

export class CdpError extends Error {
  override name = 'CdpError';
  constructor(readonly method: string, readonly code: number, message: string) {
    super(`${method}: ${message}`);
  }
}

interface PendingCommand {
  resolve: (value: any) => void;
  reject: (error: Error) => void;
  method: string;
}

type EventHandler = (params: any, sessionId: string | undefined) => void;

export class CdpConnection {
  private nextId = 1;
  private readonly pending = new Map<number, PendingCommand>();
  private readonly handlers = new Map<string, Set<EventHandler>>();
  private closeReason: string | undefined;
  private readonly closeHandlers = new Set<(reason: string) => void>();

  constructor(private readonly transport: PipeTransport) {
    transport.onmessage = (text) => this.onMessage(text);
    transport.onclose = () => this.markClosed('the browser closed its protocol connection');
  }

  get closed(): boolean {
    return this.closeReason !== undefined;
  }

  send<M extends keyof Commands>(method: M, params?: CommandParams<M>, sessionId?: string): Promise<CommandResult<M>>;
  send(method: string, params?: object, sessionId?: string): Promise<unknown>;
  send(method: string, params: object = {}, sessionId?: string): Promise<unknown> {
    if (this.closeReason) return Promise.reject(new CdpError(method, -1, this.closeReason));
    const id = this.nextId++;
    const message = sessionId ? { id, method, params, sessionId } : { id, method, params };
    const text = JSON.stringify(message);
    if (log.enabled) log('->', text.length > 300 ? `${text.slice(0, 300)}... (${text.length} chars)` : text);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, method });
      try {
        this.transport.send(text);
      } catch (error) {
        this.pending.delete(id);
        reject(new CdpError(method, -1, (error as Error).message));
      }
    });
  }

  on<E extends keyof Events>(event: E, handler: (params: Events[E][0], sessionId: string | undefined) => void): () => void;
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
    this.transport.close();
    this.markClosed(reason);
  }

  private onMessage(text: string): void {
    let message: any;
    try {
      message = JSON.parse(text);
    } catch {
      log('dropped a non-JSON message from the browser');
      return;
    }
    if (log.enabled) log('<-', text.length > 300 ? `${text.slice(0, 300)}... (${text.length} chars)` : text);
    if (typeof message.id === 'number') {
      const pending = this.pending.get(message.id);
      if (!pending) return;
      this.pending.delete(message.id);
      if (message.error) pending.reject(new CdpError(pending.method, message.error.code, message.error.message));
      else pending.resolve(message.result);
      return;
    }
    if (typeof message.method !== 'string') return;
    for (const handler of this.handlers.get(message.method) ?? []) {
      try {
        handler(message.params, message.sessionId);
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
      pending.reject(new CdpError(pending.method, -1, reason));
    }
    for (const handler of this.closeHandlers) handler(reason);
    this.closeHandlers.clear();
  }
}
