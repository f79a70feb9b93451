// The IPC core: one endpoint per side (Node per window, and the page), the same code
// on both. It sees only a `post(frame)` function and the frames handed to `receive`,
// so two endpoints can be paired in memory with no browser.
//
// What it carries: calls of exposed functions (with cancellation, time limits and
// streamed results), events with replies, and writes to a shared key/value store.
// Messages (their kinds are in wire.ts) queued in the same tick leave as one frame; how
// frames travel (pieces, the data channel) is the link's business (link.ts).
//
// Robustness rules: nothing received can throw out of `receive`; every request that
// waits for something (a handler not yet exposed while this side starts up, a peer not
// yet there) waits for a bounded time; every pending request is rejected when the peer
// goes away. Once a side is up, a request nobody handles is answered at once.
import { decodeFrame, encodeMessage, MalformedMessage, MAX_FRAME_CHARS, MAX_MESSAGE_CHARS } from './codec.js';
import { StreamProducer, StreamReceiver, streamIterator } from './streams.js';
import { joinFrame, type Message, type Request } from './wire.js';

/** What `this` is inside an exposed function or listener (use a `function`, not an arrow). */
export interface HandlerContext {
  /** Fires when the caller aborts or times out, or the page navigates, or the window closes. */
  readonly signal: AbortSignal;
}

export type Handler = (this: HandlerContext, ...args: any[]) => unknown;
export type Listener = (this: HandlerContext, data: any) => unknown;

/** Options for one call or event: `Window.ipcWith({ signal, timeout })`, `Gluon.ipcWith({ signal, timeout })`. */
export interface CallOptions {
  /** Aborting it rejects the call at once (with the signal's reason) and cancels it on the other side. */
  signal?: AbortSignal;
  /** Milliseconds until the call rejects with a TimeoutError (and is cancelled on the other side). */
  timeout?: number;
}

export interface EndpointOptions {
  /** Sends one frame to the other side. May throw or return a rejected promise: both are caught. */
  post: (frame: string) => unknown;
  /** Name of this side in error messages: 'backend' or 'page'. */
  side: 'backend' | 'page';
  /** Name of the other side in error messages. */
  peer: 'backend' | 'page';
  /**
   * While this side starts up (see `startingUp`): how long a call or event for a name nobody
   * handles yet waits for a handler (ms). Also how long a request waits for the peer to exist
   * (`waitForPeer`). Default 5000.
   */
  waitForHandler?: number;
  /**
   * True: this side is starting up until `up()` is called (the page: until its document has run
   * its scripts and fired `load`), and a request for a name nobody handles yet waits, up to
   * `waitForHandler` ms, for a handler. Once up (at once when this is not set), such a request is
   * answered at once: an event with `null`, a call with a ReferenceError.
   */
  startingUp?: boolean;
  /** True: outgoing frames wait until the other side says hello (the backend waits for its page). */
  waitForPeer?: boolean;
  /** The store's owner answers every hello with the whole store. */
  ownsStore?: boolean;
  /** Optional message log (GLUON_DEBUG=ipc). */
  log?: (line: string) => void;
  /** Always-shown warnings (the backend: process.emitWarning), e.g. for a reply that could not be sent. */
  warn?: (message: string) => void;
  /** Limits, for tests (defaults: MAX_MESSAGE_CHARS, MAX_PENDING, MAX_STORE_KEYS). */
  limits?: { messageChars?: number; pending?: number; storeKeys?: number };
}

/** One change of the shared store, as listeners see it. */
export interface StoreChange {
  key: string;
  /** The new value (undefined when deleted). */
  value: unknown;
  deleted: boolean;
  /** True when the other side made the change. */
  remote: boolean;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  what: string;
  sentAt: number;
  /** Set while the request waits for a peer to exist (backend before its page is up). */
  held?: { encoded: string; timer: ReturnType<typeof setTimeout> };
  /** Removes the abort listener and the timeout. */
  cleanup?: () => void;
  /** Set once the answer turned out to be a stream. */
  stream?: StreamReceiver;
}

