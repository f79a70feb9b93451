// The Engine interface on Chromium-family browsers, over CDP on --remote-debugging-pipe
// (no TCP port is opened). Launch: app window on about:blank, attach to its page target,
// install the page channel (Runtime.addBinding), then the window layer adds its init
// script, serving and navigation policy and navigates to the app.
import { randomBytes } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import { chromiumArgs, openChromiumAppWindow } from '../../browser/chromium.js';
import type { FoundBrowser } from '../../browser/find.js';
import { killAllOnExit, spawnBrowser, type BrowserProcess } from '../../browser/process.js';
import { logger } from '../../log.js';
import { eventOrTimeout } from '../../wait.js';
import type {
  CodeCache, CodeCacheEntry, Engine, EngineEvents, EngineLaunchOptions, EngineVersions, MessageSource, PdfOptions, NavigationRequest, RawEvent, ServedRequest, ServedResponse, WindowBounds, WindowInfo, WindowState,
} from '../types.js';
import { oncePerDocument } from '../init-script.js';
import { CdpConnection, CdpError } from './cdp.js';
import { PipeTransport } from './pipe.js';

const log = logger('browser');

/** A message of 100 MiB or more kills Chromium's pipe for good; stay well below. */
export const MAX_MESSAGE_CHARS = 64 * 1024 * 1024;
const LAUNCH_TIMEOUT = 30_000;
/** How long closing one window of several waits for the browser to say it is gone. */
const CLOSE_WAIT = 2000;
/** The app window starts on this empty document (Chromium ignores --app=about:blank), then navigates to the app. */
const BLANK_START = 'data:text/html,';

/** What launchChromium needs: the browser found, plus the engine-neutral launch options. */
export type ChromiumLaunchOptions = EngineLaunchOptions & { browser: FoundBrowser };

/** The windows of one browser, and how it opens another app window (none when headless). */
interface ChromiumFamily {
  windows: Set<ChromiumEngine>;
  newAppWindow?: (url: string) => Promise<void>;
}

interface ContextInfo extends MessageSource {
  id: number;
}

export async function launchChromium(options: ChromiumLaunchOptions): Promise<ChromiumEngine> {
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  // The app's URL is not started here: Chromium's first navigation would leave before interception is on.
  const { browser, temporaryProfile, startUrl: _startUrl, ...commandLine } = options;
  const args = chromiumArgs({ ...commandLine, startUrl: BLANK_START, asRoot });
  log('launching', browser.path, args.join(' '));
  // Orphaned, Chromium quits by itself when its pipe closes (0.1-0.25 s measured): its watchdog lets it.
  const proc = spawnBrowser(browser.path, args, { pipe: true, orphanGraceMs: 500 });
  const unregister = killAllOnExit(proc, temporaryProfile ? options.profileDir : undefined);
  proc.exited.then(unregister, unregister);
  const stdio = proc.child.stdio as unknown as [unknown, unknown, unknown, Writable, Readable];
  const cdp = new CdpConnection(new PipeTransport(stdio[3], stdio[4]));

  const failed = (why: string) =>
    /ProcessSingleton|SingletonLock/.test(proc.stderrTail())
      ? new Error(
          `Could not start ${browser.name}: its profile folder ${options.profileDir} is in use by another browser ` +
            `(another run of this app, or a browser left running by one). One profile serves one browser at a time ` +
            `(the windows of one process share it): close that app, or open this window with { incognito: true } or another { dataPath }.`,
        )
      : new Error(
      `Could not start ${browser.name} (${browser.path}): ${why}.\n` +
        `What it printed last:\n${proc.stderrTail().split('\n').slice(-15).join('\n') || '(nothing)'}\n` +
        `Try running it by hand with --headless to see why, or choose another browser with GLUON_BROWSER or --browser=NAME.`,
    );
  let timer: ReturnType<typeof setTimeout> | undefined;
  const giveUp = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(failed(`it did not answer within ${LAUNCH_TIMEOUT / 1000} s`)), LAUNCH_TIMEOUT);
    proc.exited.then(({ code, signal }) => reject(failed(`it exited during start-up (code ${code}, signal ${signal})`)));
  });
  giveUp.catch(() => {});
  try {
    if (options.devtools === false) closeDevtools(cdp);
    const newAppWindow = options.headless ? undefined : (url: string) => openChromiumAppWindow(browser.path, { profileDir: options.profileDir, asRoot, url });
    const engine = await Promise.race([ChromiumEngine.attach(cdp, proc, browser, { windows: new Set(), newAppWindow }), giveUp]);
    return engine;
  } catch (error) {
    await proc.kill(500).catch(() => {});
    throw error instanceof CdpError ? failed(error.message) : error;
  } finally {
    clearTimeout(timer);
  }
}

