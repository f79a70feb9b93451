// Wires a window's backend IPC endpoint to its page: frames go through a Link (ipc/link.ts)
// over the engine's page channel, and, for local apps, over the loopback data channel once
// the page has opened it. Only the top-level document of the IPC origin is listened to, as
// the engine reports it (not as the page claims). Engine-neutral.
import type { WebSocket } from 'ws';
import type { Engine } from '../engine/types.js';
import { setLeftOutLog } from '../ipc/codec.js';
import { Endpoint } from '../ipc/endpoint.js';
import { Link, type FastChannel } from '../ipc/link.js';
import type { LoopbackServer, Ticket } from '../lane/server.js';
import { logger } from '../log.js';

const ipcLog = logger('ipc');
setLeftOutLog(ipcLog.enabled ? ipcLog : undefined);

export interface IpcConnection {
  endpoint: Endpoint;
  /** True while backend->page frames leave on the data channel (for tests and diagnostics). */
  readonly usingDataChannel: boolean;
  /** Cuts the data channel abruptly, as a crash would (for tests). */
  dropDataChannel(): void;
  /** Texts sent and received on each channel. */
  readonly counts: Link['counts'];
}

export function connectIpc(engine: Engine, o: { origin: string; waitForHandler: number; lane?: LoopbackServer }): IpcConnection {
  const log = ipcLog.enabled ? ipcLog : undefined;
  const endpoint = new Endpoint({
    side: 'backend',
    peer: 'page',
    waitForPeer: true,
    ownsStore: true,
    waitForHandler: o.waitForHandler,
    post: (frame) => link.post(frame),
    log,
    warn: (message) => process.emitWarning(`Window.ipc: ${message}`, { code: 'GLUON_IPC_UNSENDABLE' }),
  });
  const link = new Link({
    control: (text) => engine.postToPage(text),
    deliver: (frame) => endpoint.receive(frame),
    onMessage: (message) => {
      if (message.t === 'lane?') offerDataChannel();
    },
    log,
  });

  /** The page's current document (realm), and its data channel ticket once offered. */
  let realm: string | undefined;
  let ticket: Ticket | undefined;
  let socketOfRealm: WebSocket | undefined;
  const newDocument = (next: string) => {
    if (next === realm) return;
    if (realm !== undefined) endpoint.peerGone('the page reloaded or navigated before answering');
    link.reset();
    ticket?.revoke();
    ticket = undefined;
    socketOfRealm = undefined;
    realm = next;
  };

  const offerDataChannel = () => {
    if (!o.lane || ticket || engine.closed || realm === undefined) return;
    const forRealm = realm;
    const current = () => realm === forRealm && !engine.closed;
    ticket = o.lane.issue({
      origin: o.origin,
      isCurrent: current,
      accept: (socket: WebSocket) => {
        if (!current()) return socket.terminate();
        socket.on('message', (data, isBinary) => {
          if (realm === forRealm) link.receiveFast(isBinary ? undefined : data.toString());
        });
        socket.on('close', () => {
          if (realm === forRealm) link.fastClosed('the page closed it');
        });
        const channel: FastChannel = {
          send: (text) => {
            if (socket.readyState !== socket.OPEN) return false;
            socket.send(text);
            return true;
          },
          close: () => socket.terminate(),
        };
        link.attachFast(channel);
        socketOfRealm = socket;
      },
    });
    link.message({ t: 'lane', url: ticket.url, protocol: ticket.protocol });
  };

  engine.on('document', ({ realm: next }) => newDocument(next));
  engine.onPageMessage((text, from) => {
    if (!from.topFrame || from.origin !== o.origin) {
      ipcLog(`dropped a message from ${from.topFrame ? 'the top frame' : 'a subframe'} at origin ${from.origin}`);
      return;
    }
    newDocument(from.realm);
    link.receiveControl(text);
  });
  engine.on('close', ({ reason }) => {
    endpoint.close(reason);
    link.reset();
    ticket?.revoke();
  });
  return {
    endpoint,
    get usingDataChannel() {
      return link.usingFast;
    },
    dropDataChannel: () => socketOfRealm?.terminate(),
    counts: link.counts,
  };
}