interface Running {
  controller: AbortController;
  producer?: StreamProducer;
  cancelled?: boolean;
}

interface Parked {
  message: Request;
  epoch: number;
  timer: ReturnType<typeof setTimeout>;
}

const DEFAULT_WAIT = 5000;
/**
 * Most requests (calls and events) one side may have waiting for the other's answers, and most
 * requests of the other side it handles (or holds for a handler) at once.
 */
export const MAX_PENDING = 100_000;
/** Most keys in the shared store. */
export const MAX_STORE_KEYS = 100_000;


/** Error raised on the caller's side when the callee side went away before answering. */
export class IPCClosedError extends Error {
  override name = 'IPCClosedError';
}

export class Endpoint {
  private readonly options: EndpointOptions;
  private readonly handlers = new Map<string, Handler>();
  private readonly listeners = new Map<string, Listener[]>();
  private readonly pending = new Map<number, Pending>();
  private readonly parked = new Map<string, Parked[]>();
  /** Requests of the peer this side is handling, by their id. */
  private readonly running = new Map<number, Running>();
  private readonly storeData = new Map<string, unknown>();
  private readonly storeListeners = new Set<(change: StoreChange) => void>();
  private parkedCount = 0;
  private readonly limits: { messageChars: number; pending: number; storeKeys: number };
  private outbox: string[] = [];
  private flushScheduled = false;
  private nextId = 1;
  /** Bumped whenever the peer changes, so late replies to a previous page are dropped. */
  private epoch = 0;
  private peerReady: boolean;
  /** False while this side starts up: requests for names nobody handles yet wait for a handler. */
  private isUp: boolean;
  private closedReason: Error | undefined;

  constructor(options: EndpointOptions) {
    this.options = options;
    this.peerReady = !options.waitForPeer;
    this.isUp = !options.startingUp;
    this.limits = { messageChars: MAX_MESSAGE_CHARS, pending: MAX_PENDING, storeKeys: MAX_STORE_KEYS, ...options.limits };
  }

  // ---------------------------------------------------------------- exposing

  expose(name: string, handler: Handler): void {
    if (typeof name !== 'string' || !name) throw new TypeError('expose(name, fn): the name must be a non-empty string');
    if (typeof handler !== 'function') throw new TypeError(`expose('${name}', fn): fn must be a function, got ${describe(handler)}`);
    this.handlers.set(name, handler);
    this.releaseParked(`call:${name}`);
  }

  unexpose(name: string): boolean {
    return this.handlers.delete(name);
  }

  exposed(name: string): Handler | undefined {
    return this.handlers.get(name);
  }

  exposedNames(): string[] {
    return [...this.handlers.keys()];
  }

  /** Calls a function the other side exposed. */
  call(name: string, args: unknown[], options?: CallOptions): Promise<unknown> {
    return this.request({ k: 'call', id: 0, name: String(name), args }, `${name}()`, options);
  }

  // ------------------------------------------------------------------ events

  on(type: string, listener: Listener): void {
    if (typeof listener !== 'function') throw new TypeError(`on('${type}', callback): callback must be a function, got ${describe(listener)}`);
    const list = this.listeners.get(type);
    if (list) list.push(listener);
    else this.listeners.set(type, [listener]);
    this.releaseParked(`event:${type}`);
  }

  removeListener(type: string, listener?: Listener): boolean {
    const list = this.listeners.get(type);
    if (!list) return false;
    const index = listener ? list.indexOf(listener) : -1;
    if (listener && index === -1) return false;
    if (listener) list.splice(index, 1);
    else list.length = 0;
    if (list.length === 0) this.listeners.delete(type);
    return true;
  }

  /** Sends an event; resolves to the first non-undefined reply of the other side's listeners, or null. */
  send(type: string, data?: unknown, options?: CallOptions): Promise<unknown> {
    return this.request({ k: 'event', id: 0, type: String(type), data }, `event '${type}'`, options);
  }

  // ------------------------------------------------------------------- store

