// Picks the engine for the browser that was found: the one place above the protocol code
// that knows which engines exist. Firefox (WebDriver BiDi) is not implemented yet.
import type { FoundBrowser } from '../browser/find.js';
import { launchChromium, type ChromiumLaunchOptions } from './chromium/engine.js';
import type { Engine } from './types.js';

export type LaunchOptions = ChromiumLaunchOptions;

export async function launchEngine(browser: FoundBrowser, options: Omit<LaunchOptions, 'browser'>): Promise<Engine> {
  if (browser.engine === 'chromium') return launchChromium({ ...options, browser });
  throw new Error(
    `${browser.name} (${browser.path}) is a Firefox-family browser, which this version of gluon-ts cannot drive yet. ` +
      `Install a Chromium-family browser (Chrome, Chromium, Edge, Brave, Vivaldi) or choose one with --chromium / forceEngine: 'chromium'.`,
  );
}