export class ChromiumEngine implements Engine {
  readonly name = 'chromium' as const;
  readonly pageSendName = `__gluon_send_${randomBytes(6).toString('hex')}`;
  readonly pageReceiveName = `__gluon_receive_${randomBytes(6).toString('hex')}`;
  private readonly contexts = new Map<number, ContextInfo>();
  private topContext: ContextInfo | undefined;
  private readonly served = new Map<string, (req: ServedRequest) => Promise<ServedResponse>>();
  private navigationPolicy: ((nav: NavigationRequest) => boolean) | undefined;
  private pageMessageHandler: (text: string, from: MessageSource) => void = () => {};
  private readonly listeners: { [K in keyof EngineEvents]: Set<(info: EngineEvents[K]) => void> } = {
    document: new Set(), load: new Set(), close: new Set(),
  };
  private currentUrl = BLANK_START;
  private closeReason: string | undefined;
  private closing: Promise<void> | undefined;
  /** The page target is gone (its window was closed), the browser may not be. */
  private targetGone = false;

  private constructor(
    private readonly cdp: CdpConnection,
    readonly process: BrowserProcess,
    private readonly sessionId: string,
    private readonly targetId: string,
    readonly versions: EngineVersions,
    private readonly family: ChromiumFamily,
  ) {
    family.windows.add(this);
  }

  static async attach(cdp: CdpConnection, proc: BrowserProcess, browser: FoundBrowser, family: ChromiumFamily): Promise<ChromiumEngine> {
    const version = await cdp.send('Browser.getVersion');
    const target = await new Promise<string>((resolve) => {
      const off = cdp.on('Target.targetCreated', ({ targetInfo }) => {
        // Chromium 156 also lists browser_ui targets (omnibox popup...): only a real page will do.
        if (targetInfo.type !== 'page' || targetInfo.url.startsWith('chrome') || targetInfo.url.startsWith('devtools')) return;
        off();
        resolve(targetInfo.targetId);
      });
      void cdp.send('Target.setDiscoverTargets', { discover: true });
    });
    const productVersion = version.product.split('/')[1] ?? version.product;
    const versions: EngineVersions = { product: productVersion, engine: productVersion, jsEngine: version.jsVersion, jsEngineName: 'v8' };
    const engine = await ChromiumEngine.attachTo(cdp, proc, target, versions, family);
    log(`attached to ${browser.name} ${productVersion} (target ${target})`);
    return engine;
  }