  storeGet(key: string): unknown {
    return this.storeData.get(key);
  }

  storeHas(key: string): boolean {
    return this.storeData.has(key);
  }

  storeKeys(): string[] {
    return [...this.storeData.keys()];
  }

  storeEntries(): [string, unknown][] {
    return [...this.storeData.entries()];
  }

  storeSet(key: string, value: unknown): void {
    if (value === undefined) return void this.storeDelete(key);
    // Encode first: a value that cannot cross throws here, at the writer, and changes nothing.
    const encoded = encodeMessage({ k: 'store', key: String(key), value } satisfies Message);
    if (encoded.length > this.limits.messageChars) {
      throw new RangeError(`store.${String(key).slice(0, 60)}: the value is ${this.overLimit(encoded)}`);
    }
    if (!this.storeData.has(String(key)) && this.storeData.size >= this.limits.storeKeys) {
      throw new RangeError(`store.${String(key).slice(0, 60)}: the store already holds ${this.storeData.size} keys, its limit; delete some first`);
    }
    this.storeData.set(String(key), value);
    this.storeChanged({ key: String(key), value, deleted: false, remote: false });
    this.enqueue(encoded);
  }

  storeDelete(key: string): boolean {
    const had = this.storeData.delete(String(key));
    this.storeChanged({ key: String(key), value: undefined, deleted: true, remote: false });
    this.enqueue(encodeMessage({ k: 'store', key: String(key), del: 1 } satisfies Message));
    return had;
  }

  /** Calls `listener` after every store change, local or remote. Returns an unsubscribe function. */
  onStoreChange(listener: (change: StoreChange) => void): () => void {
    this.storeListeners.add(listener);
    return () => this.storeListeners.delete(listener);
  }

  /**
   * The whole store as one frame, for the peer's `receive` (or its link's control channel) to load
   * before anything else arrives: the backend hands it to every new document in an init script.
   * Throws if a stored value cannot be encoded.
   */
  storeSnapshotFrame(): string {
    return joinFrame([encodeMessage({ k: 'store-all', entries: this.storeEntries() } satisfies Message)]);
  }

  /** Replaces the local store without telling the other side (initial snapshot). */
  loadStore(entries: Iterable<[string, unknown]>): void {
    this.storeData.clear();
    for (const [key, value] of entries) {
      if (this.storeData.size >= this.limits.storeKeys) break;
      this.storeData.set(key, value);
    }
  }

  // --------------------------------------------------------------- lifecycle

  /** The page side calls this once on boot: the backend then knows a (new) page is listening. */
  hello(): void {
    this.enqueue(encodeMessage({ k: 'hello' } satisfies Message));
  }

  /**
   * This side has started up (the page: its document ran its scripts and fired `load`): from now
   * on a call or event for a name nobody handles is answered at once, and so are those waiting.
   */
  up(): void {
    if (this.isUp) return;
    this.isUp = true;
    for (const [key, list] of this.parked) {
      this.parked.delete(key);
      this.parkedCount -= list.length;
      for (const item of list) {
        clearTimeout(item.timer);
        this.unheard(item.message, item.epoch);
      }
    }
  }

  get isStartingUp(): boolean {
    return !this.isUp;
  }

  /**
   * The peer is gone (the page reloaded, navigated or closed). Pending requests to it
   * reject with `reason`; handlers still running for it will have their replies dropped.
   */
  peerGone(reason: string): void {
    this.epoch++;
    if (this.options.waitForPeer) this.peerReady = false;
    const error = new IPCClosedError(reason);
    for (const [id, pending] of this.pending) {
      if (pending.held && !this.closedReason) continue; // never reached the old peer: waits for the next one
      if (pending.held) clearTimeout(pending.held.timer);
      this.settle(id);
      const failure = withWhat(error, pending.what);
      pending.stream?.fail(failure);
      pending.reject(failure);
    }
    for (const running of this.running.values()) {
      running.controller.abort(error);
      running.producer?.stop();
    }
    this.running.clear();
    for (const [key, list] of this.parked) {
      for (const item of list) clearTimeout(item.timer);
      this.parked.delete(key);
    }
    this.parkedCount = 0;
  }

