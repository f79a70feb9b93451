// One Chromium window's protocol verbs (a PageDelegate, engine/delegate.ts), over its target's
// CDP session: the page channel (Runtime.addBinding in, Runtime.callFunctionOn out), realms,
// interception (Fetch), the OS window, the V8 code cache. Every handler it adds goes through its
// two CdpSession objects (its target's, and its own on the browser session), so dispose()
// leaves nothing of a closed window on the browser's connection.
import { pageError } from '../page-error.js';
import { logger } from '../../log.js';
import { eventOrTimeout } from '../../wait.js';
import type { InterceptedRequest, PageCallbacks, PageDelegate, PageGlobals } from '../delegate.js';
import type { CodeCache, CodeCacheEntry, MessageSource, PdfOptions, RawEvent, ServedResponse, WindowBounds, WindowInfo, WindowState } from '../types.js';
import type { CdpConnection, CdpSession } from './cdp.js';

const log = logger('browser');

/** A message of 100 MiB or more kills Chromium's pipe for good; stay well below. */
export const MAX_MESSAGE_CHARS = 64 * 1024 * 1024;
/** How long closing one window of several waits for the browser to say it is gone. */
const CLOSE_WAIT = 2000;
/** The app window starts on this empty document (Chromium ignores --app=about:blank), then navigates to the app. */
export const BLANK_START = 'data:text/html,';

/**
 * The start document of an app whose window class is `windowClass`. Chromium names an --app
 * window's X11 instance (WM_CLASS's first part) after its start URL: host, `_`, path, with what
 * a file name cannot hold made `_` and `_` trimmed from both ends (GetWMClassFromAppName). So
 * `data:NAME,` (an empty text document) gives the instance `NAME,`, where `data:text/html,` gave
 * `text_html,`. No well-formed data: URL drops the comma: `data:NAME/` would give `NAME` but is
 * an error page ("This site can't be reached"), seen until the app's document replaces it. A
 * fragment is not part of the name: windows are told apart by one.
 */
export function blankStart(windowClass: string | undefined): string {
  return windowClass ? `data:${windowClass},` : BLANK_START;
}

