// The system's own file and message dialogs, with Electron's shapes (`dialog.showOpenDialog`,
// `showSaveDialog`, `showMessageBox`). Which program shows them is chosen per call from what the
// machine has (dialogRoutes: a pure function, so every OS is covered by tests on Linux): on Linux
// the XDG desktop portal over D-Bus, else zenity, else kdialog; osascript on macOS; PowerShell
// with .NET on Windows. Nothing from the options reaches a shell or a script's source text: the
// tools get them as arguments, as D-Bus values, or (PowerShell) in an environment variable.
import { statSync } from 'node:fs';
import { posix, win32 } from 'node:path';
import { findCommand as findOnPath, type CommandFinder } from './command.js';
import { runKdialog, runOsascript, runPowerShell, runZenity } from './dialog-tools.js';
import { logger } from '../log.js';
import { eventOrTimeout } from '../wait.js';

const log = logger('desktop');

/** One entry of a dialog's file type list: `{ name: 'Images', extensions: ['png', 'jpg'] }` (no dots; `'*'` for all files). */
export interface FileFilter {
  name: string;
  extensions: string[];
}

/** What `showOpenDialog` may be asked to pick, as in Electron. */
export type OpenDialogProperty = 'openFile' | 'openDirectory' | 'multiSelections' | 'showHiddenFiles';

/** `showOpenDialog`'s options (Electron's names). */
export interface OpenDialogOptions {
  /** The dialog's title. */
  title?: string;
  /** The folder it opens in, or a file in that folder. */
  defaultPath?: string;
  /** The label of the accept button (the portal and kdialog show it; see the README for the others). */
  buttonLabel?: string;
  /** The file types offered. */
  filters?: FileFilter[];
  /** `openFile` (the default), `openDirectory`, `multiSelections`, `showHiddenFiles`. */
  properties?: OpenDialogProperty[];
  /** macOS: the text above the file list (the title is not shown there); the title is used when absent. */
  message?: string;
}

/** What `showOpenDialog` resolves to. */
export interface OpenDialogReturnValue {
  /** True if the user closed the dialog without choosing. */
  canceled: boolean;
  /** The absolute paths chosen, exactly as on disk (empty when canceled). */
  filePaths: string[];
}

/** `showSaveDialog`'s options (Electron's names). */
export interface SaveDialogOptions {
  /** The dialog's title. */
  title?: string;
  /** A folder, a file name, or a path with a file name: where the dialog starts and the name it proposes. */
  defaultPath?: string;
  /** The label of the accept button (the portal and kdialog show it). */
  buttonLabel?: string;
  /** The file types offered. */
  filters?: FileFilter[];
  /** macOS: the text above the file list; the title is used when absent. */
  message?: string;
}

/** What `showSaveDialog` resolves to. */
export interface SaveDialogReturnValue {
  /** True if the user closed the dialog without choosing. */
  canceled: boolean;
  /** The absolute path chosen ('' when canceled). The file is not created. */
  filePath: string;
}

/** `showMessageBox`'s options (Electron's names). */
export interface MessageBoxOptions {
  /** The main text. */
  message: string;
  /** The icon: `'none'`, `'info'`, `'error'`, `'question'` or `'warning'`. */
  type?: 'none' | 'info' | 'error' | 'question' | 'warning';
  /** The button labels, left to right as given (default `['OK']`); the answer is an index into them. */
  buttons?: string[];
  /** The index of the button chosen by Enter where the tool allows it (see the README). */
  defaultId?: number;
  /**
   * The answer when the dialog is dismissed (Escape, its close button). By default the first button
   * labelled "Cancel" or "No" (any case), else 0, as in Electron.
   */
  cancelId?: number;
  /** The window's title (macOS shows none). */
  title?: string;
  /** More text, under the message. */
  detail?: string;
}

