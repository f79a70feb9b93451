// Picks the engine for the browser that was found: the one place above the protocol code
// that knows which engines exist.
import type { FoundBrowser } from '../browser/find.js';
import { launchChromium } from './chromium/engine.js';
import { launchFirefox } from './firefox/engine.js';
import type { Engine, EngineLaunchOptions } from './types.js';

export type LaunchOptions = EngineLaunchOptions;

export async function launchEngine(browser: FoundBrowser, options: LaunchOptions): Promise<Engine> {
  return browser.engine === 'firefox' ? launchFirefox({ ...options, browser }) : launchChromium({ ...options, browser });
}
