// Firefox's part of the launch template (engine/delegate.ts's EngineLauncher): the profile
// (seeded from a template of start-up caches, its prefs), the command line, the remote agent's
// address read from stderr and checked to be loopback, then the BiDi session (ffBrowser.ts).
// The template in engine/browser.ts spawns, bounds the whole with its one timeout and words the
// failures.
import {
  firefoxArgs, firefoxIconName, firefoxIconTheme, firefoxTemplateDir, isNewFirefoxProfile, prepareFirefoxProfile, saveFirefoxTemplate, seedFirefoxProfile,
} from '../../browser/firefox.js';
import type { FoundBrowser } from '../../browser/find.js';
import type { BrowserProcess, SpawnBrowserOptions } from '../../browser/process.js';
import { logger } from '../../log.js';
import { ProtocolError } from '../connection.js';
import type { EngineLauncher } from '../delegate.js';
import type { EngineLaunchOptions } from '../types.js';
import { BidiConnection } from './bidi.js';
import { FirefoxBrowser } from './ffBrowser.js';

const log = logger('browser');

type FirefoxLaunchOptions = EngineLaunchOptions & { browser: FoundBrowser };

/** One launch of a Firefox-family browser. */
export class FirefoxLauncher implements EngineLauncher {
  readonly name = 'firefox' as const;
  readonly profileInUse = /already running|not responding|profile.*(locked|in use)/i;
  /** Where this install's profile template is, when the profile is new. */
  private template: string | undefined;
  private seeded = false;
  private announce!: (url: string) => void;
  /** The agent's address, as Firefox prints it on stderr once it listens. */
  private readonly listening = new Promise<string>((resolve) => (this.announce = resolve));

  async prepare(options: FirefoxLaunchOptions): Promise<{ args: string[]; spawn: SpawnBrowserOptions }> {
    // A new profile starts from the start-up caches of an earlier one (see TEMPLATE_FILES); the
    // first new profile with none to start from leaves its own behind when it shuts down cleanly.
    this.template = isNewFirefoxProfile(options.profileDir) ? firefoxTemplateDir(options.browser.path) : undefined;
    this.seeded = this.template !== undefined && (await seedFirefoxProfile(options.profileDir, this.template).catch(() => false));
    if (this.template) log(this.seeded ? `profile seeded from ${this.template}` : `no profile template yet at ${this.template}`);
    await prepareFirefoxProfile(options.profileDir, { allowHTTP: options.allowHTTP, userAgent: options.userAgent, windowSize: options.windowSize, devtools: options.devtools, headless: options.headless });
    const { identity } = options;
    // Started on an empty page (FIREFOX_START_URL), never on the app's URL: Firefox loads its command line's URL as soon
    // as its window is up, whether or not the backend's session is there yet, so that request could
    // escape the session's intercept (it went by unblocked, or before the session existed, when the
    // backend was slow to connect under load): unserved, the app's origin gave an error page, and
    // open() waited for a document request that never came. navigate() asks for it, once the
    // intercept is in place and Firefox's own start-up load has begun (FirefoxBrowser.start).
    const args = firefoxArgs({
      profileDir: options.profileDir, headless: options.headless, extraArgs: options.extraArgs,
      windowClass: identity?.windowClass, systemAccess: identity?.name !== undefined && !options.headless,
    });
    const env = identity?.icon && process.platform === 'linux'
      ? await firefoxIconTheme(options.profileDir, firefoxIconName(options.browser.path), identity.icon.path, process.env)
      : undefined;
    const onStderr = (line: string) => {
      const match = /WebDriver BiDi listening on (ws:\/\/\S+)/.exec(line);
      if (match) this.announce(match[1]!);
    };
    return { args, spawn: { pipe: false, onStderr, env } };
  }

  async connect(_proc: BrowserProcess, options: FirefoxLaunchOptions): Promise<FirefoxBrowser> {
    const url = await this.listening;
    // Only loopback: the agent's default, and what we connect to.
    if (!/^ws:\/\/(127\.0\.0\.1|\[::1\]|localhost):\d+$/.test(url)) throw new ProtocolError('connect', 'not loopback', `its remote agent listens on ${url}, not on loopback`);
    const bidi = await BidiConnection.connect(`${url}/session`);
    let browser: FirefoxBrowser;
    try {
      browser = await FirefoxBrowser.start(bidi, options.browser);
      const name = options.identity?.name;
      if (name !== undefined && !options.headless) await browser.titleWithoutBrand(name).catch((error: Error) => log('the title keeps the brand:', error.message));
    } catch (error) {
      bidi.close();
      throw error;
    }
    // Temporary add-ons may be listed in the add-on registries: such a profile leaves no template.
    const { template } = this;
    if (template && !this.seeded && !options.extensions) {
      browser.afterExit = async ({ code, signal }) => {
        if (code !== 0 || signal) return;
        if (await saveFirefoxTemplate(options.profileDir, template)) log(`profile template saved to ${template}`);
      };
    }
    return browser;
  }
}
