// Window.on('move' | 'resize' | 'minimize' | 'maximize' | 'restore' | 'focus' | 'blur'): neither
// CDP nor WebDriver BiDi tells when the OS window moves, so the window's bounds (and, for focus
// and blur, its focus) are read from the browser a few times a second, only while someone
// listens, and each change between two reads becomes events. Reads never overlap and the next one
// waits a full interval, so a window dragged across the screen gives at most one event of a kind
// per interval, and the read after it stops gives the final bounds. Everything here is read by
// the backend from the browser: the page's scripts cannot make up an event. Engine-neutral.
import type { WindowInfo } from '../engine/types.js';
import { logger } from '../log.js';

const log = logger('window');

/** What each window event's handler gets: where the OS window is, how big, and its state. */
export type WindowBoundsInfo = WindowInfo;

/** The window events that come from the OS window. */
export interface WindowBoundsEvents {
  /** The window's top-left corner moved (not while minimized). */
  move: WindowBoundsInfo;
  /** Its width or height changed (not while minimized). */
  resize: WindowBoundsInfo;
  minimize: WindowBoundsInfo;
  maximize: WindowBoundsInfo;
  /** It left the minimized state, or came back to normal from maximized or full screen. */
  restore: WindowBoundsInfo;
  /** It got the keyboard focus (Chromium; see the README's engine table). */
  focus: WindowBoundsInfo;
  /** It lost the keyboard focus to another window (Chromium). */
  blur: WindowBoundsInfo;
}

export type WindowBoundsEvent = keyof WindowBoundsEvents;

export const WINDOW_BOUNDS_EVENTS: readonly WindowBoundsEvent[] = ['move', 'resize', 'minimize', 'maximize', 'restore', 'focus', 'blur'];

export const isWindowBoundsEvent = (event: unknown): event is WindowBoundsEvent => WINDOW_BOUNDS_EVENTS.includes(event as WindowBoundsEvent);

/** One read of the OS window: its bounds and state, and its focus where it was read and known. */
export interface WindowSnapshot extends WindowInfo {
  focused?: boolean;
}

/**
 * The events between two reads, in the order a user sees them happen: the state first, then the
 * bounds, then the focus. Bounds changes of a minimized window are not reported (window managers
 * give odd ones); a focus not known in either read gives no focus event.
 */
export function windowChanges(before: WindowSnapshot, after: WindowSnapshot): WindowBoundsEvent[] {
  const events: WindowBoundsEvent[] = [];
  if (before.state !== after.state) {
    if (before.state === 'minimized' || after.state === 'normal') events.push('restore');
    if (after.state === 'minimized') events.push('minimize');
    if (after.state === 'maximized') events.push('maximize');
  }
  if (after.state !== 'minimized') {
    if (before.left !== after.left || before.top !== after.top) events.push('move');
    if (before.width !== after.width || before.height !== after.height) events.push('resize');
  }
  if (before.focused !== undefined && after.focused !== undefined && before.focused !== after.focused) {
    events.push(after.focused ? 'focus' : 'blur');
  }
  return events;
}

/** What a watcher reads through: the engine's window verbs. */
export interface WindowReader {
  getWindow(): Promise<WindowInfo>;
  windowFocused(): Promise<boolean | undefined>;
  readonly closed: boolean;
}

/** Between two reads of the window while someone listens (ms). A read costs ~1.5 ms on Chromium, one BiDi round trip on Firefox. */
export const WINDOW_POLL_INTERVAL = 250;

type Handlers = { [K in WindowBoundsEvent]: Set<(info: WindowBoundsInfo) => void> };

/**
 * The window events of one window: `on` adds a handler (and starts reading the window if it is
 * the first), its return removes it (the last one stops the reads). `stop` ends it all (the
 * window closed).
 */
export function createWindowWatcher(reader: WindowReader, interval = WINDOW_POLL_INTERVAL) {
  const handlers = Object.fromEntries(WINDOW_BOUNDS_EVENTS.map((event) => [event, new Set()])) as unknown as Handlers;
  let last: WindowSnapshot | undefined;
  let timer: NodeJS.Timeout | undefined;
  let reading = false;
  let stopped = false;
  const listening = () => WINDOW_BOUNDS_EVENTS.some((event) => handlers[event].size > 0);
  const wantsFocus = () => handlers.focus.size > 0 || handlers.blur.size > 0;

  const read = async (): Promise<WindowSnapshot> => {
    const focusRead = wantsFocus() ? reader.windowFocused() : undefined;
    const [info, focused] = await Promise.all([reader.getWindow(), focusRead]);
    return focused === undefined ? { ...info } : { ...info, focused };
  };

  const emit = (event: WindowBoundsEvent, info: WindowBoundsInfo) => {
    for (const handler of handlers[event]) {
      try {
        handler({ ...info });
      } catch (error) {
        // The app's own handler: said out loud, the reads go on.
        process.emitWarning(`Window.on('${event}') handler threw: ${(error as Error)?.stack ?? error}`, { code: 'GLUON_WINDOW_HANDLER' });
      }
    }
  };

  const tick = async () => {
    timer = undefined;
    if (stopped || reader.closed || !listening()) return;
    reading = true;
    try {
      const now = await read();
      if (last && !stopped && !reader.closed) {
        const { focused: _focused, ...info } = now;
        for (const event of windowChanges(last, now)) emit(event, info);
      }
      last = now;
    } catch (error) {
      if (!reader.closed) log('could not read the window:', String((error as Error)?.message ?? error));
    } finally {
      reading = false;
    }
    schedule();
  };

  const schedule = () => {
    if (stopped || timer || reading || reader.closed || !listening()) return;
    timer = setTimeout(() => void tick(), last ? interval : 0);
    timer.unref?.();
  };

  return {
    on<K extends WindowBoundsEvent>(event: K, handler: (info: WindowBoundsEvents[K]) => void): () => void {
      // A new baseline: nothing changed while nobody listened is an event; the focus is in it once asked.
      if (!listening() || (!wantsFocus() && (event === 'focus' || event === 'blur'))) last = undefined;
      handlers[event].add(handler);
      schedule();
      return () => {
        handlers[event].delete(handler);
        if (!listening()) {
          last = undefined;
          if (timer) clearTimeout(timer);
          timer = undefined;
        }
      };
    },
    stop(): void {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}

export type WindowWatcher = ReturnType<typeof createWindowWatcher>;