/** What `showMessageBox` resolves to. */
export interface MessageBoxReturnValue {
  /** The index of the button pressed, or `cancelId` if the dialog was dismissed. */
  response: number;
  /** Always false: no route shows a check box yet (Electron's field, for code written for it). */
  checkboxChecked: boolean;
}

/** A program or service that can show a dialog. */
export type DialogRoute = 'portal' | 'zenity' | 'kdialog' | 'osascript' | 'powershell';

/** What the choice of a dialog route depends on: given, not read, so tests can play any OS. */
export interface DialogEnvironment {
  platform: NodeJS.Platform;
  env: Record<string, string | undefined>;
  findCommand: CommandFinder;
  /** Whether a D-Bus session bus address is known (the portal lives there). */
  hasSessionBus: boolean;
}

/** One route in the order tried: the program found for it, or why it cannot be used. */
export interface RouteCandidate {
  route: DialogRoute;
  /** The program to run (absent for the portal). */
  command?: string;
  /** Why this route cannot be used here; absent if it may be tried. */
  unusable?: string;
}

const ROUTE_NAMES: Record<DialogRoute, string> = {
  portal: 'the XDG desktop portal',
  zenity: 'zenity',
  kdialog: 'kdialog',
  osascript: 'osascript',
  powershell: 'PowerShell',
};

/**
 * The routes for a file dialog (`kind: 'file'`) or a message box (`'message'`), in the order they
 * are tried, each with its program or the reason it cannot be used. Pure: it reads only `environment`.
 */
export function dialogRoutes(kind: 'file' | 'message', environment: DialogEnvironment): RouteCandidate[] {
  const { platform, env, findCommand, hasSessionBus } = environment;
  const tool = (route: DialogRoute, names: string[], needsDisplay: boolean, install: string): RouteCandidate => {
    for (const name of names) {
      const command = findCommand(name);
      if (command) {
        if (needsDisplay && !env.DISPLAY && !env.WAYLAND_DISPLAY) return { route, command, unusable: 'no display (neither DISPLAY nor WAYLAND_DISPLAY is set)' };
        return { route, command };
      }
    }
    return { route, unusable: `not installed (${install})` };
  };
  if (platform === 'darwin') return [tool('osascript', ['osascript'], false, 'it is part of macOS: is /usr/bin on the PATH?')];
  if (platform === 'win32') return [tool('powershell', ['powershell', 'pwsh'], false, 'Windows PowerShell is part of Windows: is it on the PATH?')];
  const routes: RouteCandidate[] = [];
  if (kind === 'file') routes.push(hasSessionBus ? { route: 'portal' } : { route: 'portal', unusable: 'no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)' });
  routes.push(tool('zenity', ['zenity'], true, 'Debian/Ubuntu: apt-get install zenity'));
  routes.push(tool('kdialog', ['kdialog'], true, 'Debian/Ubuntu: apt-get install kdialog'));
  return routes;
}

/** The error when no route could show the dialog: each route tried, why not, and what to install. */
export class NoDialogToolError extends Error {
  constructor(readonly tried: { route: DialogRoute; why: string }[], platform: NodeJS.Platform) {
    const install =
      platform === 'darwin' ? 'osascript comes with macOS'
      : platform === 'win32' ? 'Windows PowerShell comes with Windows'
      : 'install zenity (Debian/Ubuntu: apt-get install zenity; Fedora: dnf install zenity) or kdialog, or run an XDG desktop portal with a file chooser backend (xdg-desktop-portal-gtk, -gnome or -kde)';
    super(`no dialog tool: tried ${tried.map(({ route, why }) => `${ROUTE_NAMES[route]} (${why})`).join(', ')}; ${install}`);
    this.name = 'NoDialogToolError';
  }
}

/** Where a dialog starts: the folder, and the file name proposed in it (save) or selected (open). */
export interface StartPlace {
  folder?: string;
  name?: string;
}

/**
 * `defaultPath` split into a folder and a name: an existing folder is a folder; anything else is
 * a file in its parent; one that ends with a slash is a folder too. Paths are read as `platform`'s.
 */
