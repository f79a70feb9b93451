// The page side of Gluon: bundled with the IPC core into one script that the engine
// runs in every document before the page's own scripts. It creates `window.Gluon`
// (versions, ipc, and gluon-ts's ipcExpose, ipcUnexpose and ipcWith) in the app's top-level
// frame and nowhere else. What it exchanges with the backend is written down in ipc/wire.ts.
import { Endpoint } from '../ipc/endpoint.js';
import { createIpc, pageAdditions } from '../ipc/facade.js';
import { Link } from '../ipc/link.js';
import { DATA_CHANNEL_URL_PREFIX, type LinkMessage } from '../ipc/wire.js';

export interface PageConfig {
  /** Global name of the engine's page->backend function; taken and removed from the page. */
  send: string;
  /** Global name this script defines for backend->page frames. */
  receive: string;
  /** Origins whose top-level documents get Gluon. */
  origins: string[];
  versions: Record<string, unknown>;
  waitForHandler: number;
  /** The backend offers a data channel: ask for it. */
  dataChannel: boolean;
}

declare const __GLUON_CONFIG__: PageConfig;

(() => {
  const config = __GLUON_CONFIG__;
  const g = globalThis as any;
  if (window.top !== window || !config.origins.includes(location.origin) || g.Gluon) return;
  const engineSend = g[config.send];
  if (typeof engineSend !== 'function') return;
  try {
    delete g[config.send];
  } catch {
    // not configurable on this engine: the backend checks every message anyway
  }
  const endpoint = new Endpoint({
    side: 'page',
    peer: 'backend',
    waitForHandler: config.waitForHandler,
    // Until the document has run its scripts and fired `load`, the backend's events and calls
    // wait (bounded) for the listeners and functions those scripts are about to add.
    startingUp: true,
    post: (frame) => link.post(frame),
  });
  const link = new Link({
    control: (text) => engineSend(text),
    deliver: (frame) => endpoint.receive(frame),
    onMessage: (message) => {
      if (message.t === 'data-channel') openDataChannel(message);
    },
  });
  Object.defineProperty(g, config.receive, {
    value: (text: string) => link.receiveControl(text),
    enumerable: false,
    configurable: false,
    writable: false,
  });

  // The data channel's WebSocket, taken before any page script runs, so no later change to
  // the page's globals (a library wrapping WebSocket, say) sees or alters it.
  const NativeWebSocket: typeof WebSocket | undefined = typeof g.WebSocket === 'function' ? g.WebSocket : undefined;
  const call = Function.prototype.call;
  const wsSend = NativeWebSocket && call.bind(NativeWebSocket.prototype.send);
  const wsClose = NativeWebSocket && call.bind(NativeWebSocket.prototype.close);
  const wsState = NativeWebSocket && call.bind(Object.getOwnPropertyDescriptor(NativeWebSocket.prototype, 'readyState')!.get!);
  const listen = call.bind(EventTarget.prototype.addEventListener);
  let offered = false;

  function openDataChannel(offer: Extract<LinkMessage, { t: 'data-channel' }>): void {
    const { url, protocol } = offer;
    if (offered || !NativeWebSocket || !url.startsWith(DATA_CHANNEL_URL_PREFIX)) return;
    offered = true;
    let socket: WebSocket;
    try {
      socket = new NativeWebSocket(url, [protocol]);
    } catch {
      return; // stays on the engine's channel
    }
    let open = false;
    listen(socket, 'open', () => {
      open = true;
      link.attachDataChannel({
        send: (text) => {
          if (wsState!(socket) !== 1) return false;
          wsSend!(socket, text);
          return true;
        },
        close: () => wsClose!(socket),
      });
    });
    listen(socket, 'message', (event: MessageEvent) => link.receiveDataChannel(event.data));
    listen(socket, 'close', () => {
      if (!open) return; // never opened: IPC simply stays on the engine's channel
      open = false;
      link.dataChannelClosed('the backend closed it');
      // Frames in flight on it may be lost: fail what waits, and start over with the backend.
      endpoint.peerGone('the data channel to the backend closed');
      endpoint.hello();
    });
  }

  const Gluon = Object.freeze({
    versions: Object.freeze(config.versions),
    ipc: createIpc(endpoint, 'page'),
    // gluon-ts's additions, beside ipc: every name on ipc but Gluon's own calls the backend.
    ...pageAdditions(endpoint),
  });
  Object.defineProperty(g, 'Gluon', { value: Gluon, enumerable: true, configurable: false, writable: false });
  if (config.dataChannel && NativeWebSocket) link.message({ t: 'data-channel?' });
  endpoint.hello();
  // Up once `load` has been dispatched to every listener (the page's own `load` handlers may
  // still add IPC listeners): a task queued from the first `load` listener, ours, runs after them.
  const later = setTimeout;
  if (document.readyState === 'complete') endpoint.up();
  else listen(window, 'load', () => later(() => endpoint.up(), 0), { once: true });
})();
