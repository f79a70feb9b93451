// Two IPC endpoints, a "backend" and a "page", joined in memory by a fake transport that
// delivers frames asynchronously, as a real browser protocol would.
import { Endpoint } from '../../src/ipc/endpoint.js';
import { backendAdditions, createIpc, pageAdditions } from '../../src/ipc/facade.js';

/** `pageStartingUp`: the page starts "not up" (as a real page does until `load`): call `page.up()`. */
export function pair(options: { waitForHandler?: number; helloNow?: boolean; pageStartingUp?: boolean } = {}) {
  const frames = { toPage: [] as string[], toBackend: [] as string[] };
  let connected = true;
  const backend: Endpoint = new Endpoint({
    side: 'backend', peer: 'page', waitForPeer: true, ownsStore: true, waitForHandler: options.waitForHandler ?? 200,
    post: (frame) => { frames.toPage.push(frame); if (connected) setImmediate(() => page.receive(frame)); },
  });
  const page: Endpoint = new Endpoint({
    side: 'page', peer: 'backend', waitForHandler: options.waitForHandler ?? 200, startingUp: options.pageStartingUp,
    post: (frame) => { frames.toBackend.push(frame); if (connected) setImmediate(() => backend.receive(frame)); },
  });
  if (options.helloNow !== false) page.hello();
  return {
    backend, page, frames, cut: () => { connected = false; },
    /** `Window.ipc` and `Gluon.ipc`. */
    ipc: createIpc(backend, 'backend'), pageIpc: createIpc(page, 'page'),
    /** gluon-ts's additions beside them: `win.ipcPage`, `win.ipcWith`; `gluon.ipcExpose`, `gluon.ipcUnexpose`, `gluon.ipcWith`. */
    win: backendAdditions(backend), gluon: pageAdditions(page),
  };
}
