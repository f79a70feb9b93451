// Picks the engine for the browser that was found: the one place above the protocol code that
// knows which engines exist. launchEngine starts a neutral Browser (engine/browser.ts) with the
// engine's launcher and returns its first window.
import type { FoundBrowser } from '../browser/find.js';
import { Browser } from './browser.js';
import { ChromiumLauncher } from './chromium/crBrowser.js';
import { FirefoxLauncher } from './firefox/ffLauncher.js';
import type { EngineLaunchOptions, Page } from './types.js';

export type LaunchOptions = EngineLaunchOptions;

export async function launchEngine(browser: FoundBrowser, options: LaunchOptions): Promise<Page> {
  return Browser.launch(browser.engine === 'firefox' ? new FirefoxLauncher() : new ChromiumLauncher(), { ...options, browser });
}