/** True for a window's start document, with or without a fragment. */
const isStart = (url: string) => url === BLANK_START || /^data:[A-Za-z0-9._-]+,(#.*)?$/.test(url);

interface ContextInfo extends MessageSource {
  id: number;
}

export class CrPage implements PageDelegate {
  private readonly contexts = new Map<number, ContextInfo>();
  private topContext: ContextInfo | undefined;
  private currentUrl = BLANK_START;
  /** The page target is gone (its window was closed), the browser may not be. */
  private targetGone = false;
  /** Code cache entries every new document of the window is seeded with (codeCache.seed). */
  private seeds: CodeCacheEntry[] = [];
  /** setCloseGuard: beforeunload prompts go to closeRequested. */
  private closeGuard = false;
  /** A top-level navigation started and has not committed or stopped: a prompt now is its own. */
  private navigating = false;

  private constructor(
    /** The browser session, kept by the browser: for waits that outlive this page's handlers. */
    private readonly browserSession: CdpSession,
    /** This page's handlers on the browser session (Target.*), and its browser-level commands. */
    private readonly root: CdpSession,
    /** The target's own session. */
    private readonly session: CdpSession,
    private readonly targetId: string,
    private readonly callbacks: PageCallbacks,
    private readonly globals: PageGlobals,
  ) {}

  static async attach(cdp: CdpConnection, browserSession: CdpSession, targetId: string, callbacks: PageCallbacks, globals: PageGlobals): Promise<CrPage> {
    const { sessionId } = await browserSession.send('Target.attachToTarget', { targetId, flatten: true });
    const page = new CrPage(browserSession, cdp.session(), cdp.session(sessionId), targetId, callbacks, globals);
    await page.listen();
    return page;
  }

  private async listen(): Promise<void> {
    const { session, root, callbacks } = this;
    session.on('Runtime.executionContextCreated', ({ context }) => {
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
        callbacks.documentCommitted(info.realm, this.currentUrl);
      }
    });
    session.on('Runtime.executionContextDestroyed', ({ executionContextId }) => {
      this.contexts.delete(executionContextId);
      if (this.topContext?.id === executionContextId) this.topContext = undefined;
    });
    session.on('Runtime.executionContextsCleared', () => {
      this.contexts.clear();
      this.topContext = undefined;
    });
    session.on('Runtime.bindingCalled', ({ name, payload, executionContextId }) => {
      if (name !== this.globals.send) return;
      const from = this.contexts.get(executionContextId);
      if (!from) return log('dropped a page message from an unknown context');
      callbacks.messageReceived(payload, { origin: from.origin, topFrame: from.topFrame, realm: from.realm });
    });
    // What tells a leave prompt of a navigation (reload, link, the app's navigate) from the
    // user's close of the window: only a navigation is announced before its prompt.
    session.on('Page.frameStartedNavigating', ({ frameId }) => frameId === this.targetId && (this.navigating = true));
    session.on('Page.frameRequestedNavigation', ({ frameId }) => frameId === this.targetId && (this.navigating = true));
    session.on('Page.frameStoppedLoading', ({ frameId }) => frameId === this.targetId && (this.navigating = false));
    session.on('Page.javascriptDialogOpening', ({ type }) => {
      if (type !== 'beforeunload' || !this.closeGuard) return;
      const answer = (accept: boolean) => this.session.send('Page.handleJavaScriptDialog', { accept }).then(() => {});
      if (this.navigating) void answer(true).catch((error: unknown) => log('could not answer a leave prompt:', String(error)));
      else callbacks.closeRequested(answer);
    });
    session.on('Page.frameNavigated', ({ frame }) => {
      if (frame.parentId) return;
      this.navigating = false;
      this.currentUrl = frame.url + (frame.urlFragment ?? '');
      if (this.seeds.length) void this.addSeeds();
    });
    session.on('Page.navigatedWithinDocument', ({ frameId, url }) => {
      if (frameId === this.targetId) this.currentUrl = url;
    });
    session.on('Page.loadEventFired', () => {
      if (!isStart(this.currentUrl)) callbacks.loaded(this.currentUrl);
    });
    session.on('Fetch.requestPaused', (params) => callbacks.requestIntercepted(this.intercepted(params)));
    const gone = () => {
      this.targetGone = true;
      this.topContext = undefined;
      callbacks.closed('the window was closed');
    };
    root.on('Target.targetDestroyed', ({ targetId }) => targetId === this.targetId && gone());
    root.on('Target.detachedFromTarget', ({ sessionId }) => sessionId === session.id && gone());

    await Promise.all([
      session.send('Runtime.addBinding', { name: this.globals.send }),
      session.send('Page.enable', {}),
      session.send('Runtime.enable', {}),
    ]);
  }

  async addInitScript(source: string): Promise<() => Promise<void>> {
    const { identifier } = await this.session.send('Page.addScriptToEvaluateOnNewDocument', { source, runImmediately: true });
    return async () => {
      await this.session.send('Page.removeScriptToEvaluateOnNewDocument', { identifier });
    };
  }

  async evaluate<T = unknown>(expression: string, awaitPromise: boolean): Promise<T> {
    const result = await this.session.send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise, userGesture: true });
    if (result.exceptionDetails) {
      const details = result.exceptionDetails;
      const description = details.exception?.description ?? details.text;
      const message = description.split('\n')[0].replace(/^\w*Error: /, '');
      throw pageError(details.exception?.className, message, description.split('\n').slice(1).join('\n'));
    }
    return result.result.value as T;
  }

  async postToPage(text: string): Promise<void> {
    if (text.length > MAX_MESSAGE_CHARS) {
      throw new RangeError(`a message of ${text.length} characters is over the ${MAX_MESSAGE_CHARS} limit for the page channel`);
    }
    const context = this.topContext;
    if (!context) throw new Error('the page has no document to receive messages');
    await this.session.send('Runtime.callFunctionOn', {
      functionDeclaration: `function (text) { globalThis[${JSON.stringify(this.globals.receive)}](text); }`,
      executionContextId: context.id,
      arguments: [{ value: text }],
    });
  }

  async setInterception(origins: string[], navigations: boolean): Promise<void> {
    const patterns: { urlPattern: string; resourceType?: 'Document'; requestStage: 'Request' }[] =
      origins.map((origin) => ({ urlPattern: `${origin}/*`, requestStage: 'Request' as const }));
    if (navigations) patterns.push({ urlPattern: '*', resourceType: 'Document', requestStage: 'Request' });
    if (patterns.length) await this.session.send('Fetch.enable', { patterns });
  }

  private intercepted(params: { requestId: string; request: { url: string; method: string; headers: Record<string, string> }; frameId: string; resourceType: string }): InterceptedRequest {
    const { requestId, request } = params;
    const send = async (method: string, body: object) => {
      await this.session.send(method, { requestId, ...body });
    };
    return {
      method: request.method,
      url: request.url,
      headers: request.headers,
      topFrame: params.frameId === this.targetId,
      navigation: params.resourceType === 'Document',
      continue: () => send('Fetch.continueRequest', {}),
      fail: () => send('Fetch.failRequest', { errorReason: 'Aborted' }),
      fulfill: (response: ServedResponse) => send('Fetch.fulfillRequest', {
        responseCode: response.status,
        responseHeaders: Object.entries(response.headers).map(([name, value]) => ({ name, value: String(value) })),
        body: Buffer.from(response.body.buffer, response.body.byteOffset, response.body.byteLength).toString('base64'),
      }),
    };
  }

  async grantLoopback(origin: string): Promise<boolean> {
    // Local Network Access (Chromium 142+) blocks an https page from reaching 127.0.0.1 unless
    // this one permission is granted (Browser.grantPermissions would deny every other one).
    try {
      await this.root.send('Browser.setPermission', { permission: { name: 'loopback-network' }, setting: 'granted', origin });
      return true;
    } catch (error) {
      log('could not grant loopback-network:', String(error));
      return false;
    }
  }

  async navigate(url: string): Promise<void> {
    const result = await this.session.send('Page.navigate', { url });
    if (result.errorText) throw new Error(result.errorText);
  }

  async reload(ignoreCache: boolean): Promise<void> {
    await this.session.send('Page.reload', { ignoreCache });
  }

  async screenshot(): Promise<Uint8Array> {
    const { data } = await this.session.send('Page.captureScreenshot', { format: 'png' });
    return Buffer.from(data, 'base64');
  }

  async printToPDF(options: PdfOptions): Promise<Uint8Array> {
    const { margins, ...rest } = options;
    const { data } = await this.session.send('Page.printToPDF', {
      ...rest,
      ...(margins ? { marginTop: margins.top, marginBottom: margins.bottom, marginLeft: margins.left, marginRight: margins.right } : {}),
    });
    return Buffer.from(data, 'base64');
  }

  async installExtension(path: string): Promise<void> {
    // Works with the pipe and --enable-unsafe-extension-debugging, in branded Chrome too (which
    // no longer reads --load-extension).
    await this.root.send('Extensions.loadUnpacked', { path });
  }

  /** The OS window of our target: asked once, it does not change. */
  private windowIdAsked: Promise<number> | undefined;
  private windowId(): Promise<number> {
    this.windowIdAsked ??= this.root.send('Browser.getWindowForTarget', { targetId: this.targetId }).then(({ windowId }) => windowId);
    this.windowIdAsked.catch(() => (this.windowIdAsked = undefined));
    return this.windowIdAsked;
  }

  async setWindow(state: WindowState, bounds: WindowBounds): Promise<void> {
    const windowId = await this.windowId();
    const { left, top, width, height } = bounds;
    const sized = [left, top, width, height].some((n) => n !== undefined);
    // Chromium sets bounds only on a normal window: first the state, then the bounds.
    await this.root.send('Browser.setWindowBounds', { windowId, bounds: { windowState: state } });
    if (state === 'normal' && sized) {
      await this.settled(windowId, state);
      await this.root.send('Browser.setWindowBounds', { windowId, bounds: { left, top, width, height } });
    }
  }

  /**
   * Under a window manager the state changes when the manager says so, a moment later: bounds set
   * before a maximized window is normal again were seen lost (Chromium 156, openbox). Waits for
   * the state, up to a second.
   */
  private async settled(windowId: number, state: WindowState): Promise<void> {
    for (const deadline = Date.now() + 1000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 25))) {
      const { bounds } = await this.root.send('Browser.getWindowBounds', { windowId });
      if ((bounds.windowState ?? 'normal') === state) return;
    }
  }

  async getWindow(): Promise<WindowInfo> {
    const { bounds } = await this.root.send('Browser.getWindowBounds', { windowId: await this.windowId() });
    return { state: bounds.windowState ?? 'normal', left: bounds.left ?? 0, top: bounds.top ?? 0, width: bounds.width ?? 0, height: bounds.height ?? 0 };
  }

  async focusWindow(): Promise<void> {
    await this.session.send('Page.bringToFront', {});
  }

  /** An isolated world of the current document: its `document.hasFocus` is the browser's, whatever the page's scripts replace. */
  private focusWorld: Promise<number> | undefined;
  async windowFocused(): Promise<boolean | undefined> {
    // The world dies with its document: made again once after a navigation.
    for (let attempt = 0; attempt < 2; attempt++) {
      this.focusWorld ??= this.session.send('Page.createIsolatedWorld', { frameId: this.targetId, worldName: 'gluon-window' }).then(({ executionContextId }) => executionContextId);
      try {
        const { result } = await this.session.send('Runtime.evaluate', { expression: 'document.hasFocus()', contextId: await this.focusWorld, returnByValue: true });
        return result.value === true;
      } catch {
        this.focusWorld = undefined;
      }
    }
    return undefined;
  }

  readonly codeCache: CodeCache = {
    produce: (urls, eager) => {
      const entries: CodeCacheEntry[] = [];
      const ask = () => this.session.send('Page.produceCompilationCache', { scripts: urls.map((url) => ({ url, eager })) }).catch(() => {});
      // Chromium forgets the request when the next document commits: asked again for each one.
      const offs = [
        this.session.on('Page.compilationCacheProduced', ({ url, data }) => entries.push({ url, data })),
        this.session.on('Page.frameNavigated', ({ frame }) => !frame.parentId && void ask()),
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
    await Promise.all(this.seeds.map((entry) => this.session.send('Page.addCompilationCache', entry).catch(() => {})));
  }

  async setFrozen(frozen: boolean): Promise<void> {
    await this.session.send('Page.setWebLifecycleState', { state: frozen ? 'frozen' : 'active' });
  }

  async releaseMemory(): Promise<void> {
    // Every process of the browser hears a critical memory-pressure signal and drops its caches.
    await this.session.send('Memory.simulatePressureNotification', { level: 'critical' });
  }

  sendCdp(method: string, params: object | undefined, toBrowser: boolean): Promise<unknown> {
    if (method === 'Browser.close') {
      this.callbacks.browserQuitting(); // no new window opens in it (window/windows.ts)
      // Chromium may close its pipe before it answers (seen under load): the browser going away is the answer.
      return this.root.send(method, params).catch((error: unknown) => {
        if (this.root.connection.closed) return {};
        throw error;
      });
    }
    return (toBrowser ? this.root : this.session).send(method, params);
  }

  onCdp(method: string, handler: (message: RawEvent) => void): () => void {
    return this.session.onAny(method, (params: unknown, sessionId?: string) => handler(sessionId === undefined ? { method, params } : { method, params, sessionId }));
  }

  async setCloseGuard(on: boolean): Promise<void> {
    this.closeGuard = on;
  }

  async closeWindow(): Promise<void> {
    if (this.targetGone) return;
    // On the browser's own session: this page's handlers are already gone (dispose).
    const gone = eventOrTimeout<void>((done) => this.browserSession.on('Target.targetDestroyed', ({ targetId }) => targetId === this.targetId && done()), CLOSE_WAIT, undefined);
    await this.browserSession.send('Target.closeTarget', { targetId: this.targetId }).catch(() => {});
    return gone;
  }

  dispose(): void {
    this.topContext = undefined;
    this.session.dispose();
    this.root.dispose();
  }
}
