// The public faces of an endpoint: `Window.ipc` in Node and `Gluon.ipc` in the page.
// Both are thin Proxies over the same Endpoint, which is why the two sides can stay
// near-identical (Gluon's design) without two implementations.
//
// `ipc` holds Gluon's API and nothing else, so an app may use any other name:
//   backend: ipc.name = fn exposes, delete ipc.name unexposes, ipc.name reads it back.
//   page:    ipc.name(...args) calls what the backend exposed; ipc.name = fn exposes.
// gluon-ts's additions sit beside it, where no app name can be:
//   backend: Window.ipcPage.name(...args) calls what the page exposed;
//            Window.ipcWith({ signal, timeout }) gives send and ipcPage's calls with those options.
//   page:    Gluon.ipcExpose / Gluon.ipcUnexpose; Gluon.ipcWith(options) gives send and the calls.
// The objects are built untyped here; the API layer (window/, page/) gives them the app's types
// (src/types/ipc.ts), which describe these same objects.
import type { CallOptions, Endpoint, Handler, Listener, StoreChange } from './endpoint.js';

/** A side's `ipc` object or its store as built here: any name (the app's types narrow it above this layer). */
export type UntypedIpc = Record<string, any>;
/** Functions calling what the other side exposed, by name. */
export type RemoteCalls = Record<string, (...args: unknown[]) => Promise<unknown>>;
/** `send` and the other side's functions, called with the options of `ipcWith(options)`. */
export interface BackendCallsWith {
  send: (type: string, data?: unknown) => Promise<unknown>;
  page: RemoteCalls;
}

const STORE_METHODS = new Set(['get', 'set', 'keys', 'delete', 'has', 'toJSON', 'onChange']);

export function createStore(endpoint: Endpoint): UntypedIpc {
  const methods: Record<string, unknown> = {
    get: (key: string) => endpoint.storeGet(String(key)),
    set: <T>(key: string, value: T): T => {
      endpoint.storeSet(String(key), value);
      return value;
    },
    keys: () => endpoint.storeKeys(),
    delete: (key: string) => endpoint.storeDelete(String(key)),
    has: (key: string) => endpoint.storeHas(String(key)),
    toJSON: () => Object.fromEntries(endpoint.storeEntries()),
    onChange: (listener: (change: StoreChange) => void) => {
      if (typeof listener !== 'function') throw new TypeError('store.onChange(listener): listener must be a function');
      return endpoint.onStoreChange(listener);
    },
  };
  const refuse = (key: string) => {
    throw new TypeError(`ipc.store.${key} is a method of the store; use ipc.store.set('${key}', value) to store a value under that name`);
  };
  return new Proxy(Object.create(null), {
    get: (_target, key) => {
      if (typeof key !== 'string') return undefined;
      if (STORE_METHODS.has(key)) return methods[key];
      return endpoint.storeGet(key);
    },
    set: (_target, key, value) => {
      if (typeof key !== 'string') return false;
      if (STORE_METHODS.has(key)) refuse(key);
      endpoint.storeSet(key, value);
      return true;
    },
    deleteProperty: (_target, key) => {
      if (typeof key !== 'string') return false;
      if (STORE_METHODS.has(key)) refuse(key);
      endpoint.storeDelete(key);
      return true;
    },
    has: (_target, key) => typeof key === 'string' && endpoint.storeHas(key),
    ownKeys: () => endpoint.storeKeys(),
    getOwnPropertyDescriptor: (_target, key) =>
      typeof key === 'string' && endpoint.storeHas(key)
        ? { value: endpoint.storeGet(key), writable: true, enumerable: true, configurable: true }
        : undefined,
  });
}

/**
 * Gluon's own names on each side's `ipc` (Gluon 0.14: the backend's `Window.ipc` has these six; the
 * page's `Gluon.ipc` has send, on, removeListener and store, and calls the backend for any other
 * name). Every other name belongs to the app: gluon-ts's additions live elsewhere (`Window.ipcPage`,
 * `Window.ipcWith`, `Gluon.ipcExpose`, `Gluon.ipcUnexpose`, `Gluon.ipcWith`).
 */
const GLUON_IPC_NAMES = {
  backend: new Set(['send', 'on', 'removeListener', 'expose', 'unexpose', 'store']),
  page: new Set(['send', 'on', 'removeListener', 'store']),
};
/** Names a Proxy must never answer with a remote caller, or it would look like a Promise etc. */
const NOT_REMOTE = new Set(['then', 'catch', 'finally', 'toJSON', 'constructor', 'valueOf', 'toString', 'inspect']);

