// App-level events, Electron's `app.on(...)` shape: `Gluon.on(event, handler)` returns an
// unsubscribe function, `Gluon.off(event, handler)` removes one. The events are named in the
// AppEvents interface; a module of desktop/ that adds an event adds a member there and calls
// emitAppEvent().

/** What a later start of the app handed to the first one (`Gluon.on('second-instance', ...)`). */
export interface SecondInstance {
  /** The later process's `process.argv` (its runtime, its entry file, then its arguments). */
  argv: string[];
  /** The later process's working directory. */
  cwd: string;
  /** What the later process passed to `requestSingleInstanceLock(additionalData)`, as JSON carried it; absent if nothing. */
  additionalData?: unknown;
}

/** A link of one of the app's schemes (package.json `"gluon": { "protocols": [...] }`) the app was started with. */
export interface OpenUrl {
  /** The link exactly as it was passed, e.g. `myapp://open?id=1`. */
  url: string;
}

/** A file of one of the app's types (package.json `"gluon": { "fileTypes": [...] }`) the app was started with. */
export interface OpenFile {
  /** The file's absolute path (a relative one is resolved against the working directory of the start that passed it). */
  path: string;
}

/** The app-level events and what each handler is given. */
export interface AppEvents {
  /** A later start of this app (same app name, same user) asked for the single-instance lock this process holds. */
  'second-instance': SecondInstance;
  /** The app was started with a link of one of its schemes: by this start's command line, or by a later start's, forwarded by the single-instance lock. */
  'open-url': OpenUrl;
  /** The app was started with a file of one of its types: by this start's command line, or by a later start's, forwarded by the single-instance lock. */
  'open-file': OpenFile;
}

export type AppEventName = keyof AppEvents;
export type AppEventHandler<E extends AppEventName> = (data: AppEvents[E]) => void;

const handlers = new Map<AppEventName, Set<AppEventHandler<any>>>();
/** Events that happened before any handler listened (see emitOrKeep), per event. */
const kept = new Map<AppEventName, unknown[]>();
/** Called once, the first time a handler of the event is added (deep-links.ts reads the command line then). */
const onFirstHandler = new Map<AppEventName, () => void>();

/** Calls `handler` each time the app event `event` happens; returns a function that stops it. */
export function on<E extends AppEventName>(event: E, handler: AppEventHandler<E>): () => void {
  if (typeof handler !== 'function') throw new TypeError(`Gluon.on('${String(event)}', handler): the handler must be a function, got ${typeof handler}`);
  let set = handlers.get(event);
  if (!set) handlers.set(event, (set = new Set()));
  set.add(handler);
  const first = onFirstHandler.get(event);
  if (first) {
    onFirstHandler.delete(event);
    first();
  }
  if (kept.has(event)) setImmediate(() => deliverKept(event));
  return () => off(event, handler);
}

/** Stops calling `handler` for `event` (nothing happens if it was not added). */
export function off<E extends AppEventName>(event: E, handler: AppEventHandler<E>): void {
  handlers.get(event)?.delete(handler);
}

/**
 * Calls the handlers of `event` with `data`, each once, in the order they were added. A handler
 * that throws does not stop the others; its error is thrown again on a later tick, where the app
 * sees it as an uncaught exception (as an EventEmitter listener's would be). Returns how many
 * handlers were called.
 */
export function emitAppEvent<E extends AppEventName>(event: E, data: AppEvents[E], rethrow: (error: unknown) => void = throwLater): number {
  const called = [...(handlers.get(event) ?? [])];
  for (const handler of called) {
    try {
      handler(data);
    } catch (error) {
      rethrow(error);
    }
  }
  return called.length;
}

/**
 * Emits `data` now if a handler of `event` listens; else keeps it until the first handler is
 * added, which then hears it on the next turn of the event loop (with every handler added in the
 * same turn), so nothing is lost to an app that adds its handler a moment after the event.
 */
export function emitOrKeep<E extends AppEventName>(event: E, data: AppEvents[E]): void {
  if (handlers.get(event)?.size) {
    emitAppEvent(event, data);
    return;
  }
  const list = kept.get(event) ?? [];
  list.push(data);
  kept.set(event, list);
}

function deliverKept(event: AppEventName): void {
  if (!handlers.get(event)?.size) return; // removed again before this turn: keep waiting
  const list = kept.get(event) ?? [];
  kept.delete(event);
  for (const data of list) emitAppEvent(event, data as never);
}

/** Runs `hook` once, when the first handler of `event` is added (at once if one is already there). */
export function whenFirstHandler(event: AppEventName, hook: () => void): void {
  if (handlers.get(event)?.size) hook();
  else onFirstHandler.set(event, hook);
}

function throwLater(error: unknown): void {
  setTimeout(() => {
    throw error;
  });
}
