// Picks the engine for the browser that was found: the one place above the protocol code that
// knows which engines exist. launchEngine starts a neutral Browser (engine/browser.ts) with the
// engine's launcher and returns its first window.
//
// Firefox still runs on its own FirefoxEngine (engine/firefox/engine.ts, the former Engine
// interface) until its delegate exists: the adapter below gives its windows `browser.newPage`.
import type { FoundBrowser } from '../browser/find.js';
import { Browser } from './browser.js';
import { ChromiumLauncher } from './chromium/crBrowser.js';
import { launchFirefox, type FirefoxEngine } from './firefox/engine.js';
import type { EngineLaunchOptions, Page, PageBrowser } from './types.js';

export type LaunchOptions = EngineLaunchOptions;

export async function launchEngine(browser: FoundBrowser, options: LaunchOptions): Promise<Page> {
  if (browser.engine === 'firefox') return withBrowser(await launchFirefox({ ...options, browser }));
  return Browser.launch(new ChromiumLauncher(), { ...options, browser });
}

declare module './firefox/engine.js' {
  interface FirefoxEngine {
    browser: PageBrowser;
  }
}

/** A FirefoxEngine window, with `browser.newPage` opening its next windows (as openWindow did). */
function withBrowser(engine: FirefoxEngine): FirefoxEngine {
  engine.browser = { newPage: async (options) => withBrowser(await engine.openWindow(options)) };
  return engine;
}
