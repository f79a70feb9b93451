// End-to-end types for the IPC, with no code generation. An app describes its IPC once,
// as one interface shared by the backend and the page:
//
//   export interface AppIpc {
//     backend: { getConfig(): Config; add(a: number, b: number): number };  // what the backend exposes
//     page: { render(html: string): void };                                   // what the page exposes
//     events: { refresh: { data: { id: number }; reply: string } };           // events, both directions
//     store: { user: string; theme: 'light' | 'dark' };                       // the shared store
//   }
//
// and gets `Window<AppIpc>['ipc']` (= BackendIpc<AppIpc>) from `open<AppIpc>(...)` in Node,
// and `PageGluon<AppIpc>` for `window.Gluon` in the page (from the types-only `gluon-ts/page`).
// Every part is optional: a part left out stays as permissive as Gluon's own API (names are
// free, values are `any`), so `open()` without a type argument keeps today's behaviour.
//
// This file only holds types: the runtime (src/ipc/facade.ts) is the same whatever the types say.

// ---------------------------------------------------------------------------------------------
// The description an app writes

/** The shape an app's IPC description must have. Every part is optional. */
export interface IpcSchema {
  /** Functions the backend exposes and the page calls: `{ name(...args): result }`. A result may be a Promise or an AsyncIterable. */
  backend?: object;
  /** Functions the page exposes and the backend calls with `Window.ipcPage.name(...)`. */
  page?: object;
  /** Events either side sends: `{ type: { data: D; reply: R } }` (`data` and `reply` may be left out: no data, no reply). */
  events?: object;
  /** The shared store: `{ key: valueType }`. */
  store?: object;
}

/** Any function: what an undescribed part allows. */
export type AnyFunction = (...args: any[]) => any;
/** The permissive function map used when `backend` or `page` is left out. */
export type AnyFunctions = { [name: string]: AnyFunction };
/** The permissive event map used when `events` is left out. */
export type AnyEvents = { [type: string]: { data: any; reply: any } };
/** The permissive store used when `store` is left out. */
export type AnyStore = { [key: string]: any };

/** What `open()` uses with no type argument: every part permissive, like Gluon's untyped API. */
export interface DefaultIpc {
  backend: AnyFunctions;
  page: AnyFunctions;
  events: AnyEvents;
  store: AnyStore;
}

// Options for `Window.ipcWith(options)` / `Gluon.ipcWith(options)` and the `this` of handlers: defined once, by the IPC core.
import type { CallOptions, HandlerContext } from '../ipc/endpoint.js';
export type { CallOptions, HandlerContext };

// ---------------------------------------------------------------------------------------------
// Reading a description

type Part<T, K extends keyof IpcSchema, Fallback> = K extends keyof T ? Exclude<T[K], undefined> : Fallback;

/** The functions the backend exposes in `T` (permissive when `T` has no `backend`). */
export type BackendFunctionsOf<T> = Part<T, 'backend', AnyFunctions>;
/** The functions the page exposes in `T` (permissive when `T` has no `page`). */
export type PageFunctionsOf<T> = Part<T, 'page', AnyFunctions>;
/** The event map of `T` (permissive when `T` has no `events`). */
export type EventsOf<T> = Part<T, 'events', AnyEvents>;
/** The store of `T` (permissive when `T` has no `store`). */
export type StoreOf<T> = Part<T, 'store', AnyStore>;

/** True for a map with a string index signature, i.e. one that names nothing in particular. */
type IsOpen<M> = string extends keyof M ? true : false;

/**
 * Gluon's names on the backend's `Window.ipc`: its API, so not properties for exposed functions
 * (expose a function of such a name with `Window.ipc.expose(name, fn)`). Every other name is the app's.
 */
export type IpcMethodName = 'send' | 'on' | 'removeListener' | 'expose' | 'unexpose' | 'store';
/**
 * Gluon's names on the page's `Gluon.ipc`: its API, so the page cannot call backend functions of
 * these names through it. Any other name calls the backend function of that name.
 */
