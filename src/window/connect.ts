// Wires a window's backend IPC endpoint to its page: frames go through a Link (ipc/link.ts)
// over the engine's page channel, and, for local apps, over the data channel once the page
// has opened it (the link messages of that handshake are in ipc/wire.ts). Only the top-level
// document of the IPC origin is listened to, as the engine reports it (not as the page
// claims). Also keeps the store snapshot every new document starts with. Engine-neutral.
import type { WebSocket } from 'ws';
import type { DataChannelServer, Ticket } from '../data-channel/server.js';
import type { Page } from '../engine/types.js';
import { setLeftOutLog } from '../ipc/codec.js';
import { Endpoint } from '../ipc/endpoint.js';
import { Link, type DataChannel } from '../ipc/link.js';
import { logger } from '../log.js';

const ipcLog = logger('ipc');
const windowLog = logger('window');
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

export function connectIpc(engine: Page, o: { origin: string; waitForHandler: number; dataChannel?: DataChannelServer }): IpcConnection {
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
      if (message.t === 'data-channel?') offerDataChannel();
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
    if (!o.dataChannel || ticket || engine.closed || realm === undefined) return;
    const forRealm = realm;
    const current = () => realm === forRealm && !engine.closed;
    ticket = o.dataChannel.issue({
      origin: o.origin,
      isCurrent: current,
      accept: (socket: WebSocket) => {
        if (!current()) return socket.terminate();
        socket.on('message', (data, isBinary) => {
          if (realm === forRealm) link.receiveDataChannel(isBinary ? undefined : data.toString());
        });
        socket.on('close', () => {
          if (realm === forRealm) link.dataChannelClosed('the page closed it');
        });
        const channel: DataChannel = {
          send: (text) => {
            if (socket.readyState !== socket.OPEN) return false;
            socket.send(text);
            return true;
          },
          close: () => socket.terminate(),
        };
        link.attachDataChannel(channel);
        socketOfRealm = socket;
      },
    });
    link.message({ t: 'data-channel', url: ticket.url, protocol: ticket.protocol });
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
      return link.usingDataChannel;
    },
    dropDataChannel: () => socketOfRealm?.terminate(),
    counts: link.counts,
  };
}

/**
 * Keeps an init script that hands every new document the current store before its own
 * scripts run, so a page reads what the backend stored synchronously, even on its first line.
 * Returns the function to call after each change of the store: it replaces the script (once
 * per microtask, however many changes).
 */
export function storeSnapshotKeeper(engine: Page, endpoint: Endpoint): () => void {
  let remove: (() => Promise<void>) | undefined;
  let scheduled = false;
  return () => {
    if (scheduled || engine.closed) return;
    scheduled = true;
    // A microtask, so the snapshot is registered before a navigation the app's code may be about to start.
    queueMicrotask(async () => {
      scheduled = false;
      if (engine.closed) return;
      let frame: string;
      try {
        frame = endpoint.storeSnapshotFrame();
      } catch {
        return;
      }
      // The frame goes where the engine's page channel delivers texts: the page link's control channel.
      const receive = JSON.stringify(engine.pageReceiveName);
      const source = `document.readyState === 'loading' && typeof globalThis[${receive}] === 'function' && globalThis[${receive}](${JSON.stringify(frame)});`;
      try {
        const previous = remove;
        remove = await engine.addInitScript(source);
        await previous?.();
      } catch (error) {
        windowLog('could not update the store snapshot:', String(error));
      }
    });
  };
}