export function startPlace(defaultPath: string | undefined, platform: NodeJS.Platform): StartPlace {
  if (!defaultPath) return {};
  const { basename, dirname, resolve } = platform === 'win32' ? win32 : posix;
  const path = resolve(defaultPath);
  let isFolder = platform === 'win32' ? /[\\/]$/.test(defaultPath) : defaultPath.endsWith('/');
  try {
    isFolder ||= statSync(path).isDirectory();
  } catch {
    // not there (yet): a file name to propose
  }
  return isFolder ? { folder: path } : { folder: dirname(path), name: basename(path) };
}

/** What every route of an open dialog is given. */
export interface OpenRequest {
  title?: string;
  prompt?: string;
  buttonLabel?: string;
  filters: FileFilter[];
  directory: boolean;
  multiple: boolean;
  showHidden: boolean;
  start: StartPlace;
  /** The X11 window id of the app window the dialog belongs to, when one was given and found. */
  parent?: number;
}

/** What every route of a save dialog is given. */
export interface SaveRequest {
  title?: string;
  prompt?: string;
  buttonLabel?: string;
  filters: FileFilter[];
  start: StartPlace;
  /** As in OpenRequest. */
  parent?: number;
}

/** What every route of a message box is given: the buttons are never empty and the ids are in range. */
export interface MessageRequest {
  type: NonNullable<MessageBoxOptions['type']>;
  title?: string;
  message: string;
  detail?: string;
  buttons: string[];
  defaultId: number;
  cancelId: number;
  /** As in OpenRequest. */
  parent?: number;
}

function currentEnvironment(): DialogEnvironment {
  return { platform: process.platform, env: process.env, findCommand: findOnPath, hasSessionBus: process.platform !== 'darwin' && process.platform !== 'win32' && !!process.env.DBUS_SESSION_BUS_ADDRESS };
}

const strings = (value: unknown, what: string): string | undefined => {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new TypeError(`dialog: ${what} must be a string, got ${typeof value}`);
  return value;
};

function checkFilters(filters: unknown): FileFilter[] {
  if (filters === undefined) return [];
  if (!Array.isArray(filters)) throw new TypeError('dialog: filters must be an array of { name, extensions }');
  return filters.map((filter, i) => {
    const { name, extensions } = (filter ?? {}) as FileFilter;
    if (typeof name !== 'string' || !Array.isArray(extensions) || !extensions.every((e) => typeof e === 'string' && e.length > 0)) {
      throw new TypeError(`dialog: filters[${i}] must be { name: string, extensions: string[] } (extensions without the dot, '*' for all files)`);
    }
    return { name, extensions: extensions.map((e) => e.replace(/^\*?\./, '')) };
  });
}

/** Electron's default cancelId: the first button labelled Cancel or No, else 0. */
function defaultCancelId(buttons: string[]): number {
  const found = buttons.findIndex((label) => /^(cancel|no)$/i.test(label.replace(/[&_]/g, '').trim()));
  return found === -1 ? 0 : found;
}

function messageRequest(options: MessageBoxOptions): MessageRequest {
  if (!options || typeof options !== 'object') throw new TypeError('dialog.showMessageBox(options): options must be an object with a message');
  const message = strings(options.message, 'message') ?? '';
  const buttons = options.buttons === undefined || options.buttons.length === 0 ? ['OK'] : options.buttons;
  if (!Array.isArray(buttons) || !buttons.every((b) => typeof b === 'string')) throw new TypeError('dialog.showMessageBox: buttons must be an array of strings');
  const type = options.type ?? 'none';
  if (!['none', 'info', 'error', 'question', 'warning'].includes(type)) throw new TypeError(`dialog.showMessageBox: type must be none, info, error, question or warning, got ${String(type)}`);
  const inRange = (id: unknown, name: string) => {
    if (id === undefined) return undefined;
    if (!Number.isInteger(id) || (id as number) < 0 || (id as number) >= buttons.length) throw new RangeError(`dialog.showMessageBox: ${name} must be the index of a button (0 to ${buttons.length - 1}), got ${String(id)}`);
    return id as number;
  };
  return {
    type,
    title: strings(options.title, 'title'),
    message,
    detail: strings(options.detail, 'detail'),
    buttons,
    defaultId: inRange(options.defaultId, 'defaultId') ?? 0,
    cancelId: inRange(options.cancelId, 'cancelId') ?? defaultCancelId(buttons),
  };
}

