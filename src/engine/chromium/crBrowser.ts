// The Chromium family's part of a browser (engine/delegate.ts): its launcher (command line, the
// CDP pipe, DevTools closed when devtools is false) and its BrowserDelegate (versions, windows
// opened and attached, quitting). The neutral Browser (engine/browser.ts) does the rest.
import { randomBytes } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import { chromiumArgs, openChromiumAppWindow } from '../../browser/chromium.js';
import type { FoundBrowser } from '../../browser/find.js';
import type { BrowserProcess } from '../../browser/process.js';
import { logger } from '../../log.js';
import { eventOrTimeout } from '../../wait.js';
import type { BrowserDelegate, EngineLauncher, PageCallbacks, PageDelegate, PageGlobals } from '../delegate.js';
import { PipeTransport } from '../transport.js';
import type { EngineLaunchOptions, EngineVersions } from '../types.js';
import { CdpConnection, type CdpSession } from './cdp.js';
import { BLANK_START, blankStart, CrPage } from './crPage.js';

const log = logger('browser');

type LaunchOptions = EngineLaunchOptions & { browser: FoundBrowser };

const asRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/** Starts Chromium-family browsers: one launcher per launch. */
export class ChromiumLauncher implements EngineLauncher {
  readonly name = 'chromium' as const;
  readonly profileInUse = /ProcessSingleton|SingletonLock/;

  async prepare(options: LaunchOptions) {
    // The app's URL is not started here: Chromium's first navigation would leave before interception is on.
    const { browser: _browser, temporaryProfile: _temporary, startUrl: _startUrl, identity, ...commandLine } = options;
    const args = chromiumArgs({ ...commandLine, startUrl: blankStart(windowClassOf(options)), windowClass: identity?.windowClass, asRoot: asRoot() });
    // Orphaned, Chromium quits by itself when its pipe closes (0.1-0.25 s measured): its watchdog lets it.
    return { args, spawn: { pipe: true, orphanGraceMs: 500 } };
  }

  async connect(proc: BrowserProcess, options: LaunchOptions): Promise<BrowserDelegate> {
    const stdio = proc.child.stdio as unknown as [unknown, unknown, unknown, Writable, Readable];
    const cdp = new CdpConnection(new PipeTransport(stdio[3], stdio[4]));
    const root = cdp.session();
    if (options.devtools === false) closeDevtools(root);
    const { browser } = options;
    const newAppWindow = options.headless ? undefined : (url: string) => openChromiumAppWindow(browser.path, { profileDir: options.profileDir, asRoot: asRoot(), url });
    const version = await root.send('Browser.getVersion');
    const productVersion = version.product.split('/')[1] ?? version.product;
    const versions: EngineVersions = { product: productVersion, engine: productVersion, jsEngine: version.jsVersion, jsEngineName: 'v8' };
    log(`connected to ${browser.name} ${productVersion}`);
    return new CrBrowser(cdp, root, versions, newAppWindow, blankStart(windowClassOf(options)));
  }
}

class CrBrowser implements BrowserDelegate {
  /** The page target the browser started with, until the first newPage() takes it. */
  private firstTarget: Promise<string> | undefined;

  constructor(
    readonly connection: CdpConnection,
    private readonly root: CdpSession,
    readonly versions: EngineVersions,
    /** How another app window opens (none when headless). */
    private readonly newAppWindow: ((url: string) => Promise<void>) | undefined,
    /** The start document of the app's windows (blankStart). */
    private readonly start: string,
  ) {
    this.firstTarget = new Promise<string>((resolve) => {
      const off = root.on('Target.targetCreated', ({ targetInfo }) => {
        // Chromium 156 also lists browser_ui targets (omnibox popup...): only a real page will do.
        if (targetInfo.type !== 'page' || targetInfo.url.startsWith('chrome') || targetInfo.url.startsWith('devtools')) return;
        off();
        resolve(targetInfo.targetId);
      });
      void root.send('Target.setDiscoverTargets', { discover: true });
    });
  }

  async newPage(callbacks: PageCallbacks, globals: PageGlobals, options: { windowSize?: [number, number] }): Promise<PageDelegate> {
    const first = this.firstTarget;
    this.firstTarget = undefined;
    const targetId = first ? await first : await this.openWindow(options.windowSize);
    const page = await CrPage.attach(this.connection, this.root, targetId, callbacks, globals);
    if (!first) {
      const [width, height] = options.windowSize ?? [];
      if (this.newAppWindow && width !== undefined && height !== undefined) await page.setWindow('normal', { width, height }).catch(() => {});
      log(`opened another window (target ${targetId})`);
    }
    return page;
  }

  private async openWindow(windowSize: [number, number] | undefined): Promise<string> {
    const [width, height] = windowSize ?? [];
    const { newAppWindow, root } = this;
    if (!newAppWindow) return (await root.send('Target.createTarget', { url: BLANK_START, newWindow: true, width, height })).targetId;
    // Target.createTarget can only open a tabbed browser window (toolbars and all): an app
    // window comes from the browser's own command line (see openChromiumAppWindow).
    const marker = `gluon-window-${randomBytes(8).toString('hex')}`;
    const url = this.start === BLANK_START ? `${BLANK_START}<!--${marker}-->` : `${this.start}#${marker}`;
    const created = eventOrTimeout<string>((done) => root.on('Target.targetCreated', ({ targetInfo }) => {
      if (targetInfo.type === 'page' && targetInfo.url === url) done(targetInfo.targetId);
    }), 15_000, new Error('the browser opened no window within 15 s'));
    created.catch(() => {}); // awaited below, unless the hand-over fails first
    await newAppWindow(url);
    return created;
  }

  async quit(): Promise<void> {
    await this.root.send('Browser.close');
  }

}

/**
 * devtools: false. DevTools (F12, the context menu, the protocol) opens as a target of its own,
 * on a devtools:// page: each is closed as soon as the browser reports it.
 */
function closeDevtools(root: CdpSession): void {
  const close = ({ targetInfo }: { targetInfo: { targetId: string; url: string } }) => {
    if (!targetInfo.url.startsWith('devtools://')) return;
    log('closing DevTools (devtools: false)');
    root.send('Target.closeTarget', { targetId: targetInfo.targetId }).catch(() => {});
  };
  root.on('Target.targetCreated', close);
  root.on('Target.targetInfoChanged', close);
}

/**
 * The class an app window's start document names (WM_CLASS's instance part), only where there is a
 * window: the data:<class>, start costs an open() about 60 ms more than the blank HTML start
 * (A/B on this machine: median 522 vs 455 ms, 8 launches each), so a headless window keeps the latter.
 */
function windowClassOf(options: { headless?: boolean; identity?: { windowClass?: string } }): string | undefined {
  return options.headless ? undefined : options.identity?.windowClass;
}