  /** Closes the endpoint for good: everything pending rejects, nothing more is sent. */
  close(reason: string): void {
    if (this.closedReason) return;
    this.closedReason = new IPCClosedError(reason);
    this.peerGone(reason);
    this.outbox = [];
  }

  get closed(): boolean {
    return this.closedReason !== undefined;
  }

  /** Hands one received frame to the endpoint. Never throws. */
  receive(frame: unknown): void {
    if (this.closedReason) return;
    let messages: unknown[];
    try {
      if (typeof frame !== 'string') throw new TypeError(`expected a string frame, got ${typeof frame}`);
      messages = decodeFrame(frame);
    } catch (error) {
      this.log(`dropped a malformed frame from the ${this.options.peer}: ${(error as Error)?.message}`);
      return;
    }
    if (this.options.log && messages.length > 1) this.log(`<- frame of ${messages.length} messages, ${(frame as string).length} chars`);
    for (const message of messages) {
      try {
        this.dispatch(message);
      } catch (error) {
        this.log(`dropped a message the ${this.options.peer} sent: ${(error as Error)?.message}`);
      }
    }
  }

  // ---------------------------------------------------------------- internals

  private request(message: Request, what: string, options: CallOptions = {}): Promise<unknown> {
    if (this.closedReason) return Promise.reject(withWhat(this.closedReason, what));
    const { signal, timeout } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    message.id = this.nextId++;
    let encoded: string;
    try {
      encoded = encodeMessage(message);
    } catch (error) {
      return Promise.reject(new TypeError(`${what}: the ${message.k === 'call' ? 'arguments' : 'data'} cannot be sent to the ${this.options.peer}: ${(error as Error)?.message}`));
    }
    if (encoded.length > this.limits.messageChars) {
      return Promise.reject(new RangeError(`${what}: the ${message.k === 'call' ? 'arguments are' : 'data is'} ${this.overLimit(encoded)}. ` +
        'Send it in parts (an async generator streams them).'));
    }
    if (this.pending.size >= this.limits.pending) {
      return Promise.reject(new RangeError(`${what}: ${this.pending.size} calls and events already wait for the ${this.options.peer}'s answers, ` +
        `the limit; await some before sending more`));
    }
    const id = message.id;
    return new Promise((resolve, reject) => {
      const pending: Pending = { resolve, reject, what, sentAt: Date.now() };
      this.pending.set(id, pending);
      if (signal || timeout !== undefined) {
        const onAbort = () => this.abortRequest(id, signal!.reason);
        signal?.addEventListener('abort', onAbort, { once: true });
        const timer = timeout === undefined ? undefined : setTimeout(
          () => this.abortRequest(id, new DOMException(`${what} timed out after ${timeout} ms`, 'TimeoutError')),
          timeout,
        );
        pending.cleanup = () => {
          signal?.removeEventListener('abort', onAbort);
          clearTimeout(timer);
        };
      }
      if (this.options.log) this.log(`-> ${describeRequest(message)} #${id}, ${encoded.length} chars`);
      if (this.peerReady) return this.enqueue(encoded);
      const wait = this.options.waitForHandler ?? DEFAULT_WAIT;
      const timer = setTimeout(() => {
        if (this.pending.get(id) !== pending) return;
        this.pending.delete(id);
        reject(new IPCClosedError(`${what} failed: no ${this.options.peer} was listening within ${wait} ms ` +
          `(it has not loaded yet, or it navigated to a page without Gluon)`));
      }, wait);
      if (typeof (timer as any).unref === 'function') (timer as any).unref();
      pending.held = { encoded, timer };
    });
  }