export type PageIpcMethodName = 'send' | 'on' | 'removeListener' | 'store';
/** Names a call Proxy never answers (it would look like a Promise, etc.). */
type NotCallableName = 'then' | 'catch' | 'finally' | 'toJSON' | 'constructor' | 'valueOf' | 'toString' | 'inspect';

/** The names of the function members of `F` that can go through the IPC, less the names in `Taken`. */
export type FunctionNames<F, Taken extends string = never> = Exclude<
  Extract<{ [K in keyof F]-?: F[K] extends AnyFunction ? K : never }[keyof F], string>,
  Taken | NotCallableName
>;

/** A value, or a Promise (any thenable) of it. */
export type MaybePromise<R> = R | PromiseLike<R>;


/** The item type of a web `ReadableStream<X>` (found structurally: no DOM or Node types needed). */
type ReadableStreamItem<V> = V extends { getReader(): infer Reader }
  ? Reader extends { read(): PromiseLike<infer Result> }
    ? Result extends { done: false; value: infer X }
      ? X
      : never
    : never
  : never;

/**
 * What a caller receives for a result of type `R`: the awaited value; for a stream (an async
 * iterable such as an `async function*`, or a `ReadableStream`) an `AsyncIterable` of its items.
 */
export type Received<R> =
  Awaited<R> extends infer V
    ? V extends AsyncIterable<infer X>
      ? AsyncIterable<X>
      : [ReadableStreamItem<V>] extends [never]
        ? V
        : AsyncIterable<ReadableStreamItem<V>>
    : never;

/**
 * The function a side exposes for the description `F`: same parameters, the result plain or in
 * a Promise; `this.signal` tells it the caller gave up.
 */
export type Implementation<F> = F extends (...args: infer A) => infer R ? (this: HandlerContext, ...args: A) => MaybePromise<Awaited<R>> : never;

/** The function the other side calls for the description `F`: same parameters, always a Promise. */
export type RemoteFunction<F> = F extends (...args: infer A) => infer R ? (...args: A) => Promise<Received<R>> : never;

/** A function exposed to an undescribed side: anything, with `this.signal`. */
export type UntypedHandler = (this: HandlerContext, ...args: any[]) => any;

/** Callers for every function of `F` (but those named in `Taken`, which the caller's object uses itself). */
export type RemoteFunctions<F, Taken extends string = never> = IsOpen<F> extends true
  ? { readonly [name: string]: (...args: any[]) => Promise<any> }
  : { readonly [K in FunctionNames<F, Taken>]: RemoteFunction<F[K]> };

/** What `expose({ ... })` accepts for `F`: any subset of its functions, nothing else. */
export type Implementations<F> = IsOpen<F> extends true
  ? { [name: string]: UntypedHandler }
  : { [K in FunctionNames<F>]?: Implementation<F[K]> };

/** The names `expose`/`unexpose` accept for the function map `F` (any string when `F` is undescribed). */
export type ExposableName<F> = IsOpen<F> extends true ? string : FunctionNames<F>;

/** `expose(name, handler)` and `expose({ name: handler, ... })`, each handler checked against `F`. */
export type ExposeFunction<F> = IsOpen<F> extends true
  ? { (name: string, handler: UntypedHandler): void; (handlers: { [name: string]: UntypedHandler }): void }
  : {
      <K extends FunctionNames<F>>(name: K, handler: Implementation<F[K]>): void;
      (handlers: Implementations<F>): void;
    };

// ---------------------------------------------------------------------------------------------
// Events

/** The names of the events in the map `E`. */
export type EventName<E> = Extract<keyof E, string>;
/** The data an event of type `K` carries (`undefined` when its description has no `data`). */
export type EventData<E, K extends keyof E> = 'data' extends keyof E[K] ? E[K]['data' & keyof E[K]] : undefined;
/** The reply an event of type `K` expects (`void` when its description has no `reply`). */
export type EventReply<E, K extends keyof E> = 'reply' extends keyof E[K] ? E[K]['reply' & keyof E[K]] : void;

/** `data` may be left out when the event's data may be undefined. */
type DataArgs<D> = undefined extends D ? [data?: D] : [data: D];

