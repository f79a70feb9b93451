// open(url, { windowState: 'main' }): the window's place, size and maximized state, remembered in
// the app's data folder (one small JSON file per key) as they change and when the window closes,
// and given back at the next open with the same key, moved onto the screen if it would be off it.
// A file that cannot be read as one (corrupt, hand-edited, from elsewhere) is ignored with one
// warning: the app opens with its default size. Engine-neutral: the pure rules (parse, clamp)
// are exported for the unit tests; the rest uses the Page and the Window's events.
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync, mkdirSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Page, WindowInfo } from '../engine/types.js';
import { logger } from '../log.js';
import type { WindowBoundsInfo } from './bounds.js';

const log = logger('window');

/** What is remembered of a window. */
export interface SavedWindowState {
  left: number;
  top: number;
  width: number;
  height: number;
  maximized: boolean;
}

/** The part of a screen windows may use, in screen pixels (the page's `screen.avail*`). */
export interface ScreenArea {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** How long a change waits for the next before the file is written (a drag writes once). */
export const SAVE_DELAY = 500;
/** A window smaller than this, or larger than this, is not one a user left there. */
const MIN_SIZE = 50;
const MAX_SIZE = 100_000;
/** How much of a window must be on the screen for it to stay where it was (its top-left part). */
const VISIBLE_PART = 64;

/** The key given to open(): a non-empty string of at most 200 characters. */
export function checkWindowStateKey(key: unknown): string | undefined {
  if (key === undefined) return undefined;
  if (typeof key !== 'string' || key === '' || key.length > 200) {
    throw new TypeError(`open(url, { windowState }): windowState must be a name (a non-empty string of up to 200 characters) under which the window's place and size are remembered, such as 'main'; got ${typeof key === 'string' ? JSON.stringify(key) : typeof key}`);
  }
  return key;
}

/** The state file of `key` in the app's data folder: a readable, file-system-safe name, with a hash when the key needed changing. */
export function windowStateFile(appDataDir: string, key: string): string {
  const readable = key.replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 60);
  const name = readable === key ? key : `${readable}-${createHash('sha256').update(key).digest('hex').slice(0, 8)}`;
  return join(appDataDir, 'window-state', `${name}.json`);
}

/** The file's text as a state, or why it is not one. */
export function parseWindowState(text: string): SavedWindowState | { invalid: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { invalid: `it is not JSON (${(error as Error).message})` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { invalid: 'it is not a JSON object' };
  const record = value as Record<string, unknown>;
  for (const key of ['left', 'top'] as const) {
    const n = record[key];
    if (!Number.isSafeInteger(n) || Math.abs(n as number) > MAX_SIZE) return { invalid: `${key} is not a whole number of pixels within ±${MAX_SIZE}` };
  }
  for (const key of ['width', 'height'] as const) {
    const n = record[key];
    if (!Number.isSafeInteger(n) || (n as number) < MIN_SIZE || (n as number) > MAX_SIZE) return { invalid: `${key} is not a whole number of pixels from ${MIN_SIZE} to ${MAX_SIZE}` };
  }
  if (record.maximized !== undefined && typeof record.maximized !== 'boolean') return { invalid: 'maximized is not true or false' };
  return { left: record.left as number, top: record.top as number, width: record.width as number, height: record.height as number, maximized: record.maximized === true };
}

/**
 * The saved bounds, kept on `screen`: no larger than it, and moved fully onto it if less than
 * its top-left part would be visible (the screen it was on is gone, or smaller now). A window
 * that shows enough stays where the user left it.
 */
export function keepOnScreen(saved: SavedWindowState, screen: ScreenArea): SavedWindowState {
  const width = Math.min(saved.width, screen.width);
  const height = Math.min(saved.height, screen.height);
  const visibleX = Math.min(saved.left + width, screen.left + screen.width) - Math.max(saved.left, screen.left);
  const visibleY = Math.min(saved.top + Math.min(height, VISIBLE_PART), screen.top + screen.height) - Math.max(saved.top, screen.top);
  const visible = saved.top >= screen.top && visibleX >= Math.min(VISIBLE_PART, width) && visibleY >= Math.min(VISIBLE_PART, height);
  if (visible && width === saved.width && height === saved.height) return saved;
  const clamp = (n: number, low: number, high: number) => Math.max(low, Math.min(n, high));
  return {
    ...saved,
    width,
    height,
    left: clamp(saved.left, screen.left, screen.left + screen.width - width),
    top: clamp(saved.top, screen.top, screen.top + screen.height - height),
  };
}

/** The state saved under `file`; undefined when there is none, and, with one warning, when it cannot be used. */
export async function readWindowState(file: string): Promise<SavedWindowState | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') warnUnusable(file, `it cannot be read (${(error as Error).message})`);
    return undefined;
  }
  const state = parseWindowState(text);
  if ('invalid' in state) {
    warnUnusable(file, state.invalid);
    return undefined;
  }
  return state;
}