  /** The caller gave up on a request: reject it now and tell the other side to stop. */
  private abortRequest(id: number, reason: unknown): void {
    const pending = this.settle(id);
    if (!pending) return;
    if (pending.held) clearTimeout(pending.held.timer);
    else this.enqueue(encodeMessage({ k: 'cancel', id } satisfies Message));
    pending.stream?.fail(reason);
    pending.reject(reason);
    if (this.options.log) this.log(`-> cancel ${pending.what} #${id}: ${(reason as Error)?.name ?? reason}`);
  }

  /** Forgets a pending request and its abort listener / timeout. */
  private settle(id: number): Pending | undefined {
    const pending = this.pending.get(id);
    if (!pending) return undefined;
    this.pending.delete(id);
    pending.cleanup?.();
    return pending;
  }

  /** Queues an encoded message for the next frame. Before the peer exists only requests wait (held in `pending`). */
  private enqueue(encoded: string): void {
    if (this.closedReason || !this.peerReady) return;
    this.outbox.push(encoded);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      queueMicrotask(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.outbox.length === 0) return;
    const outbox = this.outbox;
    this.outbox = [];
    // Frames stay under MAX_FRAME_CHARS (the receiver's limit): a long batch leaves as several.
    let from = 0;
    let chars = 0;
    for (let index = 0; index < outbox.length; index++) {
      chars += outbox[index].length + 1;
      if (chars > MAX_FRAME_CHARS - 2 && index > from) {
        this.post(joinFrame(outbox.slice(from, index)));
        from = index;
        chars = outbox[index].length + 1;
      }
    }
    this.post(from === 0 ? joinFrame(outbox) : joinFrame(outbox.slice(from)));
  }

  private post(frame: string): void {
    try {
      const result = this.options.post(frame) as Promise<unknown> | undefined;
      if (result && typeof result.then === 'function') result.then(undefined, (error) => this.postFailed(error));
    } catch (error) {
      this.postFailed(error);
    }
  }

  private postFailed(error: unknown): void {
    this.log(`could not post to the ${this.options.peer}: ${(error as Error)?.message ?? error}`);
  }

  private dispatch(raw: unknown): void {
    if (raw instanceof MalformedMessage) return this.unreadable(raw);
    if (raw instanceof Error) throw raw;
    const message = raw as Message;
    if (!message || typeof message !== 'object' || typeof (message as any).k !== 'string') throw new TypeError('not an IPC message');
    switch (message.k) {
      case 'hello':
        return this.onHello();
      case 'call':
      case 'event':
        if (!Number.isSafeInteger(message.id) || message.id <= 0) throw new TypeError('request without a valid id');
        if (message.k === 'call' && (typeof message.name !== 'string' || !Array.isArray(message.args))) throw new TypeError('malformed call');
        if (message.k === 'event' && typeof message.type !== 'string') throw new TypeError('malformed event');
        return this.handleRequest(message, this.epoch);
      case 'ok':
      case 'err': {
        const pending = this.settle(message.id);
        if (!pending) return;
        if (this.options.log) this.log(`<- ${message.k} for ${pending.what} #${message.id} after ${Date.now() - pending.sentAt} ms`);
        if (message.k === 'ok') return pending.resolve(message.value);
        const error = message.error instanceof Error ? addLocalStack(message.error, pending.what) : message.error;
        pending.stream?.fail(error);
        return pending.reject(error);
      }
      case 'stream': {
        const pending = this.pending.get(message.id);
        if (!pending || pending.stream) return;
        const id = message.id;
        pending.stream = new StreamReceiver(
          (n) => this.enqueue(encodeMessage({ k: 'pull', id, n } satisfies Message)),
          () => {
            if (this.settle(id)) this.enqueue(encodeMessage({ k: 'cancel', id } satisfies Message));
          },
        );
        if (this.options.log) this.log(`<- stream for ${pending.what} #${id} after ${Date.now() - pending.sentAt} ms`);
        return pending.resolve(pending.stream);
      }
      case 'item':
        return this.pending.get(message.id)?.stream?.push(message.value);
      case 'end':
        return this.settle(message.id)?.stream?.end();
      case 'pull':
        return this.running.get(message.id)?.producer?.grant(message.n);
      case 'cancel':
        return this.cancelRunning(message.id);
      case 'store':
        if (typeof message.key !== 'string') throw new TypeError('malformed store write');
        if (!message.del && !this.storeData.has(message.key) && this.storeData.size >= this.limits.storeKeys) {
          throw new RangeError(`a store write for a new key, over the limit of ${this.limits.storeKeys} keys`);
        }
        if (message.del) this.storeData.delete(message.key);
        else this.storeData.set(message.key, message.value);
        this.storeChanged({ key: message.key, value: message.del ? undefined : message.value, deleted: !!message.del, remote: true });
        return;
      case 'store-all':
        if (!Array.isArray(message.entries)) throw new TypeError('malformed store snapshot');
        this.loadStore(message.entries.filter((entry) => Array.isArray(entry) && typeof entry[0] === 'string'));
        return;
      default:
        throw new TypeError(`unknown message kind '${String((message as any).k).slice(0, 40)}'`);
    }
  }

