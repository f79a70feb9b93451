// The page side of Gluon: bundled with the IPC core into one script that the engine
// runs in every document before the page's own scripts. It creates `window.Gluon`
// (versions + ipc) in the app's top-level frame and nowhere else.
import { Endpoint } from '../ipc/endpoint.js';
import { createIpc } from '../ipc/facade.js';

export interface PageConfig {
  /** Global name of the engine's page->backend function; taken and removed from the page. */
  send: string;
  /** Global name this script defines for backend->page frames. */
  receive: string;
  /** Origins whose top-level documents get Gluon. */
  origins: string[];
  versions: Record<string, unknown>;
  waitForHandler: number;
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
    post: (frame) => engineSend(frame),
  });
  Object.defineProperty(g, config.receive, {
    value: (frame: string) => endpoint.receive(frame),
    enumerable: false,
    configurable: false,
    writable: false,
  });
  const Gluon = Object.freeze({
    versions: Object.freeze(config.versions),
    ipc: createIpc(endpoint, 'page'),
  });
  Object.defineProperty(g, 'Gluon', { value: Gluon, enumerable: true, configurable: false, writable: false });
  endpoint.hello();
})();
