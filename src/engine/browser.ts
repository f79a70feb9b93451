// The neutral Browser: one browser process and its windows, whatever its engine. It runs the
// launch template (profile and command line from the engine's launcher, spawn, connect, one
// launch timeout and one set of failure messages for every engine), owns the process, the
// engine's BrowserDelegate and the window registry, and keeps the last-window rule: closing a
// window that is not the last closes only it; closing the last one quits the browser.
import type { FoundBrowser } from '../browser/find.js';
import { killAllOnExit, spawnBrowser, type BrowserProcess, type SpawnBrowserOptions } from '../browser/process.js';
import { logger } from '../log.js';
import { ProtocolError } from './connection.js';
import type { BrowserDelegate, EngineLauncher, PageDelegate } from './delegate.js';
import { drawPageGlobals, Page } from './page.js';
import type { EngineLaunchOptions, EngineName, EngineVersions, PageBrowser } from './types.js';

const log = logger('browser');

/** How long a browser has from its spawn to its first window ready to use. */
export const LAUNCH_TIMEOUT = 30_000;
/** How long the browser may take to quit when asked through the protocol, before it is made to. */
const QUIT_WAIT = 1000;
/** How long it may then take to exit by itself (Firefox writes its profile; killed sooner, it leaves no start-up caches, as profile.e2e saw twice in full runs on a busy machine with 2 s here), before SIGTERM. */
const EXIT_WAIT = 5000;

export type BrowserLaunchOptions = EngineLaunchOptions & { browser: FoundBrowser };

/** What tests may replace in the launch template. */
export interface LaunchSeams {
  launchTimeout?: number;
  /** How long quitting waits for the browser to go by itself, before it is made to (QUIT_WAIT + EXIT_WAIT). */
  quitWaits?: [number, number];
  spawn?: (path: string, args: string[], options: SpawnBrowserOptions) => BrowserProcess;
}

export class Browser implements PageBrowser {
  private readonly pages = new Set<Page>();
  private closing: Promise<void> | undefined;
  private closeReason: string | undefined;

  private constructor(
    readonly name: EngineName,
    readonly process: BrowserProcess,
    readonly delegate: BrowserDelegate,
    private readonly quitWaits: [number, number] = [QUIT_WAIT, EXIT_WAIT],
  ) {
    delegate.connection.onClose((reason) => this.markClosed(reason));
    process.exited.then(({ code, signal }) => this.markClosed(`the browser exited (${signal ? `signal ${signal}` : `code ${code}`})`));
  }