  /** A message that could not be decoded: fail the request or the call it belongs to, so nothing waits forever. */
  private unreadable(malformed: MalformedMessage): void {
    const { kind, id } = malformed;
    if (id !== undefined && (kind === 'call' || kind === 'event')) {
      this.reply(id, this.epoch, false, new TypeError(`the ${this.options.side} could not read this ${kind}: ${malformed.message}`));
    } else if (id !== undefined && (kind === 'ok' || kind === 'err' || kind === 'item')) {
      const pending = this.settle(id);
      const error = new TypeError(`the ${this.options.peer}'s answer to ${pending?.what ?? 'a call'} could not be read: ${malformed.message}`);
      pending?.stream?.fail(error);
      pending?.reject(error);
    }
    throw malformed; // logged by receive()
  }

  private onHello(): void {
    // A (new) page is listening: whatever the old one was doing is over.
    this.peerGone(`the ${this.options.peer} reloaded or navigated before answering`);
    this.peerReady = true;
    if (this.options.ownsStore) this.enqueue(encodeMessage({ k: 'store-all', entries: this.storeEntries() } satisfies Message));
    for (const pending of this.pending.values()) {
      if (!pending.held) continue;
      clearTimeout(pending.held.timer);
      this.enqueue(pending.held.encoded);
      pending.held = undefined;
    }
  }

  private handleRequest(message: Request, epoch: number): void {
    if (this.options.log) this.log(`<- ${describeRequest(message)} #${message.id}`);
    if (this.running.size + this.parkedCount >= this.limits.pending) {
      return void this.reply(message.id, epoch, false, new RangeError(
        `the ${this.options.side} is already handling ${this.limits.pending} calls and events from the ${this.options.peer}, the limit; ` +
        `${describeRequest(message)} was refused`));
    }
    const key = message.k === 'call' ? `call:${message.name}` : `event:${message.type}`;
    const ready = message.k === 'call' ? this.handlers.has(message.name) : this.listeners.has(message.type);
    if (ready) return void this.run(message, epoch);
    if (this.isUp) return this.unheard(message, epoch);
    this.park(key, message, epoch);
  }

  /**
   * Answers a request nobody handles: an event with `null` (Gluon's "no reply"), a call with a
   * ReferenceError naming what is exposed. `waited`: how long it waited for a handler, if it did.
   */
  private unheard(message: Request, epoch: number, waited?: number): void {
    if (this.options.log) this.log(`-> ${message.k === 'event' ? 'null' : 'err'} for ${describeRequest(message)} #${message.id}: nobody ${message.k === 'event' ? 'listens' : 'exposed it'}`);
    if (message.k === 'event') return void this.reply(message.id, epoch, true, null);
    const known = this.exposedNames();
    const { side } = this.options;
    this.reply(message.id, epoch, false, new ReferenceError(
      `No function named '${message.name}' is exposed by the ${side}` +
      (waited === undefined ? '. ' : ` (waited ${waited} ms for the ${side} to start up and expose it). `) +
      (known.length ? `Exposed: ${known.slice(0, 20).join(', ')}${known.length > 20 ? ', ...' : ''}. ` : 'Nothing is exposed yet. ') +
      exposeHint(side, message.name),
    ));
  }