  private static async attachTo(cdp: CdpConnection, proc: BrowserProcess, target: string, versions: EngineVersions, family: ChromiumFamily): Promise<ChromiumEngine> {
    const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: target, flatten: true });
    const engine = new ChromiumEngine(cdp, proc, sessionId, target, versions, family);
    await engine.listen();
    return engine;
  }

  async openWindow(o: { windowSize?: [number, number] } = {}): Promise<ChromiumEngine> {
    if (this.closed) throw new Error('the browser of this window is closed');
    const [width, height] = o.windowSize ?? [];
    const { newAppWindow } = this.family;
    let targetId: string;
    if (newAppWindow) {
      // Target.createTarget can only open a tabbed browser window (toolbars and all): an app
      // window comes from the browser's own command line (see openChromiumAppWindow).
      const url = `${BLANK_START}<!--gluon-window-${randomBytes(8).toString('hex')}-->`;
      const created = eventOrTimeout<string>((done) => this.cdp.on('Target.targetCreated', ({ targetInfo }) => {
        if (targetInfo.type === 'page' && targetInfo.url === url) done(targetInfo.targetId);
      }), 15_000, new Error('the browser opened no window within 15 s'));
      created.catch(() => {}); // awaited below, unless the hand-over fails first
      await newAppWindow(url);
      targetId = await created;
    } else {
      ({ targetId } = await this.cdp.send('Target.createTarget', { url: BLANK_START, newWindow: true, width, height }));
    }
    const engine = await ChromiumEngine.attachTo(this.cdp, this.process, targetId, this.versions, this.family);
    if (newAppWindow && width !== undefined && height !== undefined) await engine.setWindow('normal', { width, height }).catch(() => {});
    log(`opened another window (target ${targetId})`);
    return engine;
  }

  private async listen(): Promise<void> {
    const { cdp, sessionId } = this;
    const mine = (id: string | undefined) => id === sessionId;
    cdp.on('Runtime.executionContextCreated', ({ context }, id) => {
      if (!mine(id)) return;
      const aux = (context.auxData ?? {}) as { frameId?: string; isDefault?: boolean };
      const info: ContextInfo = {
        id: context.id,
        origin: context.origin,
        topFrame: aux.frameId === this.targetId && aux.isDefault === true,
        realm: context.uniqueId,
      };
      this.contexts.set(context.id, info);
      if (info.topFrame) {
        this.topContext = info;
        this.emit('document', { url: this.currentUrl, realm: info.realm });
      }
    });
    cdp.on('Runtime.executionContextDestroyed', ({ executionContextId }, id) => {
      if (!mine(id)) return;
      this.contexts.delete(executionContextId);
      if (this.topContext?.id === executionContextId) this.topContext = undefined;
    });
    cdp.on('Runtime.executionContextsCleared', (_params, id) => {
      if (!mine(id)) return;
      this.contexts.clear();
      this.topContext = undefined;
    });
    cdp.on('Runtime.bindingCalled', ({ name, payload, executionContextId }, id) => {
      if (!mine(id) || name !== this.pageSendName) return;
      const from = this.contexts.get(executionContextId);
      if (!from) return log('dropped a page message from an unknown context');
      this.pageMessageHandler(payload, { origin: from.origin, topFrame: from.topFrame, realm: from.realm });
    });
    cdp.on('Page.frameNavigated', ({ frame }, id) => {
      if (!mine(id) || frame.parentId) return;
      this.currentUrl = frame.url + (frame.urlFragment ?? '');
      if (this.seeds.length) void this.addSeeds();
    });
    cdp.on('Page.navigatedWithinDocument', ({ frameId, url }, id) => {
      if (mine(id) && frameId === this.targetId) this.currentUrl = url;
    });
    cdp.on('Page.loadEventFired', (_params, id) => {
      if (mine(id) && this.currentUrl !== BLANK_START) this.emit('load', { url: this.currentUrl });
    });
    cdp.on('Fetch.requestPaused', (params, id) => {
      if (mine(id)) void this.onRequestPaused(params);
    });
    cdp.on('Target.targetDestroyed', ({ targetId }) => {
      if (targetId !== this.targetId) return;
      this.targetGone = true;
      this.markClosed('the window was closed');
    });
    cdp.on('Target.detachedFromTarget', ({ sessionId: detached }) => {
      if (detached !== sessionId) return;
      this.targetGone = true;
      this.markClosed('the window was closed');
    });
    cdp.onClose((reason) => this.markClosed(reason));
    this.process.exited.then(({ code, signal }) =>
      this.markClosed(`the browser exited (${signal ? `signal ${signal}` : `code ${code}`})`),
    );

    await Promise.all([
      cdp.send('Runtime.addBinding', { name: this.pageSendName }, sessionId),
      cdp.send('Page.enable', {}, sessionId),
      cdp.send('Runtime.enable', {}, sessionId),
    ]);
  }

  // ------------------------------------------------------------------ Engine

  get closed(): boolean {
    return this.closeReason !== undefined;
  }

  get pid(): number {
    return this.process.pid;
  }

  async addInitScript(source: string): Promise<() => Promise<void>> {
    const { identifier } = await this.cdp.send(
      'Page.addScriptToEvaluateOnNewDocument',
      { source: oncePerDocument(source), runImmediately: true },
      this.sessionId,
    );
    return async () => {
      if (!this.closed) await this.cdp.send('Page.removeScriptToEvaluateOnNewDocument', { identifier }, this.sessionId);
    };
  }

  async evaluate<T = unknown>(expression: string, opts: { awaitPromise?: boolean } = {}): Promise<T> {
    const result = await this.cdp.send(
      'Runtime.evaluate',
      {
        expression,
        returnByValue: true,
        awaitPromise: opts.awaitPromise ?? true,
        userGesture: true,
      },
      this.sessionId,
    );
    if (result.exceptionDetails) {
      const details = result.exceptionDetails;
      const description = details.exception?.description ?? details.text;
      const error = new Error(description.split('\n')[0].replace(/^\w*Error: /, ''));
      const className = details.exception?.className;
      if (className) error.name = className;
      error.stack = `${error.name}: ${error.message}\n    --- the page's stack ---\n${description.split('\n').slice(1).join('\n')}`;
      throw error;
    }
    return result.result.value as T;
  }

  onPageMessage(handler: (text: string, from: MessageSource) => void): void {
    this.pageMessageHandler = handler;
  }

  async postToPage(text: string): Promise<void> {
    if (text.length > MAX_MESSAGE_CHARS) {
      throw new RangeError(`a message of ${text.length} characters is over the ${MAX_MESSAGE_CHARS} limit for the page channel`);
    }
    const context = this.topContext;
    if (!context) throw new Error('the page has no document to receive messages');
    await this.cdp.send(
      'Runtime.callFunctionOn',
      {
        functionDeclaration: `function (text) { globalThis[${JSON.stringify(this.pageReceiveName)}](text); }`,
        executionContextId: context.id,
        arguments: [{ value: text }],
      },
      this.sessionId,
    );
  }

  async serve(origin: string, handler: (req: ServedRequest) => Promise<ServedResponse>): Promise<void> {
    this.served.set(origin, handler);
    await this.updateInterception();
  }

  async grantLoopback(origin: string): Promise<boolean> {
    // Local Network Access (Chromium 142+) blocks an https page from reaching 127.0.0.1 unless
    // this one permission is granted (Browser.grantPermissions would deny every other one).
    try {
      await this.cdp.send('Browser.setPermission', { permission: { name: 'loopback-network' }, setting: 'granted', origin });
      return true;
    } catch (error) {
      log('could not grant loopback-network:', String(error));
      return false;
    }
  }

  async setNavigationPolicy(allow: (nav: NavigationRequest) => boolean): Promise<void> {
    this.navigationPolicy = allow;
    await this.updateInterception();
  }

  async navigate(url: string): Promise<void> {
    const result = await this.cdp.send('Page.navigate', { url }, this.sessionId);
    if (result.errorText) {
      throw new Error(
        result.errorText === 'net::ERR_ABORTED'
          ? `Navigation to ${url} was blocked by the allowNavigation option`
          : `Could not load ${url}: ${result.errorText}`,
      );
    }
  }

  async reload(ignoreCache = false): Promise<void> {
    await this.cdp.send('Page.reload', { ignoreCache }, this.sessionId);
  }

  on<K extends keyof EngineEvents>(event: K, handler: (info: EngineEvents[K]) => void): () => void {
    const set = this.listeners[event] as Set<(info: EngineEvents[K]) => void>;
    set.add(handler);
    return () => set.delete(handler);
  }

  async screenshot(): Promise<Uint8Array> {
    const { data } = await this.cdp.send('Page.captureScreenshot', { format: 'png' }, this.sessionId);
    return Buffer.from(data, 'base64');
  }

  async printToPDF(options: PdfOptions): Promise<Uint8Array> {
    const { margins, ...rest } = options;
    const { data } = await this.cdp.send('Page.printToPDF', {
      ...rest,
      ...(margins ? { marginTop: margins.top, marginBottom: margins.bottom, marginLeft: margins.left, marginRight: margins.right } : {}),
    }, this.sessionId);
    return Buffer.from(data, 'base64');
  }

  sendCdp(method: string, params?: object, opts: { browser?: boolean } = {}): Promise<unknown> {
    if (method === 'Browser.close') this.process.markClosing(); // no new window opens in it (window/windows.ts)
    return this.cdp.send(method, params, opts.browser ? undefined : this.sessionId);
  }

  async installExtension(path: string): Promise<void> {
    // Works with the pipe and --enable-unsafe-extension-debugging, in branded Chrome too (which
    // no longer reads --load-extension).
    await this.cdp.send('Extensions.loadUnpacked', { path });
  }

  /** The OS window of our target: asked once, it does not change. */
  private windowIdAsked: Promise<number> | undefined;
  private windowId(): Promise<number> {
    this.windowIdAsked ??= this.cdp.send('Browser.getWindowForTarget', { targetId: this.targetId }).then(({ windowId }) => windowId);
    this.windowIdAsked.catch(() => (this.windowIdAsked = undefined));
    return this.windowIdAsked;
  }

  async setWindow(state: WindowState, bounds: WindowBounds = {}): Promise<void> {
    const windowId = await this.windowId();
    const { left, top, width, height } = bounds;
    const sized = [left, top, width, height].some((n) => n !== undefined);
    // Chromium sets bounds only on a normal window: first the state, then the bounds.
    await this.cdp.send('Browser.setWindowBounds', { windowId, bounds: { windowState: state } });
    if (state === 'normal' && sized) await this.cdp.send('Browser.setWindowBounds', { windowId, bounds: { left, top, width, height } });
  }

  /** Code cache entries every new document of the window is seeded with (codeCache.seed). */
  private seeds: CodeCacheEntry[] = [];

  readonly codeCache: CodeCache = {
    produce: (urls, eager) => {
      const entries: CodeCacheEntry[] = [];
      const ask = () => this.cdp.send('Page.produceCompilationCache', { scripts: urls.map((url) => ({ url, eager })) }, this.sessionId).catch(() => {});
      // Chromium forgets the request when the next document commits: asked again for each one.
      const offs = [
        this.cdp.on('Page.compilationCacheProduced', ({ url, data }, id) => {
          if (id === this.sessionId) entries.push({ url, data });
        }),
        this.cdp.on('Page.frameNavigated', ({ frame }, id) => {
          if (id === this.sessionId && !frame.parentId) void ask();
        }),
      ];
      void ask();
      return { entries, stop: () => (offs.forEach((off) => off()), entries) };
    },
    seed: async (entries) => {
      this.seeds = entries;
      await this.addSeeds();
    },
  };

  /** The cache does not survive a change of renderer process: each new document gets the seeds again. */
  private async addSeeds(): Promise<void> {
    await Promise.all(this.seeds.map((entry) => this.cdp.send('Page.addCompilationCache', entry, this.sessionId).catch(() => {})));
  }

  async setFrozen(frozen: boolean): Promise<void> {
    await this.cdp.send('Page.setWebLifecycleState', { state: frozen ? 'frozen' : 'active' }, this.sessionId);
  }

  async releaseMemory(): Promise<void> {
    // Every process of the browser hears a critical memory-pressure signal and drops its caches.
    await this.cdp.send('Memory.simulatePressureNotification', { level: 'critical' }, this.sessionId);
  }

  async getWindow(): Promise<WindowInfo> {
    const { bounds } = await this.cdp.send('Browser.getWindowBounds', { windowId: await this.windowId() });
    return { state: bounds.windowState ?? 'normal', left: bounds.left ?? 0, top: bounds.top ?? 0, width: bounds.width ?? 0, height: bounds.height ?? 0 };
  }

  onCdp(method: string, handler: (message: RawEvent) => void): () => void {
    return this.cdp.on(method, (params: unknown, sessionId?: string) => handler(sessionId === undefined ? { method, params } : { method, params, sessionId }));
  }

  close(): Promise<void> {
    // Deferred a microtask, so a close() made by a 'close' listener finds this one under way.
    this.closing ??= Promise.resolve().then(() => this.shutDown());
    return this.closing;
  }

  // ---------------------------------------------------------------- internals

  private async shutDown(): Promise<void> {
    this.markClosed('the window was closed by the app');
    if (this.family.windows.size > 0 && !this.process.hasExited) {
      // The browser has other windows: only this one goes.
      if (this.targetGone) return;
      const gone = eventOrTimeout<void>((done) => this.cdp.on('Target.targetDestroyed', ({ targetId }) => targetId === this.targetId && done()), CLOSE_WAIT, undefined);
      await this.cdp.send('Target.closeTarget', { targetId: this.targetId }).catch(() => {});
      return gone;
    }
    if (!this.process.hasExited) {
      // Ask politely (lets Chromium flush the profile), then make sure.
      await Promise.race([this.cdp.send('Browser.close').catch(() => {}), delay(1000)]);
      this.cdp.close(this.closeReason);
      await this.process.kill(2000);
    } else {
      this.cdp.close(this.closeReason);
    }
  }

  private markClosed(reason: string): void {
    if (this.closeReason) return;
    this.closeReason = reason;
    this.family.windows.delete(this);
    this.topContext = undefined;
    log('closed:', reason);
    this.emit('close', { reason });
  }

  private emit<K extends keyof EngineEvents>(event: K, info: EngineEvents[K]): void {
    for (const handler of this.listeners[event] as Set<(info: EngineEvents[K]) => void>) {
      try {
        handler(info);
      } catch (error) {
        log(`a ${event} handler threw:`, String((error as Error)?.stack ?? error));
      }
    }
  }

  private async updateInterception(): Promise<void> {
    const patterns: { urlPattern: string; resourceType?: 'Document'; requestStage: 'Request' }[] = [
      ...[...this.served.keys()].map((origin) => ({ urlPattern: `${origin}/*`, requestStage: 'Request' as const })),
    ];
    if (this.navigationPolicy) patterns.push({ urlPattern: '*', resourceType: 'Document', requestStage: 'Request' });
    if (patterns.length) await this.cdp.send('Fetch.enable', { patterns }, this.sessionId);
  }

  private async onRequestPaused(params: {
    requestId: string;
    request: { url: string; method: string; headers: Record<string, string>; urlFragment?: string };
    frameId: string;
    resourceType: string;
  }): Promise<void> {
    const { requestId, request } = params;
    const send = (method: string, body: object) =>
      this.cdp.send(method, { requestId, ...body }, this.sessionId).catch((error) => log(`${method} failed:`, String(error)));
    try {
      const topFrame = params.frameId === this.targetId;
      if (params.resourceType === 'Document' && topFrame && this.navigationPolicy && !this.navigationPolicy({ url: request.url, topFrame })) {
        log('blocked a navigation to', request.url);
        return void (await send('Fetch.failRequest', { errorReason: 'Aborted' }));
      }
      const handler = this.served.get(safeOrigin(request.url));
      if (!handler) return void (await send('Fetch.continueRequest', {}));
      const response = await handler({ method: request.method, url: request.url, headers: request.headers });
      await send('Fetch.fulfillRequest', {
        responseCode: response.status,
        responseHeaders: Object.entries(response.headers).map(([name, value]) => ({ name, value: String(value) })),
        body: Buffer.from(response.body.buffer, response.body.byteOffset, response.body.byteLength).toString('base64'),
      });
    } catch (error) {
      log('request handling failed for', request.url, String(error));
      await send('Fetch.fulfillRequest', {
        responseCode: 500,
        responseHeaders: [{ name: 'Content-Type', value: 'text/plain; charset=utf-8' }],
        body: Buffer.from('Internal error while serving this file').toString('base64'),
      });
    }
  }
}

/**
 * devtools: false. DevTools (F12, the context menu, the protocol) opens as a target of its own,
 * on a devtools:// page: each is closed as soon as the browser reports it.
 */
function closeDevtools(cdp: CdpConnection): void {
  const close = ({ targetInfo }: { targetInfo: { targetId: string; url: string } }) => {
    if (!targetInfo.url.startsWith('devtools://')) return;
    log('closing DevTools (devtools: false)');
    cdp.send('Target.closeTarget', { targetId: targetInfo.targetId }).catch(() => {});
  };
  cdp.on('Target.targetCreated', close);
  cdp.on('Target.targetInfoChanged', close);
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '';
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