/**
 * Runs `attempt` on the first route that can be used: the portal is asked first whether it has a
 * file chooser; a tool that is found is run. A route that fails once started is not replaced by
 * the next: its error is the answer (the user may have seen its dialog).
 */
async function onFirstRoute<T>(kind: 'file' | 'message', environment: DialogEnvironment, attempt: (candidate: RouteCandidate) => Promise<T>): Promise<T> {
  const tried: { route: DialogRoute; why: string }[] = [];
  for (const candidate of dialogRoutes(kind, environment)) {
    if (candidate.unusable) {
      tried.push({ route: candidate.route, why: candidate.unusable });
      continue;
    }
    if (candidate.route === 'portal') {
      const portal = await import('./dialog-portal.js');
      const why = await portal.portalUnusable();
      if (why) {
        tried.push({ route: 'portal', why });
        continue;
      }
    }
    log('dialog via', candidate.route, candidate.command ?? '');
    return attempt(candidate);
  }
  throw new NoDialogToolError(tried, environment.platform);
}

/** The command-line tools by route; each has open, save and message. */
const TOOLS = { zenity: runZenity, kdialog: runKdialog, osascript: runOsascript, powershell: runPowerShell };

/**
 * What a dialog needs of the app window it belongs to: a Gluon `Window` is one. Its browser's
 * process and its page's title find its X11 window (findX11Window).
 */
export interface DialogParent {
  browser: { pid: number };
  page: { title(): Promise<string> };
}

/**
 * Electron's `([window, ] options)`: the options, and the X11 window id of the window when one
 * is given and can be told apart (Linux and BSDs on X11 or XWayland; see findX11Window).
 */
async function argumentsOf<T>(first: unknown, second: T | undefined): Promise<{ options: T; parent?: number }> {
  if (second === undefined) return { options: first as T };
  const window = first as Partial<DialogParent> | null;
  const pid = window?.browser?.pid;
  if (typeof pid !== 'number' || typeof window?.page?.title !== 'function') {
    throw new TypeError('dialog: the first of two arguments must be the app\'s window (a Gluon Window), the second the options');
  }
  // A window that is closing may not answer: the dialog then matches by process alone.
  const title = await eventOrTimeout<string | undefined>((done) => void window.page!.title().then(done, () => done(undefined)), 2000, undefined);
  const { findX11Window } = await import('./x11-window.js');
  return { options: second, parent: await findX11Window({ pid, title }) };
}

/** showOpenDialog with the environment given (tests); the public one reads the process's. */
export async function openDialogIn(environment: DialogEnvironment, options: OpenDialogOptions = {}, parent?: number): Promise<OpenDialogReturnValue> {
  if (typeof options !== 'object' || options === null) throw new TypeError('dialog.showOpenDialog(options): options must be an object');
  const properties = options.properties ?? [];
  const request: OpenRequest = {
    title: strings(options.title, 'title'),
    prompt: strings(options.message, 'message') ?? strings(options.title, 'title'),
    buttonLabel: strings(options.buttonLabel, 'buttonLabel'),
    filters: checkFilters(options.filters),
    directory: properties.includes('openDirectory'),
    multiple: properties.includes('multiSelections'),
    showHidden: properties.includes('showHiddenFiles'),
    start: startPlace(strings(options.defaultPath, 'defaultPath'), environment.platform),
    parent,
  };
  return onFirstRoute('file', environment, async ({ route, command }) =>
    route === 'portal' ? (await import('./dialog-portal.js')).portalOpen(request) : TOOLS[route].open(command!, request, environment.env),
  );
}

