// The data channel's Node end: one WebSocket server per process, on 127.0.0.1 and a port
// the OS picks, that local apps' pages connect to for IPC frames (faster than the browser
// protocol; see ipc/link.ts for how frames switch channels without reordering, and
// ipc/wire.ts for the path, subprotocol and link messages of the handshake).
//
// Who may connect: a WebSocket upgrade is accepted only when it
//   - asks for the path DATA_CHANNEL_PATH (/gluon),
//   - comes with the Origin the ticket was issued for (the app's origin), and
//   - offers the subprotocol `gluon.<token>`, a 256-bit random token issued for one document
//     and handed to it over the browser protocol (never in a URL); each token opens one
//     socket, expires after a few seconds, and only while its document is still current.
// Anything else gets a 403 before any WebSocket exists. Plain HTTP requests get a 404.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { DATA_CHANNEL_PATH, DATA_CHANNEL_PROTOCOL_PREFIX, DATA_CHANNEL_URL_PREFIX } from '../ipc/wire.js';
import { logger } from '../log.js';

const log = logger('ipc');

/** How long a ticket may wait for its page to connect. */
const TICKET_TTL = 10_000;
/**
 * Largest WebSocket message a page may send. Pages send long frames as pieces of at most
 * DATA_CHANNEL_PIECE_CHARS (ipc/link.ts), so anything near this is not from our page code; the
 * socket is closed and IPC goes on over the browser protocol.
 */
export const MAX_FRAME_BYTES = 4 * 1024 * 1024;

export interface TicketOptions {
  /** The Origin header the page's upgrade request must carry. */
  origin: string;
  /** Still the document the ticket was issued for? Checked when the page connects. */
  isCurrent: () => boolean;
  /** Receives the open socket. */
  accept: (socket: WebSocket) => void;
}

export interface Ticket {
  /** ws://127.0.0.1:PORT/gluon */
  url: string;
  /** The subprotocol the page must offer: `gluon.<token>`. */
  protocol: string;
  revoke(): void;
}

interface Pending extends TicketOptions {
  timer: ReturnType<typeof setTimeout>;
}

export class DataChannelServer {
  private readonly tickets = new Map<string, Pending>();
  private readonly wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: MAX_FRAME_BYTES,
    clientTracking: false,
    // The protocol was checked in onUpgrade: answer with the one the page offered.
    handleProtocols: (protocols) => [...protocols].find((p) => p.startsWith(DATA_CHANNEL_PROTOCOL_PREFIX)) ?? false,
  });

  private constructor(private readonly server: Server, readonly port: number) {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(req, socket, head));
  }

  static async start(): Promise<DataChannelServer> {
    const server = createServer((_req, res) => {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
    });
    server.on('clientError', (_error, socket) => socket.destroy());
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    // Never keeps Node alive by itself: open windows do.
    server.unref();
    const { port } = server.address() as { port: number };
    log(`data channel server listening on 127.0.0.1:${port}`);
    return new DataChannelServer(server, port);
  }

  /** A one-use ticket for one document. */
  issue(options: TicketOptions): Ticket {
    const token = randomBytes(32).toString('hex');
    const key = digest(token);
    const timer = setTimeout(() => this.tickets.delete(key), TICKET_TTL);
    timer.unref?.();
    this.tickets.set(key, { ...options, timer });
    return {
      url: `${DATA_CHANNEL_URL_PREFIX}${this.port}${DATA_CHANNEL_PATH}`,
      protocol: `${DATA_CHANNEL_PROTOCOL_PREFIX}${token}`,
      revoke: () => {
        clearTimeout(timer);
        this.tickets.delete(key);
      },
    };
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => {});
    const refuse = (why: string) => {
      log(`refused a data channel connection: ${why}`);
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      socket.destroy();
    };
    if (req.url !== DATA_CHANNEL_PATH) return refuse(`path ${String(req.url).slice(0, 60)}`);
    const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    const tokens = offered.filter((p) => p.startsWith(DATA_CHANNEL_PROTOCOL_PREFIX)).map((p) => p.slice(DATA_CHANNEL_PROTOCOL_PREFIX.length));
    if (tokens.length !== 1) return refuse('no token');
    // Tickets are looked up by a hash of the token, so lookup time says nothing about valid tokens.
    const key = digest(tokens[0]);
    const ticket = this.tickets.get(key);
    if (!ticket) return refuse('unknown or used token');
    if (req.headers.origin !== ticket.origin) return refuse(`origin ${String(req.headers.origin).slice(0, 80)}`);
    this.tickets.delete(key);
    clearTimeout(ticket.timer);
    if (!ticket.isCurrent()) return refuse('the document it was issued for is gone');
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', () => {});
      ticket.accept(ws);
    });
  }

  /** For tests: stops listening (open sockets stay). */
  close(): void {
    this.server.close();
  }
}

function digest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

let shared: Promise<DataChannelServer> | undefined;

/** The process's data channel server, started on first use. */
export function dataChannelServer(): Promise<DataChannelServer> {
  shared ??= DataChannelServer.start().catch((error) => {
    shared = undefined;
    throw error;
  });
  return shared;
}
