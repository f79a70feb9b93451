// Gluon.autostart: start the app when the user logs in.
//   Linux    $XDG_CONFIG_HOME/autostart/<app>.desktop (XDG Autostart Specification; default ~/.config)
//   macOS    ~/Library/LaunchAgents/<app>.plist, a launchd agent with RunAtLoad
//   Windows  the value <app> of HKCU\Software\Microsoft\Windows\CurrentVersion\Run, with reg.exe
// The command that starts the app is the one running now: the single executable alone when the
// app runs as one (process.execPath), else the runtime and the entry script (process.execPath,
// process.argv[1]), then options.args, then `--hidden` if asked.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { appNameFor } from './app-name.js';
import { runCommand } from './command.js';
import { desktopValue, execLine } from './desktop-entry.js';
import { plistDocument } from './plist.js';

export interface AutostartOptions {
  /** Arguments added after the app's command. */
  args?: readonly string[];
  /**
   * Adds `--hidden` to the command, for the app to read in `process.argv` and start without
   * showing its window (the desktops have no common way to start an app hidden).
   */
  hidden?: boolean;
}

/** Where autostart is written: passed in so every platform's route can be tested anywhere. */
export interface AutostartPlace {
  platform: NodeJS.Platform;
  env: Record<string, string | undefined>;
  home: string;
  /** The app's name (a file name and the registry value's name are made from it). */
  name: string;
  /** The command that starts the app, program first. */
  command: readonly string[];
}

/** The Run key of the current user, where Windows looks for what to start at login. */
export const RUN_KEY = 'HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run';

/** The app's name as a file name: letters, digits, `.`, `_` and `-` (`@acme/notes` is `acme-notes`). */
export const fileNameFor = (name: string): string => name.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[.-]+/, '') || 'app';

/** The file that says it, on Linux and macOS. */
export function autostartFile({ platform, env, home, name }: Pick<AutostartPlace, 'platform' | 'env' | 'home' | 'name'>): string {
  if (platform === 'darwin') return join(home, 'Library', 'LaunchAgents', `${fileNameFor(name)}.plist`);
  // The spec: $XDG_CONFIG_HOME when set to an absolute path, else ~/.config.
  const config = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith('/') ? env.XDG_CONFIG_HOME : join(home, '.config');
  return join(config, 'autostart', `${fileNameFor(name)}.desktop`);
}

/** The Linux autostart entry. */
export function autostartDesktopEntry(name: string, command: readonly string[]): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    `Name=${desktopValue(name)}`,
    `Exec=${execLine(command)}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/** The macOS launch agent: runs the command once at login (RunAtLoad). */
export function launchAgentPlist(label: string, command: readonly string[]): string {
  return plistDocument({ Label: label, ProgramArguments: command, RunAtLoad: true });
}

/**
 * A Windows command line for `argv`, each argument quoted as the C runtime and
 * CommandLineToArgvW read it back (backslashes before a quote doubled, the quote escaped).
 */
export function windowsCommandLine(argv: readonly string[]): string {
  return argv
    .map((arg) => {
      if (arg && !/[\s"]/.test(arg)) return arg;
      return `"${arg.replace(/(\\*)"/g, '$1$1\\"').replace(/(\\+)$/, '$1$1')}"`;
    })
    .join(' ');
}

/** The command that starts this app: see the module's head. */
async function currentCommand(): Promise<string[]> {
  let sea = false;
  try {
    sea = ((await import('node:sea')) as { isSea?: () => boolean }).isSea?.() === true;
  } catch {
    // an older Node, Bun or Deno: not a single executable
  }
  if (sea || !process.argv[1]) return [process.execPath];
  return [process.execPath, resolve(process.argv[1])];
}

async function currentPlace(): Promise<AutostartPlace> {
  return { platform: process.platform, env: process.env, home: homedir(), name: appNameFor(process.argv[1]), command: await currentCommand() };
}