/** showSaveDialog with the environment given (tests); the public one reads the process's. */
export async function saveDialogIn(environment: DialogEnvironment, options: SaveDialogOptions = {}, parent?: number): Promise<SaveDialogReturnValue> {
  if (typeof options !== 'object' || options === null) throw new TypeError('dialog.showSaveDialog(options): options must be an object');
  const request: SaveRequest = {
    title: strings(options.title, 'title'),
    prompt: strings(options.message, 'message') ?? strings(options.title, 'title'),
    buttonLabel: strings(options.buttonLabel, 'buttonLabel'),
    filters: checkFilters(options.filters),
    start: startPlace(strings(options.defaultPath, 'defaultPath'), environment.platform),
    parent,
  };
  return onFirstRoute('file', environment, async ({ route, command }) =>
    route === 'portal' ? (await import('./dialog-portal.js')).portalSave(request) : TOOLS[route].save(command!, request, environment.env),
  );
}

/** showMessageBox with the environment given (tests); the public one reads the process's. */
export async function messageBoxIn(environment: DialogEnvironment, options: MessageBoxOptions, parent?: number): Promise<MessageBoxReturnValue> {
  const request = { ...messageRequest(options), parent };
  const response = await onFirstRoute('message', environment, async ({ route, command }) => {
    if (route === 'portal') throw new Error('dialog: the portal shows no message box'); // never chosen for one
    return TOOLS[route].message(command!, request, environment.env);
  });
  return { response, checkboxChecked: false };
}

/**
 * Asks the user for files or a folder to open, in the system's own dialog. Resolves
 * `{ canceled, filePaths }`; rejects if no dialog tool is there (the error names each route tried
 * and what to install) or the tool failed. With Electron's optional first argument, the app's
 * window, the dialog is attached to that window where the platform allows (see the README).
 */
function showOpenDialog(options?: OpenDialogOptions): Promise<OpenDialogReturnValue>;
function showOpenDialog(window: DialogParent, options: OpenDialogOptions): Promise<OpenDialogReturnValue>;
async function showOpenDialog(first?: unknown, second?: OpenDialogOptions): Promise<OpenDialogReturnValue> {
  const { options, parent } = await argumentsOf(first, second);
  return openDialogIn(currentEnvironment(), options, parent);
}

/**
 * Asks the user where to save, in the system's own dialog (it asks before replacing a file
 * where the tool can). Resolves `{ canceled, filePath }`; creates nothing.
 */
function showSaveDialog(options?: SaveDialogOptions): Promise<SaveDialogReturnValue>;
function showSaveDialog(window: DialogParent, options: SaveDialogOptions): Promise<SaveDialogReturnValue>;
async function showSaveDialog(first?: unknown, second?: SaveDialogOptions): Promise<SaveDialogReturnValue> {
  const { options, parent } = await argumentsOf(first, second);
  return saveDialogIn(currentEnvironment(), options, parent);
}

/**
 * Shows a message with buttons and resolves `{ response }`, the index of the button pressed (or
 * `cancelId` when dismissed). Linux: zenity or kdialog (the portal has no message box).
 */
function showMessageBox(options: MessageBoxOptions): Promise<MessageBoxReturnValue>;
function showMessageBox(window: DialogParent, options: MessageBoxOptions): Promise<MessageBoxReturnValue>;
async function showMessageBox(first: unknown, second?: MessageBoxOptions): Promise<MessageBoxReturnValue> {
  const { options, parent } = await argumentsOf(first, second);
  return messageBoxIn(currentEnvironment(), options, parent);
}

/** The system's dialogs, Electron's `dialog` module: `Gluon.dialog.showOpenDialog(...)` and so on. */
export const dialog = { showOpenDialog, showSaveDialog, showMessageBox };
