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

/** The app-level events and what each handler is given. Later issues add members (e.g. 'open-url'). */
export interface AppEvents {
  /** A later start of this app (same app name, same user) asked for the single-instance lock this process holds. */
  'second-instance': SecondInstance;
}

export type AppEventName = keyof AppEvents;
export type AppEventHandler<E extends AppEventName> = (data: AppEvents[E]) => void;

const handlers = new Map<AppEventName, Set<AppEventHandler<any>>>();

/** Calls `handler` each time the app event `event` happens; returns a function that stops it. */
export function on<E extends AppEventName>(event: E, handler: AppEventHandler<E>): () => void {
  if (typeof handler !== 'function') throw new TypeError(`Gluon.on('${String(event)}', handler): the handler must be a function, got ${typeof handler}`);
  let set = handlers.get(event);
  if (!set) handlers.set(event, (set = new Set()));
  set.add(handler);
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

function throwLater(error: unknown): void {
  setTimeout(() => {
    throw error;
  });
}