/** A listener for events of type `K`: gets the data, returns the reply (or a Promise of it), or nothing; `this.signal` as for exposed functions. */
export type IpcListener<E, K extends keyof E> = (this: HandlerContext, data: EventData<E, K>) => MaybePromise<EventReply<E, K>> | MaybePromise<void>;

/** Sends an event; resolves to the first listener's reply that is not undefined, or `null` when no listener replied. */
export type SendFunction<E> = <K extends EventName<E>>(type: K, ...data: DataArgs<EventData<E, K>>) => Promise<EventReply<E, K> | null>;

/** The event half of an `ipc` object, typed by the event map `E`. */
export interface IpcEvents<E> {
  /** Sends an event to the other side; resolves to the first reply that is not undefined, or `null` if none. */
  readonly send: SendFunction<E>;
  /** Listens to events of `type`; the listener's return value (or awaited Promise) is the reply. */
  readonly on: <K extends EventName<E>>(type: K, callback: NoInfer<IpcListener<E, K>>) => void;
  /** Stops one listener, or every listener of `type` when none is given. True if something was removed. */
  readonly removeListener: <K extends EventName<E>>(type: K, callback?: NoInfer<IpcListener<E, K>>) => boolean;
}

// ---------------------------------------------------------------------------------------------
// The store

/** Store members that are methods: a key with one of these names is only reachable with get/set. */
export type StoreMethodName = 'get' | 'set' | 'keys' | 'delete' | 'has' | 'toJSON' | 'onChange';

/** One change of the shared store, for a store described by `S`; narrow it with `key` and `deleted`. */
export type StoreChangeOf<S> = IsOpen<S> extends true
  ? { key: string; value: any; deleted: boolean; remote: boolean }
  : {
      [K in Extract<keyof S, string>]:
        | { key: K; value: S[K]; deleted: false; /** True when the other side made the change. */ remote: boolean }
        | { key: K; value: undefined; deleted: true; /** True when the other side made the change. */ remote: boolean };
    }[Extract<keyof S, string>];

/** The store's methods, typed by the store description `S`. */
export interface StoreMethods<S> {
  /** The value stored under `key`, or undefined. */
  readonly get: <K extends Extract<keyof S, string>>(key: K) => S[K] | undefined;
  /** Stores `value` under `key` (both sides see it) and returns it. */
  readonly set: <K extends Extract<keyof S, string>>(key: K, value: S[K]) => S[K];
  /** The keys stored now. */
  readonly keys: () => Array<Extract<keyof S, string>>;
  /** Removes `key`; true if it was there. */
  readonly delete: (key: Extract<keyof S, string>) => boolean;
  readonly has: (key: Extract<keyof S, string>) => boolean;
  /** A plain object with every key and value. */
  readonly toJSON: () => Partial<S>;
  /** Calls `listener` after every change, made by either side; returns a function that unsubscribes. */
  readonly onChange: (listener: (change: StoreChangeOf<S>) => void) => () => void;
}

/** The untyped store (no `store` in the description): Gluon's API, any key, any value. */
export interface UntypedStore {
  get(key: string): any;
  set<V>(key: string, value: V): V;
  keys(): string[];
  delete(key: string): boolean;
  has(key: string): boolean;
  toJSON(): Record<string, unknown>;
  onChange(listener: (change: StoreChangeOf<AnyStore>) => void): () => void;
  [key: string]: any;
}

/** `ipc.store` for the store description `S`: methods, and each key as an optional property. */
export type IpcStore<S> = IsOpen<S> extends true
  ? UntypedStore
  : StoreMethods<S> & { [K in Exclude<Extract<keyof S, string>, StoreMethodName>]?: S[K] };

// ---------------------------------------------------------------------------------------------
// The backend's `Window.ipc`

/** What `Window.ipcWith(options)` returns: the backend's calls, made with those options. */
export interface BackendCalls<T> {
  readonly send: SendFunction<EventsOf<T>>;
  /** The functions the page exposed, as `Window.ipcPage` has them. */
  readonly page: RemoteFunctions<PageFunctionsOf<T>>;
}