function warnUnusable(file: string, why: string): void {
  process.emitWarning(`Gluon.open: the remembered window state in ${file} was ignored because ${why}; the window opens with its default size, and the file is written anew as it moves. Delete the file to silence this.`, { code: 'GLUON_WINDOW_STATE' });
}

const text = (state: SavedWindowState) => `${JSON.stringify(state, null, 2)}\n`;
let tempCount = 0;
/** A temporary name beside `file`, unique in this process (two windows may save at once). */
const tempName = (file: string) => `${file}.${process.pid}.${++tempCount}.tmp`;

/** Writes the state atomically: a whole old file or a whole new one, never half of one. */
export async function writeWindowState(file: string, state: SavedWindowState): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temp = tempName(file);
  await writeFile(temp, text(state));
  await rename(temp, file);
}

function writeWindowStateNow(file: string, state: SavedWindowState): void {
  mkdirSync(dirname(file), { recursive: true });
  const temp = tempName(file);
  writeFileSync(temp, text(state));
  renameSync(temp, file);
}

/** The screen area the window is on, as its start page sees it; undefined if it cannot tell. */
async function screenArea(engine: Page): Promise<ScreenArea | undefined> {
  try {
    const area = await engine.evaluate<ScreenArea>('({ left: screen.availLeft ?? 0, top: screen.availTop ?? 0, width: screen.availWidth, height: screen.availHeight })');
    return [area.left, area.top, area.width, area.height].every(Number.isFinite) && area.width > 0 && area.height > 0 ? area : undefined;
  } catch (error) {
    log('could not read the screen:', String((error as Error)?.message ?? error));
    return undefined;
  }
}

/** Puts the window where `saved` says (kept on the screen it opened on), maximized if it was. */
export async function restoreWindowState(engine: Page, saved: SavedWindowState): Promise<void> {
  const screen = await screenArea(engine);
  const placed = screen ? keepOnScreen(saved, screen) : saved;
  if (placed !== saved) log('remembered window bounds moved onto the screen:', JSON.stringify(saved), '->', JSON.stringify(placed));
  const { left, top, width, height } = placed;
  await engine.setWindow('normal', { left, top, width, height });
  if (placed.maximized) await engine.setWindow('maximized');
}

/** What keepWindowState needs of a Window. */
export interface StateWindow {
  on(event: 'move' | 'resize' | 'minimize' | 'maximize' | 'restore', handler: (info: WindowBoundsInfo) => void): () => void;
  on(event: 'close', handler: (info: { reason: string }) => void): () => void;
  readonly controls: { bounds(): Promise<WindowInfo> };
}

/**
 * Follows the window and writes its state to `file`: SAVE_DELAY after the last change, and at
 * once (synchronously, so it is there even if the app exits next) when the window closes. The
 * bounds kept are the normal window's: a maximized or minimized window keeps the ones it had before.
 */
export function keepWindowState(window: StateWindow, file: string, start: SavedWindowState | undefined): void {
  let state: SavedWindowState | undefined = start;
  let timer: NodeJS.Timeout | undefined;
  let written = JSON.stringify(start);
  const save = () => {
    timer = undefined;
    if (!state || JSON.stringify(state) === written) return;
    written = JSON.stringify(state);
    writeWindowState(file, state).catch((error: Error) => log('could not save the window state:', error.message));
  };
  let heard = false;
  const seen = (info: WindowBoundsInfo) => {
    heard = true;
    const { left, top, width, height } = info;
    if (info.state === 'normal') state = { left, top, width, height, maximized: false };
    else if (info.state === 'maximized' && state) state = { ...state, maximized: true };
    else if (info.state === 'maximized') state = { left, top, width, height, maximized: true };
    else return; // minimized or full screen: what it was before stays
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, SAVE_DELAY);
  };
  const offs = (['move', 'resize', 'minimize', 'maximize', 'restore'] as const).map((event) => window.on(event, seen));
  // Where it starts, unless an event said newer already.
  window.controls.bounds().then((info) => heard || seen(info), () => {});
  window.on('close', () => {
    offs.forEach((off) => off());
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (!state || JSON.stringify(state) === written) return;
    try {
      writeWindowStateNow(file, state);
    } catch (error) {
      log('could not save the window state:', String((error as Error).message));
    }
  });
}
