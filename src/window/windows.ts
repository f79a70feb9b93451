// Several windows in one Node process: windows of one browser profile share one browser (a
// second open() of the same app opens a window in the browser already running, as Electron's
// windows share a session), Gluon.broadcast() sends an event to every open window, and the
// windows opened with { shareStore: true } keep one store between them. Engine-neutral.
import type { Page } from '../engine/types.js';
import type { Endpoint } from '../ipc/endpoint.js';
import type { Window } from './window.js';
import { logger } from '../log.js';
import { eventOrTimeout } from '../wait.js';

const log = logger('window');

/**
 * The browsers of each browser and profile folder: the one being launched, the open windows'
 * engines, and the exits of the browser processes still running (a browser on its way out holds
 * its profile's lock until its process is gone, so the next one waits for that).
 */
interface ProfileBrowsers {
  launching?: Promise<Page>;
  engines: Set<Page>;
  running: Set<Promise<unknown>>;
}
const browsers = new Map<string, ProfileBrowsers>();

/** The browsers (by their process's exit) that refused a new window: no window opens in them. */
const closingBrowsers = new WeakSet<Promise<unknown>>();

/** How long an open() waits for a browser on its way out to exit before starting the next one on its profile. */
const EXIT_WAIT = 10_000;

/**
 * An engine for a new window: a new window in the browser already running on this profile, or
 * `launch()`'s browser. Two open() calls at once for one profile get one browser, two windows.
 * A browser on its way out (asked to close, its last window closing, or one that refuses a new
 * window for any reason) is not used: the new browser starts once that one's process has exited.
 */
export async function engineFor(key: string | undefined, launch: () => Promise<Page>, windowSize?: [number, number]): Promise<{ engine: Page; launched: boolean }> {
  if (key === undefined) return { engine: await launch(), launched: true };
  await browsers.get(key)?.launching?.catch(() => {});
  let entry = browsers.get(key);
  const running = entry && [...entry.engines].find((engine) => !engine.closed && !engine.process.hasExited && !engine.process.closing && !closingBrowsers.has(engine.process.exited));
  if (running) {
    try {
      const engine = await running.browser.newPage({ windowSize });
      track(key, engine);
      return { engine, launched: false };
    } catch (error) {
      log(`the running browser did not open another window (${String((error as Error)?.message ?? error)}): a new browser starts once it has exited`);
      closingBrowsers.add(running.process.exited);
      if (!(await exitsWithin(running.process.exited, EXIT_WAIT))) {
        throw new Error(
          `Gluon.open: the browser running on this profile could not open another window (${String((error as Error)?.message ?? error)}), ` +
            `and it was still running ${EXIT_WAIT / 1000} s later, so no new browser can take its profile. Close its windows, or open this one with { incognito: true } or another { dataPath }.`,
        );
      }
    }
  }
  entry = browsers.get(key);
  if (entry?.launching) return engineFor(key, launch, windowSize); // another open() started one meanwhile
  if (entry?.running.size) {
    log('a browser of this profile is on its way out: waiting for it to exit');
    await Promise.all([...entry.running].map((exit) => exitsWithin(exit, EXIT_WAIT)));
    if (browsers.get(key)?.launching) return engineFor(key, launch, windowSize);
  }
  entry = profileBrowsers(key);
  const launching = launch();
  entry.launching = launching;
  try {
    const engine = await launching;
    track(key, engine);
    return { engine, launched: true };
  } finally {
    entry.launching = undefined;
    forget(key, entry);
  }
}

function profileBrowsers(key: string): ProfileBrowsers {
  let entry = browsers.get(key);
  if (!entry) browsers.set(key, (entry = { engines: new Set(), running: new Set() }));
  return entry;
}

function forget(key: string, entry: ProfileBrowsers): void {
  if (!entry.launching && entry.engines.size === 0 && entry.running.size === 0 && browsers.get(key) === entry) browsers.delete(key);
}

function track(key: string, engine: Page): void {
  const entry = profileBrowsers(key);
  entry.engines.add(engine);
  engine.on('close', () => {
    entry.engines.delete(engine);
    forget(key, entry);
  });
  const exit = engine.process.exited;
  if (engine.process.hasExited || entry.running.has(exit)) return;
  entry.running.add(exit);
  const gone = () => {
    entry.running.delete(exit);
    forget(key, entry);
  };
  exit.then(gone, gone);
}

/** Whether `exit` settles within `ms` (the timer does not keep Node alive). */
function exitsWithin(exit: Promise<unknown>, ms: number): Promise<boolean> {
  return eventOrTimeout<boolean>((done) => void exit.then(() => done(true), () => done(true)), ms, false);
}

// ------------------------------------------------------------------ open windows, broadcast

const openWindows = new Set<Window<any>>();

export function trackWindow(window: Window<any>): void {
  openWindows.add(window);
  window.on('close', () => openWindows.delete(window));
}

/** Reloads every open window's page; the backend keeps running (`gluon-ts dev` after a page change, wired in index.ts). */
export function reloadOpenWindows(): void {
  for (const window of openWindows) {
    if (!window.closed) window.page.reload(true).catch(() => {});
  }
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
export function shareStore(endpoint: Endpoint, engine: Page): void {
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