/** Gluon's IPC methods of the backend's `Window.ipc` (exposed functions aside). */
export interface BackendIpcMethods<T> extends IpcEvents<EventsOf<T>> {
  /** Exposes a function to the page (same as `ipc.name = handler`, and the way for Gluon's own names). */
  readonly expose: ExposeFunction<BackendFunctionsOf<T>>;
  /** Removes an exposed function (same as `delete ipc.name`); true if it was exposed. */
  readonly unexpose: (name: ExposableName<BackendFunctionsOf<T>>) => boolean;
  /** The store both sides share. */
  readonly store: IpcStore<StoreOf<T>>;
}

/** The exposed functions as properties of `Window.ipc`: `ipc.name = fn` exposes, `delete ipc.name` unexposes. */
export type BackendExposed<T> = IsOpen<BackendFunctionsOf<T>> extends true
  ? { [name: string]: any }
  : { [K in FunctionNames<BackendFunctionsOf<T>, IpcMethodName>]?: Implementation<BackendFunctionsOf<T>[K]> };

/** The backend's `Window.ipc`, typed by the app's description `T`. */
export type BackendIpc<T extends IpcSchema = DefaultIpc> = BackendIpcMethods<T> & BackendExposed<T>;

// ---------------------------------------------------------------------------------------------
// The page's `Gluon.ipc`

/** What `Gluon.ipcWith(options)` returns: the page's calls (`send`, and the backend's functions), made with those options. */
export type PageCalls<T> = { readonly send: SendFunction<EventsOf<T>> } & RemoteFunctions<BackendFunctionsOf<T>, 'send'>;

/** Gluon's IPC methods of the page's `Gluon.ipc` (the backend's functions aside). */
export interface PageIpcMethods<T> extends IpcEvents<EventsOf<T>> {
  /** The store both sides share; the page reads it synchronously from its first script. */
  readonly store: IpcStore<StoreOf<T>>;
}

/** The backend's functions as `Gluon.ipc` members: each returns a Promise (untyped: anything goes, as in Gluon). */
export type PageRemotes<T> = IsOpen<BackendFunctionsOf<T>> extends true
  ? { [name: string]: any }
  : RemoteFunctions<BackendFunctionsOf<T>, PageIpcMethodName>;

/** The page's `Gluon.ipc`, typed by the app's description `T`. */
export type PageIpc<T extends IpcSchema = DefaultIpc> = PageIpcMethods<T> & PageRemotes<T>;

/** `Gluon.versions` in the page (Gluon's fields). */
export interface GluonVersions {
  /** The version of Gluon's API that gluon-ts implements ('0.14.0'), as Gluon reports its own version here. */
  gluon: string;
  /** gluon-ts's own version. */
  gluonTs: string;
  /** What built the app ('nothing' when it runs from source). */
  builder: string;
  /** The backend's Node version. */
  node: string;
  /** The browser's version. */
  browser: string;
  browserType: 'chromium' | 'firefox';
  /** The browser's product name ('Chrome', 'Edge', ...). */
  product: string;
  /** JavaScript engine versions (V8, SpiderMonkey). */
  js: { node: string; browser: string };
  embedded: { node: boolean; browser: boolean };
}

/**
 * The page's `window.Gluon`, typed by the app's description `T`: Gluon's `ipc` and `versions`, and
 * gluon-ts's additions beside `ipc`, so that every name on `ipc` but Gluon's own calls the backend.
 */
export interface PageGluon<T extends IpcSchema = DefaultIpc> {
  readonly ipc: PageIpc<T>;
  readonly versions: GluonVersions;
  /** Exposes a page function, which the backend calls with `Window.ipcPage.name(...)` (`Gluon.ipc.name = fn` does the same). */
  readonly ipcExpose: ExposeFunction<PageFunctionsOf<T>>;
  /** Removes a function the page exposed (as `delete Gluon.ipc.name`); true if it was exposed. */
  readonly ipcUnexpose: (name: ExposableName<PageFunctionsOf<T>>) => boolean;
  /** `send` and the backend's functions, called with a signal and/or a timeout. */
  readonly ipcWith: (options: CallOptions) => PageCalls<T>;
}