const commandWith = (command: readonly string[], options: AutostartOptions): string[] => {
  const args = options.args ?? [];
  if (!Array.isArray(args) || args.some((arg) => typeof arg !== 'string')) throw new TypeError('autostart.enable(options): options.args must be an array of strings');
  return [...command, ...args, ...(options.hidden ? ['--hidden'] : [])];
};

async function reg(args: string[], what: string): Promise<number | null> {
  const result = await runCommand('reg', args, { timeout: 30_000 });
  if (result.code !== 0 && result.code !== 1) throw new Error(`autostart.${what}: reg ${args[0]} failed (${result.code ?? result.signal}): ${result.stderr.trim() || 'it printed nothing'}`);
  return result.code;
}

/** {@link enable} for a given place (tests). */
export async function enableAt(place: AutostartPlace, options: AutostartOptions = {}): Promise<void> {
  const command = commandWith(place.command, options);
  if (place.platform === 'win32') {
    const code = await reg(['add', RUN_KEY, '/v', place.name, '/t', 'REG_SZ', '/d', windowsCommandLine(command), '/f'], 'enable');
    if (code !== 0) throw new Error(`autostart.enable: reg add ${RUN_KEY} failed; the key may be locked by a policy`);
    return;
  }
  const file = autostartFile(place);
  await mkdir(join(file, '..'), { recursive: true });
  await writeFile(file, place.platform === 'darwin' ? launchAgentPlist(fileNameFor(place.name), command) : autostartDesktopEntry(place.name, command));
}

/** {@link disable} for a given place (tests). */
export async function disableAt(place: AutostartPlace): Promise<void> {
  if (place.platform === 'win32') {
    await reg(['delete', RUN_KEY, '/v', place.name, '/f'], 'disable'); // 1: it was not there
    return;
  }
  await rm(autostartFile(place), { force: true });
}

/** {@link isEnabled} for a given place (tests). */
export async function isEnabledAt(place: AutostartPlace): Promise<boolean> {
  if (place.platform === 'win32') return (await reg(['query', RUN_KEY, '/v', place.name], 'isEnabled')) === 0;
  let text: string;
  try {
    text = await readFile(autostartFile(place), 'utf8');
  } catch {
    return false;
  }
  if (place.platform === 'darwin') return true;
  // The user may have turned it off in the desktop's settings, which keep the file: Hidden=true
  // (the spec's "deleted") or GNOME's X-GNOME-Autostart-enabled=false.
  return !/^Hidden\s*=\s*true\s*$/m.test(text) && !/^X-GNOME-Autostart-enabled\s*=\s*false\s*$/m.test(text);
}

/**
 * Starts the app at login from now on: the command running now (see {@link AutostartOptions}),
 * written to the user's autostart folder (Linux), a launch agent (macOS) or the Run key (Windows).
 * Calling it again replaces what it wrote.
 */
export async function enable(options: AutostartOptions = {}): Promise<void> {
  return enableAt(await currentPlace(), options);
}

/** Stops starting the app at login (nothing to do if it was not set). */
export async function disable(): Promise<void> {
  return disableAt(await currentPlace());
}

/** Whether the app starts at login (as {@link enable} set it, and the user did not turn it off). */
export async function isEnabled(): Promise<boolean> {
  return isEnabledAt(await currentPlace());
}

/** `Gluon.autostart`: starting the app at login. */
export interface AutostartApi {
  /** Starts the app at login from now on (the command running now, plus `args`, plus `--hidden` if `hidden`). */
  enable(options?: AutostartOptions): Promise<void>;
  /** Stops starting the app at login. */
  disable(): Promise<void>;
  /** Whether the app starts at login. */
  isEnabled(): Promise<boolean>;
}

/**
 * Starting the app at login, for the current user: Linux `$XDG_CONFIG_HOME/autostart/<app>.desktop`,
 * macOS `~/Library/LaunchAgents/<app>.plist`, Windows `HKCU\Software\Microsoft\Windows\CurrentVersion\Run`.
 */
export const autostart: AutostartApi = { enable, disable, isEnabled };
