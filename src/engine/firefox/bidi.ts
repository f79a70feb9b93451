// A WebDriver BiDi connection on the remote agent's loopback WebSocket: the shared part
// (numbered commands and their replies, event handlers, closing) is engine/connection.ts's;
// this file says how BiDi's messages look. Types come from the protocol's published package.
// The transport is engine/transport.ts's WebSocketTransport, which answers every message with
// an unsolicited pong: Firefox's socket has no TCP_NODELAY, and without it a reply sent right
// after another waits ~40 ms for our delayed ACK (see the note there).
import type * as Bidi from 'webdriver-bidi-protocol';
import { logger } from '../../log.js';
import { ProtocolConnection, ProtocolError } from '../connection.js';
import { WebSocketTransport } from '../transport.js';

type Commands = Bidi.Commands;
export type BidiEvents = { [E in Bidi.Event as E['method']]: E['params'] };
export type BidiResult<M extends keyof Commands> = Commands[M]['returnType'];

export class BidiError extends ProtocolError {
  override name = 'BidiError';
  constructor(method: string, code: string, message: string) {
    super(method, code, `${method}: ${code}${message ? `: ${message}` : ''}`);
  }
}

export class BidiConnection extends ProtocolConnection {
  private constructor(transport: WebSocketTransport) {
    super(transport, logger('bidi'));
  }

  static async connect(url: string): Promise<BidiConnection> {
    return new BidiConnection(await WebSocketTransport.connect(url));
  }

  send<M extends keyof Commands>(method: M, params: Commands[M]['params']): Promise<BidiResult<M>>;
  send(method: string, params?: object): Promise<unknown>;
  send(method: string, params: object = {}): Promise<unknown> {
    return this.command(method, (id) => ({ id, method, params }));
  }

  on<E extends keyof BidiEvents>(event: E, handler: (params: BidiEvents[E]) => void): () => void;
  /** Any event by name, untyped (Window.bidi.on, Window.cdp.on). */
  on(event: string, handler: (params: any) => void): () => void;
  on(event: string, handler: (params: any) => void): () => void {
    return this.addHandler(event, handler);
  }

  protected error(method: string, code: number | string, message: string): BidiError {
    return new BidiError(method, String(code), message);
  }

  protected dispatch(message: any): void {
    if (message.type === 'success' || message.type === 'error') {
      const failure = message.type === 'error' ? { code: String(message.error), message: message.message ?? '' } : undefined;
      if (!this.settle(message.id, failure, message.result) && failure) this.log('error with no command:', message.error, message.message);
      return;
    }
    if (message.type === 'event' && typeof message.method === 'string') this.emit(message.method, message.params);
  }
}