  /** While this side starts up, a request for a name nobody handles yet waits (bounded) for a handler to appear. */
  private park(key: string, message: Request, epoch: number): void {
    const wait = this.options.waitForHandler ?? DEFAULT_WAIT;
    const timer = setTimeout(() => {
      const list = this.parked.get(key);
      const index = list ? list.indexOf(item) : -1;
      if (index === -1) return;
      list!.splice(index, 1);
      this.parkedCount--;
      if (list!.length === 0) this.parked.delete(key);
      this.unheard(message, epoch, wait);
    }, wait);
    if (typeof (timer as any).unref === 'function') (timer as any).unref();
    const item: Parked = { message, epoch, timer };
    this.parkedCount++;
    const list = this.parked.get(key);
    if (list) list.push(item);
    else this.parked.set(key, [item]);
  }

  private releaseParked(key: string): void {
    const list = this.parked.get(key);
    if (!list) return;
    this.parked.delete(key);
    this.parkedCount -= list.length;
    for (const item of list) {
      clearTimeout(item.timer);
      void this.run(item.message, item.epoch);
    }
  }

  private async run(message: Request, epoch: number): Promise<void> {
    const started = Date.now();
    const running: Running = { controller: new AbortController() };
    this.running.set(message.id, running);
    const context: HandlerContext = { signal: running.controller.signal };
    const reply = (ok: boolean, value: unknown) => {
      if (this.running.get(message.id) === running) this.running.delete(message.id);
      if (running.cancelled) return;
      const sent = this.reply(message.id, epoch, ok, value, describeRequest(message));
      if (this.options.log) this.log(`-> ${sent.ok ? 'ok' : 'err'} for ${describeRequest(message)} #${message.id} after ${Date.now() - started} ms${sent.chars ? `, ${sent.chars} chars` : ' (dropped: the page is gone)'}`);
    };
    try {
      let result: unknown;
      if (message.k === 'call') {
        const handler = this.handlers.get(message.name);
        if (!handler) throw new ReferenceError(`'${message.name}' was unexposed`);
        result = await handler.apply(context, message.args);
        const iterator = streamIterator(result);
        if (iterator) return this.produce(message.id, epoch, running, iterator);
      } else {
        result = null;
        let replied = false;
        for (const listener of [...(this.listeners.get(message.type) ?? [])]) {
          const value = await listener.call(context, message.data);
          if (!replied && value !== undefined) {
            result = value;
            replied = true;
          }
        }
      }
      reply(true, result);
    } catch (error) {
      reply(false, error);
    }
  }

  /** Streams a result's items as the caller grants credits. */
  private produce(id: number, epoch: number, running: Running, iterator: AsyncIterator<unknown>): Promise<void> {
    if (epoch !== this.epoch || running.cancelled || this.closedReason) {
      void Promise.resolve(iterator.return?.()).catch(() => {});
      return Promise.resolve();
    }
    const producer = new StreamProducer(iterator, (part) => {
      if (epoch !== this.epoch || this.closedReason) return producer.stop();
      let encoded: string;
      try {
        encoded = encodeMessage({ ...part, id });
      } catch (error) {
        producer.stop();
        const why = `a streamed item cannot be sent to the ${this.options.peer}: ${(error as Error)?.message}`;
        this.options.warn?.(`stream #${id}: ${why}; the stream ends with this error`);
        encoded = encodeMessage({ k: 'err', id, error: new TypeError(why) });
      }
      this.enqueue(encoded);
    });
    running.producer = producer;
    this.enqueue(encodeMessage({ k: 'stream', id } satisfies Message));
    return producer.run().finally(() => {
      if (this.running.get(id) === running) this.running.delete(id);
    });
  }

