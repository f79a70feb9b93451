// The Chromium command line (without the executable) for an app-mode window driven
// over --remote-debugging-pipe: quiet (no first-run UI, sync, phoning home), one
// profile per app, and the switches derived from the app's window options. Also the
// short launch that hands another app window to a browser already running on a profile.
import { spawn } from 'node:child_process';

export interface ChromiumArgsOptions {
  startUrl: string;
  profileDir: string;
  headless: boolean;
  windowSize?: [number, number];
  /** false (default): strict mixed-content checks; 'mixed' or true: allow insecure content. */
  allowHTTP?: false | 'mixed' | true;
  userAgent?: string;
  devtools?: boolean;
  /** Running as root: Chromium refuses to start sandboxed, so --no-sandbox is needed. */
  asRoot: boolean;
  extraArgs?: string[];
  /** Let extensions be loaded over the protocol (Extensions.loadUnpacked). */
  extensions?: boolean;
  /** The app's window class (X11 WM_CLASS's class part, --class). */
  windowClass?: string;
}

/** As root: --test-type keeps Chromium from covering the app with its "unsupported flag: --no-sandbox" bar. */
const ROOT_ARGS = ['--no-sandbox', '--test-type'];

export function chromiumArgs(o: ChromiumArgsOptions): string[] {
  const args = [
    '--remote-debugging-pipe',
    `--user-data-dir=${o.profileDir}`,
    '--no-first-run',
    '--no-default-browser-check',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-default-apps',
    '--disable-breakpad',
    '--disable-domain-reliability',
    '--disable-client-side-phishing-detection',
    '--disable-features=Translate,MediaRouter,OptimizationHints,AutofillServerCommunication',
    '--metrics-recording-only',
    '--password-store=basic',
    '--use-mock-keychain', // macOS only; ignored elsewhere
    '--autoplay-policy=no-user-gesture-required',
  ];
  if (o.windowSize) args.push(`--window-size=${o.windowSize[0]},${o.windowSize[1]}`);
  if (o.headless) args.push('--headless=new', '--hide-scrollbars', '--mute-audio');
  if (o.asRoot) args.push(...ROOT_ARGS);
  // One argv entry: spawn passes it verbatim, so no quoting (quotes would become part of the UA).
  if (o.userAgent) args.push(`--user-agent=${o.userAgent}`);
  if (o.allowHTTP === true || o.allowHTTP === 'mixed') args.push('--allow-running-insecure-content');
  else args.push('--enable-strict-mixed-content-checking');
  // devtools: false: Chromium has no switch for it (only the DeveloperToolsAvailability policy,
  // machine-wide): the engine closes every DevTools window as it opens instead.
  if (o.windowClass) args.push(`--class=${o.windowClass}`);
  args.push(`--app=${o.startUrl}`);
  if (o.extensions) args.push('--enable-unsafe-extension-debugging');
  if (o.extraArgs) args.push(...o.extraArgs);
  return args;
}

/**
 * Opens another app window on `url` in the Chromium already running on `profileDir`: Chromium
 * started again on that profile hands its command line to the running browser and exits
 * (the protocol's Target.createTarget can only open tabbed browser windows). Resolves once it
 * has exited; rejects if it did not hand over (it is killed after 10 s).
 */
export function openChromiumAppWindow(path: string, o: { profileDir: string; asRoot: boolean; url: string }): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const child = spawn(path, [`--user-data-dir=${o.profileDir}`, ...(o.asRoot ? ROOT_ARGS : []), `--app=${o.url}`], { stdio: 'ignore' });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${path} did not hand the new window to the running browser`));
    }, 10_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${path} exited with code ${code} while handing over a new window`));
    });
  });
}
