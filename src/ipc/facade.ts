// The public faces of an endpoint: `Window.ipc` in Node and `Gluon.ipc` in the page.
// Both are thin Proxies over the same Endpoint, which is why the two sides can stay
// near-identical (Gluon's design) without two implementations.
//
//   backend: ipc.name = fn exposes, delete ipc.name unexposes, ipc.name reads it back,
//            ipc.page.name(...args) calls what the page exposed.
//   page:    ipc.name(...args) calls what the backend exposed; ipc.name = fn exposes.
//   both:    ipc.with({ signal, timeout }) gives the same calls and send with those options.
import type { BackendIpc, PageIpc, UntypedStore } from '../types/ipc.js';
import type { CallOptions, Endpoint, Handler, Listener, StoreChange } from './endpoint.js';

const STORE_METHODS = new Set(['get', 'set', 'keys', 'delete', 'has', 'toJSON', 'onChange']);

export function createStore(endpoint: Endpoint): UntypedStore {
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
  }) as UntypedStore;
}

const SHARED_METHODS = ['send', 'on', 'removeListener', 'expose', 'unexpose', 'store', 'with'];
const IPC_METHODS = {
  backend: new Set([...SHARED_METHODS, 'page']),
  page: new Set(SHARED_METHODS),
};
/** Names a Proxy must never answer with a remote caller, or it would look like a Promise etc. */
const NOT_REMOTE = new Set(['then', 'catch', 'finally', 'toJSON', 'constructor', 'valueOf', 'toString', 'inspect']);

/**
 * The `ipc` object of one side.
 * - `role: 'backend'`: unknown property reads return what was exposed (or undefined).
 * - `role: 'page'`: unknown property reads return a function calling the backend's exposed function.
 */
export function createIpc(endpoint: Endpoint, role: 'backend'): BackendIpc;
export function createIpc(endpoint: Endpoint, role: 'page'): PageIpc;
export function createIpc(endpoint: Endpoint, role: 'backend' | 'page'): BackendIpc | PageIpc {
  const store = createStore(endpoint);
  const expose = (nameOrMap: string | Record<string, Handler>, handler?: Handler) => {
    if (nameOrMap && typeof nameOrMap === 'object') {
      for (const [name, fn] of Object.entries(nameOrMap)) endpoint.expose(name, fn);
      return;
    }
    endpoint.expose(nameOrMap, handler as Handler);
  };
  const methods: Record<string, unknown> = {
    send: (type: string, data?: unknown) => endpoint.send(type, data),
    on: (type: string, callback: Listener) => endpoint.on(type, callback),
    removeListener: (type: string, callback?: Listener) => endpoint.removeListener(type, callback),
    expose,
    unexpose: (name: string) => endpoint.unexpose(name),
    store,
  };
  const remote = remoteFunctions(endpoint);
  methods.with = (options: CallOptions) => {
    const callers = remoteFunctions(endpoint, options);
    const send = (type: string, data?: unknown) => endpoint.send(type, data, options);
    return role === 'backend'
      ? { send, page: callers }
      : new Proxy(Object.create(null), { get: (_target, key) => (key === 'send' ? send : Reflect.get(callers, key)) });
  };
  if (role === 'backend') methods.page = remote;
  const reserved = IPC_METHODS[role];
  return new Proxy(Object.create(null), {
    get: (_target, key) => {
      if (typeof key !== 'string') return undefined;
      if (reserved.has(key)) return methods[key];
      if (role === 'backend') return endpoint.exposed(key);
      return Reflect.get(remote, key);
    },
    set: (_target, key, value) => {
      if (typeof key !== 'string') return false;
      if (reserved.has(key)) throw new TypeError(`ipc.${key} is part of the IPC API and cannot be replaced; expose under another name or use ipc.expose('${key}', fn)`);
      endpoint.expose(key, value);
      return true;
    },
    deleteProperty: (_target, key) => {
      if (typeof key === 'string' && !reserved.has(key)) endpoint.unexpose(key);
      return true;
    },
    has: (_target, key) => typeof key === 'string' && (reserved.has(key) || endpoint.exposed(key) !== undefined),
    ownKeys: () => [...reserved, ...endpoint.exposedNames()],
    getOwnPropertyDescriptor: (_target, key) => {
      if (typeof key !== 'string') return undefined;
      const value = reserved.has(key) ? methods[key] : endpoint.exposed(key);
      return value === undefined ? undefined : { value, writable: true, enumerable: !reserved.has(key), configurable: true };
    },
  }) as BackendIpc | PageIpc;
}

/** A Proxy whose properties are functions calling the other side's exposed functions. */
function remoteFunctions(endpoint: Endpoint, options?: CallOptions): Record<string, (...args: unknown[]) => Promise<unknown>> {
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
