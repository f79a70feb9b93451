// Finding the browser to launch: what the app or the user asked for (option,
// command-line flag, GLUON_BROWSER) or else the first installed catalogue browser.
// Every filesystem check goes through an injectable `exists` so tests can fake installs.

import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { homedir as osHomedir } from 'node:os';
import { posix, win32 } from 'node:path';
import {
  CATALOGUE,
  browsersNamed,
  guessEngine,
  type BrowserEngine,
  type CatalogueEntry,
} from './catalogue.js';

export interface FoundBrowser {
  /** Catalogue id, or `'custom'` for a path the user gave without a known name. */
  id: string;
  name: string;
  engine: 'chromium' | 'firefox';
  path: string;
}

export interface FindBrowserOptions {
  /** A catalogue id or family (`chrome`, `edge`, `Chrome Beta`), or a path to an executable. */
  forceBrowser?: string;
  /** Only used by automatic detection: skip browsers of the other engine. */
  forceEngine?: BrowserEngine;
  argv?: string[];
  env?: Record<string, string | undefined>;
  platform?: NodeJS.Platform;
  homedir?: string;
  /** True if `path` is an executable file. Default: stat + fs.access(X_OK). */
  exists?: (path: string) => Promise<boolean>;
}

export class BrowserNotFoundError extends Error {
  override readonly name = 'BrowserNotFoundError';
  /** Every full path that was checked. */
  readonly searched: string[];
  constructor(message: string, searched: string[]) {
    super(message);
    this.searched = searched;
  }
}