  /** The caller cancelled request `id`: fire its signal, stop its stream, drop its reply. */
  private cancelRunning(id: number): void {
    const running = this.running.get(id);
    if (running) {
      running.cancelled = true;
      this.running.delete(id);
      running.controller.abort(new DOMException(`the ${this.options.peer} cancelled this call`, 'AbortError'));
      running.producer?.stop();
      return;
    }
    for (const [key, list] of this.parked) {
      const index = list.findIndex((item) => item.message.id === id);
      if (index === -1) continue;
      clearTimeout(list[index].timer);
      list.splice(index, 1);
      this.parkedCount--;
      if (list.length === 0) this.parked.delete(key);
      return;
    }
  }

  /** Sends a reply; returns what was sent (an error in place of a result that cannot be encoded) and its size, 0 when dropped. */
  private reply(id: number, epoch: number, ok: boolean, value: unknown, what = `request #${id}`): { ok: boolean; chars: number } {
    if (epoch !== this.epoch || this.closedReason) return { ok, chars: 0 }; // the page that asked is gone
    let encoded: string;
    try {
      encoded = encodeMessage(ok ? { k: 'ok', id, value } : { k: 'err', id, error: value });
      if (encoded.length > this.limits.messageChars) {
        throw new RangeError(`it is ${this.overLimit(encoded)}`);
      }
    } catch (error) {
      const why = `the ${ok ? 'result' : 'error'} cannot be sent back from the ${this.options.side}: ${(error as Error)?.message}`;
      this.options.warn?.(`${what}: ${why}; the ${this.options.peer}'s call rejects with this error instead`);
      encoded = encodeMessage({ k: 'err', id, error: new TypeError(why) });
      ok = false;
    }
    this.enqueue(encoded);
    return { ok, chars: encoded.length };
  }

  private storeChanged(change: StoreChange): void {
    for (const listener of [...this.storeListeners]) {
      try {
        listener(change);
      } catch (error) {
        // A listener's bug must not break the store; report it like an unhandled error would be.
        queueMicrotask(() => { throw error; });
      }
    }
  }

  /** How an encoded message over the size limit is described in errors. */
  private overLimit(encoded: string): string {
    const chars = (n: number) => `${n.toLocaleString('en-US')} characters`;
    return `${chars(encoded.length)} encoded, over the ${chars(this.limits.messageChars)} limit for one IPC message`;
  }

  private log(line: string): void {
    this.options.log?.(line);
  }
}

function withWhat(error: Error, what: string): Error {
  const copy = new IPCClosedError(`${what} failed: ${error.message}`);
  return copy;
}

function addLocalStack(error: Error, what: string): Error {
  // The remote stack is already in error.stack (see reviveError); say which call it was.
  const local = new Error(`while waiting for ${what}`).stack?.split('\n').slice(2).join('\n');
  if (local && error.stack) error.stack = `${error.stack}\n    --- awaited here ---\n${local}`;
  return error;
}

function describeRequest(message: Request): string {
  return message.k === 'call' ? `call ${message.name}()` : `event '${message.type}'`;
}

/**
 * How to expose `name` on `side`, for the error a call of a missing function gets; for the names
 * gluon-ts's page API had on `Gluon.ipc` before they moved, where they are now (see facade.ts).
 */
function exposeHint(side: 'backend' | 'page', name: string): string {
  const property = /^[A-Za-z_$][\w$]*$/.test(name) ? `.${name}` : `['${name}']`;
  const hint = side === 'backend'
    ? `Expose it with Window.ipc${property} = fn or Window.ipc.expose('${name}', fn).`
    : `Expose it with Gluon.ipc${property} = fn or Gluon.ipcExpose('${name}', fn).`;
  const moved = side === 'backend' && ['expose', 'unexpose', 'with'].includes(name)
    ? ` (Gluon.ipc.${name} calls a backend function of that name, as any name but send, on, removeListener and store does; ` +
      `gluon-ts's own is Gluon.ipc${name[0].toUpperCase()}${name.slice(1)}.)`
    : '';
  return hint + moved;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  return typeof value === 'object' ? Object.prototype.toString.call(value) : typeof value;
}

