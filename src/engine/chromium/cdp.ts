// A CDP connection (engine/connection.ts does the shared part) and its sessions: the browser
// session, and one flattened session per attached target (`sessionId` at the top level of
// each message). Code above this file holds a CdpSession and never passes a session id by hand.
import type { ProtocolMapping } from 'devtools-protocol/types/protocol-mapping.js';
import { logger } from '../../log.js';
import { HandlerGroup, ProtocolConnection, ProtocolError } from '../connection.js';
import type { Transport } from '../transport.js';

type Commands = ProtocolMapping.Commands;
type Events = ProtocolMapping.Events;
export type CommandParams<M extends keyof Commands> = Commands[M]['paramsType'][0];
export type CommandResult<M extends keyof Commands> = Commands[M]['returnType'];

export class CdpError extends ProtocolError {
  override name = 'CdpError';
  constructor(method: string, code: number, message: string) {
    super(method, code, `${method}: ${message}`);
  }
}

type EventHandler = (params: any, sessionId: string | undefined) => void;

export class CdpConnection extends ProtocolConnection {
  constructor(transport: Transport) {
    super(transport, logger('cdp'));
  }

  /** A session object for target session `sessionId`, or for the browser (no id). Each has its own handlers. */
  session(sessionId?: string): CdpSession {
    return new CdpSession(this, sessionId);
  }

  /** @internal For CdpSession. */
  sendTo(sessionId: string | undefined, method: string, params: object): Promise<unknown> {
    return this.command(method, (id) => (sessionId ? { id, method, params, sessionId } : { id, method, params }));
  }

  /** @internal For CdpSession. */
  listen(event: string, handler: EventHandler): () => void {
    return this.addHandler(event, handler);
  }

  protected error(method: string, code: number | string, message: string): CdpError {
    return new CdpError(method, typeof code === 'number' ? code : -1, message);
  }

  protected dispatch(message: any): void {
    if (typeof message.id === 'number') {
      this.settle(message.id, message.error, message.result);
      return;
    }
    if (typeof message.method === 'string') this.emit(message.method, message.params, message.sessionId);
  }
}

/**
 * One CDP session (a target's, or the browser's): its commands, and its events only. Every
 * handler it added goes with dispose(), so a closed window leaves nothing on the connection.
 */
export class CdpSession {
  private readonly group = new HandlerGroup();

  constructor(readonly connection: CdpConnection, readonly id: string | undefined) {}

  send<M extends keyof Commands>(method: M, params?: CommandParams<M>): Promise<CommandResult<M>>;
  send(method: string, params?: object): Promise<unknown>;
  send(method: string, params: object = {}): Promise<unknown> {
    return this.connection.sendTo(this.id, method, params);
  }

  /** Events of this session. */
  on<E extends keyof Events>(event: E, handler: (params: Events[E][0]) => void): () => void;
  on(event: string, handler: (params: any) => void): () => void;
  on(event: string, handler: (params: any) => void): () => void {
    return this.group.add(this.connection.listen(event, (params, sessionId) => {
      if (sessionId === this.id) handler(params);
    }));
  }

  /** Events of every session (Window.cdp.on), with the id of the session each came from; removed by dispose() too. */
  onAny(event: string, handler: EventHandler): () => void {
    return this.group.add(this.connection.listen(event, handler));
  }

  /** Removes every handler this session object added. */
  dispose(): void {
    this.group.dispose();
  }
}