/** Default `exists`: an executable regular file. */
export async function isExecutableFile(path: string): Promise<boolean> {
  try {
    if (!(await stat(path)).isFile()) return false;
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

interface Ctx {
  platform: NodeJS.Platform;
  env: Record<string, string | undefined>;
  home: string;
  path: typeof posix;
  exists: (path: string) => Promise<boolean>;
}

/** One thing we look for: `shown` in messages, found at the first existing of `paths`. */
interface Probe {
  where: string;
  shown: string;
  paths: string[];
}

/** Env lookup that is case-insensitive like Windows itself (`ProgramFiles` = `PROGRAMFILES`). */
function getEnv(ctx: Ctx, name: string): string | undefined {
  if (ctx.env[name] !== undefined) return ctx.env[name] || undefined;
  if (ctx.platform !== 'win32') return undefined;
  const key = Object.keys(ctx.env).find((k) => k.toUpperCase() === name.toUpperCase());
  return key === undefined ? undefined : ctx.env[key] || undefined;
}

const unique = (xs: string[]) => [...new Set(xs)];

function probesFor(b: CatalogueEntry, ctx: Ctx): Probe[] {
  const { join } = ctx.path;
  if (ctx.platform === 'win32') {
    const roots = unique(
      ['PROGRAMFILES', 'PROGRAMFILES(X86)', 'LOCALAPPDATA']
        .map((v) => getEnv(ctx, v))
        .filter((v): v is string => !!v),
    );
    const scoop = getEnv(ctx, 'SCOOP') ?? join(ctx.home, 'scoop');
    return [
      ...(b.win32?.rel ?? []).map((rel) => ({
        where: `under ${roots.join(', ') || '(PROGRAMFILES, PROGRAMFILES(X86), LOCALAPPDATA unset)'}`,
        shown: rel,
        paths: roots.map((r) => join(r, rel)),
      })),
      ...(b.win32?.scoop ?? []).map((rel) => ({
        where: `in scoop (${join(scoop, 'apps')})`,
        shown: rel,
        paths: [join(scoop, 'apps', rel)],
      })),
    ];
  }
  if (ctx.platform === 'darwin') {
    const dirs = ['/Applications', join(ctx.home, 'Applications')];
    return (b.darwin ?? []).map((rel) => ({
      where: `in ${dirs.join(' and ')}`,
      shown: rel,
      paths: dirs.map((d) => join(d, rel)),
    }));
  }
  // Linux and other Unixes. Only absolute PATH entries: a relative one would depend on the cwd.
  const pathDirs = unique((getEnv(ctx, 'PATH') ?? '').split(':').filter((d) => ctx.path.isAbsolute(d)));
  const flatpakDirs = [
    '/var/lib/flatpak/exports/bin',
    join(ctx.home, '.local/share/flatpak/exports/bin'),
  ];
  return [
    ...(b.linux?.bin ?? []).map((bin) => ({
      where: 'on PATH',
      shown: bin,
      paths: pathDirs.map((d) => join(d, bin)),
    })),
    ...(b.linux?.paths ?? []).map((p) => ({ where: 'at known install paths', shown: p, paths: [p] })),
    ...(b.linux?.flatpak ?? []).map((appId) => ({
      where: `as flatpak apps (in ${flatpakDirs.join(' or ')})`,
      shown: appId,
      paths: flatpakDirs.map((d) => join(d, appId)),
    })),
  ];
}

/** Path of the first installed candidate of `b`, or undefined. */
async function locate(b: CatalogueEntry, ctx: Ctx): Promise<string | undefined> {
  for (const probe of probesFor(b, ctx)) {
    const found = await Promise.all(probe.paths.map((p) => ctx.exists(p)));
    const i = found.indexOf(true);
    if (i >= 0) return probe.paths[i];
  }
  return undefined;
}

async function firstInstalled(entries: CatalogueEntry[], ctx: Ctx): Promise<FoundBrowser | undefined> {
  for (const b of entries) {
    const path = await locate(b, ctx);
    if (path) return { id: b.id, name: b.name, engine: b.engine, path };
  }
  return undefined;
}

// ---- messages -------------------------------------------------------------

function searchedFor(entries: CatalogueEntry[], ctx: Ctx): { lines: string[]; paths: string[] } {
  const groups = new Map<string, string[]>();
  const paths: string[] = [];
  for (const b of entries) {
    for (const probe of probesFor(b, ctx)) {
      const shown = groups.get(probe.where) ?? [];
      if (!shown.includes(probe.shown)) shown.push(probe.shown);
      groups.set(probe.where, shown);
      paths.push(...probe.paths);
    }
  }
  const lines = [...groups].map(([where, shown]) => `  ${where}: ${shown.join(', ')}`);
  if (lines.length === 0) lines.push(`  (gluon-ts knows no install location for these on ${ctx.platform})`);
  return { lines, paths: unique(paths) };
}

function installHints(ctx: Ctx, engine?: BrowserEngine): string[] {
  const ff = engine === 'firefox';
  const linux = [
    ff ? '  Debian/Ubuntu: sudo apt-get install firefox-esr' : '  Debian/Ubuntu: sudo apt-get install chromium   (or firefox-esr)',
    ff ? '  Fedora: sudo dnf install firefox' : '  Fedora: sudo dnf install chromium',
  ];
  const mac = [ff ? '  macOS: brew install --cask firefox' : '  macOS: brew install --cask google-chrome'];
  const win = [
    ff
      ? '  Windows: winget install Mozilla.Firefox'
      : '  Windows: Microsoft Edge is preinstalled (repair it if removed), or: winget install Google.Chrome',
  ];
  if (ctx.platform === 'win32') return win;
  if (ctx.platform === 'darwin') return mac;
  if (ctx.platform === 'linux') return linux;
  return [...linux, ...mac, ...win];
}

function pointHint(ctx: Ctx): string {
  const example =
    ctx.platform === 'win32'
      ? '--browser=chrome,"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe"'
      : ctx.platform === 'darwin'
        ? '--browser=chrome,"/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"'
        : '--browser=chromium,/usr/bin/chromium';
  return (
    'or point gluon-ts at a browser you have: set GLUON_BROWSER=/path/to/browser, ' +
    `or run the app with --browser=NAME,PATH (e.g. ${example}).`
  );
}

function knownIds(): string {
  return CATALOGUE.map((b) => b.id).join(', ');
}

function unknownName(spec: string, source: string): BrowserNotFoundError {
  return new BrowserNotFoundError(
    `Unknown browser "${spec}" (from ${source}): it is neither a browser gluon-ts knows nor a path.\n` +
      `Known browsers: ${knownIds()}.\n` +
      `Use one of these ids (or a family such as chrome, edge, firefox), or give the executable's ` +
      `absolute path, e.g. GLUON_BROWSER=/path/to/browser or --browser=NAME,PATH.`,
    [],
  );
}

function namedButMissing(entries: CatalogueEntry[], source: string, ctx: Ctx): BrowserNotFoundError {
  const { lines, paths } = searchedFor(entries, ctx);
  const names = entries.map((b) => b.name);
  const what = names.length === 1 ? `${names[0]} is not installed` : `none of ${names.join(', ')} is installed`;
  return new BrowserNotFoundError(
    `${entries[0]!.name} was asked for by ${source}, but ${what}; ` +
      `gluon-ts does not fall back to another browser when one is named.\n` +
      `Searched:\n${lines.join('\n')}\n` +
      `To fix: install it, or remove ${source} to let gluon-ts pick any installed browser, ` +
      `or name another one (known: ${knownIds()}),\n` +
      pointHint(ctx),
    paths,
  );
}

function noneInstalled(ctx: Ctx, engine?: BrowserEngine): BrowserNotFoundError {
  const entries = CATALOGUE.filter((b) => !engine || b.engine === engine);
  const { lines, paths } = searchedFor(entries, ctx);
  const kind = engine === 'firefox' ? 'Firefox-family' : engine === 'chromium' ? 'Chromium-family' : 'supported';
  return new BrowserNotFoundError(
    `No ${kind} browser found: gluon-ts opens the app in a browser already installed on this ` +
      `machine and found none of the ones it knows${engine ? ` (the app asked for engine "${engine}")` : ''}.\n` +
      `Searched:\n${lines.join('\n')}\n` +
      `To fix, install one:\n${installHints(ctx, engine).join('\n')}\n` +
      pointHint(ctx),
    paths,
  );
}

// ---- what the user asked for ------------------------------------------------

function looksLikePath(s: string, ctx: Ctx): boolean {
  return ctx.path.isAbsolute(s) || s.includes('/') || (ctx.platform === 'win32' && s.includes('\\'));
}

/** A custom executable: checks it exists, names it from `label` or its file name. */
async function customPath(path: string, label: string | undefined, source: string, ctx: Ctx): Promise<FoundBrowser> {
  if (!(await ctx.exists(path))) {
    throw new BrowserNotFoundError(
      `The browser executable ${path} (from ${source}) does not exist or is not an executable file.\n` +
        `To fix: correct the path (it must be the browser's executable itself, not a folder), ` +
        `or remove ${source} to let gluon-ts pick an installed browser.`,
      [path],
    );
  }
  const entry = label ? browsersNamed(label)[0] : undefined;
  if (entry) return { id: entry.id, name: entry.name, engine: entry.engine, path };
  const file = ctx.path.basename(path);
  return {
    id: 'custom',
    name: label || file.replace(/\.exe$/i, ''),
    engine: guessEngine(label ? `${label} ${file}` : file),
    path,
  };
}

/** Resolves a value of forceBrowser, GLUON_BROWSER or --browser=: NAME, PATH or NAME,PATH. */
async function fromSpec(spec: string, source: string, ctx: Ctx): Promise<FoundBrowser> {
  const s = spec.trim();
  if (ctx.path.isAbsolute(s)) return customPath(s, undefined, source, ctx);
  const comma = s.indexOf(',');
  if (comma >= 0) {
    const label = s.slice(0, comma).trim();
    const path = s.slice(comma + 1).trim();
    if (!path) return fromSpec(label, source, ctx);
    return customPath(path, label || undefined, source, ctx);
  }
  if (looksLikePath(s, ctx)) return customPath(ctx.path.resolve(s), undefined, source, ctx);
  const entries = browsersNamed(s);
  if (entries.length === 0) throw unknownName(s, source);
  const found = await firstInstalled(entries, ctx);
  if (!found) throw namedButMissing(entries, source, ctx);
  return found;
}

/** The first browser-choosing argument: `--<id>`, `--<family>`, `--browser=...`. */
function fromArgv(argv: string[]): { spec: string; source: string } | undefined {
  for (const arg of argv) {
    if (arg.startsWith('--browser=')) return { spec: arg.slice('--browser='.length), source: `the ${arg} flag` };
    const m = /^--([a-z][a-z0-9_-]*)$/i.exec(arg);
    if (m && browsersNamed(m[1]!).length > 0) return { spec: m[1]!, source: `the ${arg} flag` };
  }
  return undefined;
}

function contextFor(opts: FindBrowserOptions): Ctx {
  const platform = opts.platform ?? process.platform;
  return {
    platform,
    env: opts.env ?? process.env,
    home: opts.homedir ?? osHomedir(),
    path: platform === 'win32' ? win32 : posix,
    exists: opts.exists ?? isExecutableFile,
  };
}

/**
 * Picks the browser to launch. Precedence: `forceBrowser`, then argv flags
 * (`--chromium`, `--chrome-beta`, `--browser=NAME[,PATH]`), then GLUON_BROWSER,
 * then the first installed catalogue browser (of `forceEngine`, if given).
 * A browser that was named but is missing is an error, never a silent fallback.
 */
export async function findBrowser(opts: FindBrowserOptions = {}): Promise<FoundBrowser> {
  const ctx = contextFor(opts);

  if (opts.forceBrowser?.trim()) return fromSpec(opts.forceBrowser, 'the forceBrowser option', ctx);

  const flag = fromArgv(opts.argv ?? process.argv);
  if (flag && flag.spec.trim()) return fromSpec(flag.spec, flag.source, ctx);

  const fromEnv = getEnv(ctx, 'GLUON_BROWSER');
  if (fromEnv?.trim()) return fromSpec(fromEnv, 'GLUON_BROWSER', ctx);

  const candidates = CATALOGUE.filter((b) => !opts.forceEngine || b.engine === opts.forceEngine);
  const found = await firstInstalled(candidates, ctx);
  if (!found) throw noneInstalled(ctx, opts.forceEngine);
  return found;
}

// ---- every browser, for `gluon-ts doctor` ----------------------------------------------

export interface SurveyedBrowser {
  id: string;
  name: string;
  engine: BrowserEngine;
  /** Where it is installed, or undefined. */
  path?: string;
  /** Where it was looked for, one line per kind of place. */
  searched: string[];
}

export interface BrowserSurvey {
  browsers: SurveyedBrowser[];
  /** What the app would launch with no option or flag (GLUON_BROWSER counts), or why not. */
  chosen: FoundBrowser | BrowserNotFoundError;
  /** How to install a browser of each engine on this platform. */
  installHints: Record<BrowserEngine, string[]>;
}

/** Looks for every browser of the catalogue, and for the one an app would pick. */
export async function surveyBrowsers(opts: Omit<FindBrowserOptions, 'forceBrowser' | 'forceEngine'> = {}): Promise<BrowserSurvey> {
  const ctx = contextFor(opts);
  const browsers = await Promise.all(CATALOGUE.map(async (b) => ({
    id: b.id,
    name: b.name,
    engine: b.engine,
    path: await locate(b, ctx),
    searched: searchedFor([b], ctx).lines.map((line) => line.trim()),
  })));
  let chosen: FoundBrowser | BrowserNotFoundError;
  try {
    chosen = await findBrowser({ ...opts, argv: opts.argv ?? [] });
  } catch (error) {
    if (!(error instanceof BrowserNotFoundError)) throw error;
    chosen = error;
  }
  return {
    browsers,
    chosen,
    installHints: { chromium: installHints(ctx, 'chromium'), firefox: installHints(ctx, 'firefox') },
  };
}
