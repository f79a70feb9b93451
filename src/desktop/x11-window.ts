// Which X11 window shows a given app window, so that the system's dialogs can be attached to it
// (zenity/kdialog `--attach`, the portal's `parent_window`). Neither CDP nor BiDi tells the X
// window id, so it is read from the X server with the `x11` client (pure JavaScript, loaded only
// when a dialog is given a window): the top-level windows whose _NET_WM_PID is the browser's process, narrowed to the one
// showing the page's title, then to the active one. When that still leaves more than one, or
// none, the answer is "unknown" and the dialog is shown unattached: never attached to a guess.
/// <reference path="./x11.d.ts" />
import type { XClient, XDisplay, XProperty } from 'x11';
import { logger } from '../log.js';

const log = logger('desktop');

/** What is known of the app window looked for. */
export interface WindowClue {
  /** The browser's process id (what the browser writes in _NET_WM_PID). */
  pid: number;
  /** The page's title (the window's name is the title, or starts with it: Firefox may add its brand). */
  title?: string;
}

/** One X11 top-level window, as read from the server. */
export interface X11Window {
  id: number;
  pid?: number;
  name?: string;
}

/**
 * Picks the window of `clue` among `windows` (pure, for tests): those of the browser's process
 * with a name; of them those named by the title; if several, the active one. Undefined when
 * none or several remain.
 */
export function pickWindow(windows: X11Window[], clue: WindowClue, active?: number): number | undefined {
  const own = windows.filter((w) => w.pid === clue.pid && w.name !== undefined);
  const title = clue.title?.trim();
  const named = title ? own.filter((w) => w.name === title || w.name!.startsWith(`${title} `)) : own;
  if (named.length === 1) return named[0]!.id;
  const activeOne = named.find((w) => w.id === active);
  return activeOne?.id;
}

/** X11's AnyPropertyType. */
const ANY = 0;

const call = <T>(start: (cb: (error: Error | null, value: T) => void) => void): Promise<T> =>
  new Promise((resolve, reject) => start((error, value) => (error ? reject(error) : resolve(value))));

/** The 32-bit values of a property (window ids, a pid), or [] if it is not set. */
const cardinals = (property: XProperty): number[] => {
  if (property.format !== 32) return [];
  const values: number[] = [];
  for (let i = 0; i + 4 <= property.data.length; i += 4) values.push(property.data.readUInt32LE(i));
  return values;
};

/**
 * Lists the X11 top-level windows with their _NET_WM_PID and name, and the active window.
 * Uses the window manager's _NET_CLIENT_LIST, or the root's children when no window manager
 * keeps one. Rejects if the display cannot be reached within `timeoutMs`.
 */
export async function listX11Windows(display: string, timeoutMs = 3000): Promise<{ windows: X11Window[]; active?: number }> {
  const x11 = await import('x11');
  let client: XClient | undefined;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the X display ${display} did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  const work = (async () => {
    const screen = await call<XDisplay>((cb) => {
      client = x11.createClient({ display }, cb);
      client.on('error', (error) => log('x11:', error.message));
    });
    const X = screen.client;
    const root = screen.screen[0]!.root;
    const atom = (name: string) => call<number>((cb) => X.InternAtom(false, name, cb));
    const property = (wid: number, name: number) => call<XProperty>((cb) => X.GetProperty(0, wid, name, ANY, 0, 1 << 16, cb));
    const [clientList, activeWindow, wmPid, netName, wmName] = await Promise.all(
      ['_NET_CLIENT_LIST', '_NET_ACTIVE_WINDOW', '_NET_WM_PID', '_NET_WM_NAME', 'WM_NAME'].map(atom));
    let ids = cardinals(await property(root, clientList!));
    if (ids.length === 0) ids = (await call<{ children: number[] }>((cb) => X.QueryTree(root, cb))).children;
    const active = cardinals(await property(root, activeWindow!))[0];
    const windows = await Promise.all(ids.map(async (id): Promise<X11Window> => {
      try {
        const [pid, utf8Name, latinName] = await Promise.all([property(id, wmPid!), property(id, netName!), property(id, wmName!)]);
        const name = utf8Name.data.length > 0 ? utf8Name.data.toString('utf8') : latinName.data.length > 0 ? latinName.data.toString('latin1') : undefined;
        return { id, pid: cardinals(pid)[0], name };
      } catch {
        return { id }; // the window went away while it was read
      }
    }));
    return { windows, active: active || undefined };
  })();
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
    client?.terminate();
  }
}

/**
 * The X11 window id of the app window described by `clue`, or undefined: not on X11 (no
 * DISPLAY: Wayland alone, macOS, Windows), the X server could not be read, or no single window
 * matches. Never throws.
 */
export async function findX11Window(clue: WindowClue, env: Record<string, string | undefined> = process.env): Promise<number | undefined> {
  const display = env.DISPLAY;
  if (!display || process.platform === 'darwin' || process.platform === 'win32') return undefined;
  try {
    const { windows, active } = await listX11Windows(display);
    const id = pickWindow(windows, clue, active);
    log(id === undefined ? `no single X11 window of process ${clue.pid} titled ${JSON.stringify(clue.title)}` : `app window is X11 window 0x${id.toString(16)}`);
    return id;
  } catch (error) {
    log('could not read the X11 windows:', (error as Error).message);
    return undefined;
  }
}