  /**
   * Starts a browser with `launcher` and returns its first window. Every failure on the way says
   * why in the same words for every engine: the profile is in use, the browser did not answer
   * within LAUNCH_TIMEOUT, or it exited during start-up (with the end of what it printed).
   */
  static async launch(launcher: EngineLauncher, options: BrowserLaunchOptions, o: LaunchSeams = {}): Promise<Page> {
    const { browser } = options;
    const { launchTimeout = LAUNCH_TIMEOUT, spawn = spawnBrowser } = o;
    const prepared = await launcher.prepare(options);
    log('launching', browser.path, prepared.args.join(' '));
    const proc = spawn(browser.path, prepared.args, prepared.spawn);
    const unregister = killAllOnExit(proc, options.temporaryProfile ? options.profileDir : undefined);
    proc.exited.then(unregister, unregister);

    const failed = (why: string) => launchFailure(browser, options.profileDir, proc, launcher.profileInUse, why);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const giveUp = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(failed(`it did not answer within ${launchTimeout / 1000} s`)), launchTimeout);
      proc.exited.then(({ code, signal }) => reject(failed(`it exited during start-up (code ${code}, signal ${signal})`)));
    });
    giveUp.catch(() => {});
    let delegate: BrowserDelegate | undefined;
    try {
      delegate = await Promise.race([launcher.connect(proc, options), giveUp]);
      const started = new Browser(launcher.name, proc, delegate, o.quitWaits);
      return await Promise.race([started.newPage({ windowSize: options.windowSize }), giveUp]);
    } catch (error) {
      delegate?.connection.close('the browser did not start');
      await proc.kill(500).catch(() => {});
      throw error instanceof ProtocolError ? failed(error.message) : error;
    } finally {
      clearTimeout(timer);
    }
  }

  get versions(): EngineVersions {
    return this.delegate.versions;
  }

  get closed(): boolean {
    return this.closeReason !== undefined;
  }

  /** The open windows of this browser. */
  get windows(): readonly Page[] {
    return [...this.pages];
  }

  /** How many event handlers are on the protocol connection (tests: closed windows leave none). */
  get handlerCount(): number {
    return this.delegate.connection.handlerCount;
  }

  /** Opens a window: the one the browser started with (first call), or another in it. */
  async newPage(options: { windowSize?: [number, number] } = {}): Promise<Page> {
    if (this.closed || this.closing) throw new Error('the browser of this window is closed');
    const globals = drawPageGlobals();
    const page = new Page(this, globals);
    this.pages.add(page);
    try {
      page.attach(await this.delegate.newPage(page.callbacks, globals, options));
    } catch (error) {
      this.pages.delete(page);
      throw error;
    }
    if (this.closed) page.markClosed(this.closeReason!);
    return page;
  }

  /** Closes the browser and every window in it: asks it to quit, then makes sure. */
  close(reason = 'the browser was closed by the app'): Promise<void> {
    this.closing ??= this.quit(reason);
    return this.closing;
  }

  /** @internal Page.close: the page goes; the browser too if it was its last window. */
  async closePage(page: Page, delegate: PageDelegate | undefined): Promise<void> {
    page.markClosed('the window was closed by the app');
    if (this.pages.size > 0 && !this.process.hasExited) {
      // The browser has other windows: only this one goes.
      await delegate?.closeWindow();
      return;
    }
    // The window's first reason: a browser that died under it is named as such to the calls still waiting.
    await this.close(page.closeReason ?? 'the window was closed by the app');
  }

  /** @internal Page.markClosed: the page left the window registry. */
  forget(page: Page): void {
    this.pages.delete(page);
  }

  private markClosed(reason: string): void {
    this.closeReason ??= reason;
    for (const page of [...this.pages]) page.markClosed(reason);
  }

  private async quit(reason: string): Promise<void> {
    this.process.markClosing();
    if (!this.process.hasExited) {
      // Ask politely (the browser may flush its profile), then make sure.
      const [quitWait, exitWait] = this.quitWaits;
      await Promise.race([this.delegate.quit().catch(() => {}), delay(quitWait)]);
      this.delegate.connection.close(reason);
      await Promise.race([this.process.exited, delay(exitWait)]);
      await this.process.kill(exitWait);
    } else {
      this.delegate.connection.close(reason);
    }
    this.markClosed(reason);
    await this.delegate.afterExit?.(await this.process.exited).catch((error: unknown) => log('after exit:', String(error)));
  }
}

/** Why a browser did not start, in the words every engine uses. */
function launchFailure(browser: FoundBrowser, profileDir: string, proc: BrowserProcess, profileInUse: RegExp, why: string): Error {
  if (profileInUse.test(proc.stderrTail())) {
    return new Error(
      `Could not start ${browser.name}: its profile folder ${profileDir} is in use by another browser ` +
        `(another run of this app, or a browser left running by one). One profile serves one browser at a time ` +
        `(the windows of one process share it): close that app, or open this window with { incognito: true } or another { dataPath }.`,
    );
  }
  return new Error(
    `Could not start ${browser.name} (${browser.path}): ${why}.\n` +
      `What it printed last:\n${proc.stderrTail().split('\n').slice(-15).join('\n') || '(nothing)'}\n` +
      `Try running it by hand with --headless to see why, or choose another browser with GLUON_BROWSER or --browser=NAME.`,
  );
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