/**
 * The `ipc` object of one side: Gluon's API, and the app's names for everything else.
 * - backend: `ipc.name = fn` (any name) exposes, `delete ipc.name` unexposes, `ipc.name` reads it back.
 * - page: `ipc.name(...args)` calls what the backend exposed; `ipc.name = fn` exposes a page function.
 */
export function createIpc(endpoint: Endpoint, role: 'backend' | 'page'): UntypedIpc {
  const methods: Record<string, unknown> = {
    send: (type: string, data?: unknown) => endpoint.send(type, data),
    on: (type: string, callback: Listener) => endpoint.on(type, callback),
    removeListener: (type: string, callback?: Listener) => endpoint.removeListener(type, callback),
    store: createStore(endpoint),
  };
  if (role === 'backend') Object.assign(methods, exposeMethods(endpoint));
  const own = GLUON_IPC_NAMES[role];
  const remote = role === 'page' ? remoteFunctions(endpoint) : undefined;
  return new Proxy(Object.create(null), {
    get: (_target, key) => {
      if (typeof key !== 'string') return undefined;
      if (own.has(key)) return methods[key];
      return remote ? Reflect.get(remote, key) : endpoint.exposed(key);
    },
    // Any name exposes, Gluon's own too (as in Gluon: `ipc.send = fn` exposes a function named
    // 'send', and reading `ipc.send` still gives the API's).
    set: (_target, key, value) => {
      if (typeof key !== 'string') return false;
      endpoint.expose(key, value);
      return true;
    },
    deleteProperty: (_target, key) => {
      if (typeof key === 'string') endpoint.unexpose(key);
      return true;
    },
    has: (_target, key) => typeof key === 'string' && (own.has(key) || endpoint.exposed(key) !== undefined),
    ownKeys: () => [...new Set([...own, ...endpoint.exposedNames()])],
    getOwnPropertyDescriptor: (_target, key) => {
      if (typeof key !== 'string') return undefined;
      const value = own.has(key) ? methods[key] : endpoint.exposed(key);
      return value === undefined ? undefined : { value, writable: true, enumerable: !own.has(key), configurable: true };
    },
  });
}

/** `expose(name, fn)` / `expose({ a, b })` and `unexpose(name)`, for either side. */
function exposeMethods(endpoint: Endpoint) {
  return {
    expose: (nameOrMap: string | Record<string, Handler>, handler?: Handler) => {
      if (nameOrMap && typeof nameOrMap === 'object') {
        for (const [name, fn] of Object.entries(nameOrMap)) endpoint.expose(name, fn);
        return;
      }
      endpoint.expose(nameOrMap, handler as Handler);
    },
    unexpose: (name: string) => endpoint.unexpose(name),
  };
}

/** gluon-ts's additions on the backend, beside `Window.ipc`: `Window.ipcPage` and `Window.ipcWith`. */
export function backendAdditions(endpoint: Endpoint): { ipcPage: RemoteCalls; ipcWith: (options: CallOptions) => BackendCallsWith } {
  return {
    ipcPage: remoteFunctions(endpoint),
    ipcWith: (options: CallOptions) => ({ send: (type: string, data?: unknown) => endpoint.send(type, data, options), page: remoteFunctions(endpoint, options) }),
  };
}

/** gluon-ts's additions in the page, beside `Gluon.ipc`: `Gluon.ipcExpose`, `Gluon.ipcUnexpose`, `Gluon.ipcWith`. */
export function pageAdditions(endpoint: Endpoint): { ipcExpose: ReturnType<typeof exposeMethods>['expose']; ipcUnexpose: (name: string) => boolean; ipcWith: (options: CallOptions) => UntypedIpc } {
  const { expose, unexpose } = exposeMethods(endpoint);
  return {
    ipcExpose: expose,
    ipcUnexpose: unexpose,
    ipcWith: (options: CallOptions) => {
      const callers = remoteFunctions(endpoint, options);
      const send = (type: string, data?: unknown) => endpoint.send(type, data, options);
      return new Proxy(Object.create(null), { get: (_target, key) => (key === 'send' ? send : Reflect.get(callers, key)) });
    },
  };
}

/** A Proxy whose properties are functions calling the other side's exposed functions. */
function remoteFunctions(endpoint: Endpoint, options?: CallOptions): RemoteCalls {
  const cache = new Map<string, (...args: unknown[]) => Promise<unknown>>();
  return new Proxy(Object.create(null), {
    get: (_target, key) => {
      if (typeof key !== 'string' || NOT_REMOTE.has(key)) return undefined;
      let caller = cache.get(key);
      if (!caller) {
        caller = (...args: unknown[]) => endpoint.call(key, args, options);
        cache.set(key, caller);
      }
      return caller;
    },
  });
}
