// Several windows in one Node process: windows of one browser profile share one browser (a
// second open() of the same app opens a window in the browser already running, as Electron's
// windows share a session), Gluon.broadcast() sends an event to every open window, and the
// windows opened with { shareStore: true } keep one store between them. Engine-neutral.
import type { Engine } from '../engine/types.js';
import type { Endpoint } from '../ipc/endpoint.js';
import type { Window } from './window.js';

/** The running browsers, by browser and profile folder; each with its open windows' engines. */
const browsers = new Map<string, { launching?: Promise<Engine>; engines: Set<Engine> }>();

/**
 * An engine for a new window: a new window in the browser already running on this profile, or
 * `launch()`'s browser. Two open() calls at once for one profile get one browser, two windows.
 */
export async function engineFor(key: string | undefined, launch: () => Promise<Engine>, windowSize?: [number, number]): Promise<{ engine: Engine; launched: boolean }> {
  if (key === undefined) return { engine: await launch(), launched: true };
  await browsers.get(key)?.launching?.catch(() => {});
  let entry = browsers.get(key);
  const running = entry && [...entry.engines].find((engine) => !engine.closed);
  if (running) {
    const engine = await running.openWindow({ windowSize });
    track(key, engine);
    return { engine, launched: false };
  }
  const launching = launch();
  entry = { launching, engines: new Set() };
  browsers.set(key, entry);
  try {
    const engine = await launching;
    track(key, engine);
    return { engine, launched: true };
  } finally {
    entry.launching = undefined;
    if (entry.engines.size === 0 && browsers.get(key) === entry) browsers.delete(key);
  }
}

function track(key: string, engine: Engine): void {
  const entry = browsers.get(key)!;
  entry.engines.add(engine);
  engine.on('close', () => {
    entry.engines.delete(engine);
    if (entry.engines.size === 0 && !entry.launching && browsers.get(key) === entry) browsers.delete(key);
  });
}

// ------------------------------------------------------------------ open windows, broadcast

const openWindows = new Set<Window<any>>();

export function trackWindow(window: Window<any>): void {
  openWindows.add(window);
  window.on('close', () => openWindows.delete(window));
  listenToDevServer();
}

let listeningToDev = false;

/**
 * Under `gluon-ts dev` (GLUON_DEV=1, started with a Node IPC channel), the CLI says "reload"
 * when page files changed: every open window reloads, and the backend keeps running.
 */
function listenToDevServer(): void {
  if (listeningToDev || process.env.GLUON_DEV !== '1' || typeof process.send !== 'function') return;
  listeningToDev = true;
  process.on('message', (message: any) => {
    if (message?.gluonDev !== 'reload') return;
    for (const window of openWindows) {
      if (!window.closed) window.page.reload(true).catch(() => {});
    }
  });
  // The channel must not keep the app alive once its windows are closed.
  (process.channel as { unref?: () => void } | undefined)?.unref?.();
}

/** What broadcast() got from one window. */
export type BroadcastResult =
  | { window: Window<any>; ok: true; reply: unknown }
  | { window: Window<any>; ok: false; error: Error };

/**
 * Sends an event to every open window's page (`Window.ipc.send` on each, at once), and resolves
 * when all have answered or failed: one result per window, in the order they were opened.
 */
export async function broadcast(type: string, data?: unknown): Promise<BroadcastResult[]> {
  if (typeof type !== 'string' || !type) throw new TypeError('broadcast(type, data): type must be a non-empty string');
  const windows = [...openWindows].filter((window) => !window.closed);
  return Promise.all(windows.map((window) =>
    window.ipc.send(type, data).then(
      (reply): BroadcastResult => ({ window, ok: true, reply }),
      (error: unknown): BroadcastResult => ({ window, ok: false, error: error instanceof Error ? error : new Error(String(error)) }),
    )));
}

// ------------------------------------------------------------------ shared store

/** The stores of the windows opened with { shareStore: true }, alive ones only. */
const sharing = new Set<Endpoint>();
let copying = false;

/**
 * Puts a new window's store in the shared group: it starts with the group's entries, and from
 * then on a change to any store of the group (by the backend or by a page) is made to all.
 */
export function shareStore(endpoint: Endpoint, engine: Engine): void {
  const [other] = sharing;
  if (other) endpoint.loadStore(other.storeEntries());
  sharing.add(endpoint);
  endpoint.onStoreChange(({ key, value, deleted }) => {
    if (copying) return;
    copying = true;
    try {
      for (const peer of sharing) {
        if (peer === endpoint) continue;
        if (deleted) peer.storeDelete(key);
        else peer.storeSet(key, value);
      }
    } finally {
      copying = false;
    }
  });
  engine.on('close', () => sharing.delete(endpoint));
}
