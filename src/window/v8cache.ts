// Window.v8Cache, as Gluon has it: build a file of V8 code cache for the page's scripts, and
// load it so later starts compile less. Chromium only (through the engine's codeCache); on
// Firefox build() does nothing and load() answers false, with a warning, as Gluon does.
// V8 caches classic scripts only: module scripts are not in it.
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { CodeCacheEntry, Page } from '../engine/types.js';
import { logger } from '../log.js';
import { eventOrTimeout } from '../wait.js';

const log = logger('window');

export interface V8CacheBuildOptions {
  /** Where to save it (default: v8Cache.json in the window's browser profile). */
  path?: string;
  /** Compile every function now rather than when first called (default true). */
  eager?: boolean;
  /** The scripts to cache (default: the page's `<script src>`, and script preloads with includePreload). */
  urls?: string[];
  /** Reload the page so its scripts load again and get cached (default true). */
  reload?: boolean;
  /** Count `<link rel="preload" as="script">` among the page's scripts (default true). */
  includePreload?: boolean;
}

export interface V8CacheApi {
  /** Builds the cache for the page's scripts and saves it. Chromium only (Firefox: nothing, with a warning). */
  build(options?: V8CacheBuildOptions): Promise<void>;
  /**
   * Seeds the window with a saved cache, for its current and every later document. False if
   * there is no such file (or on Firefox). The default file is loaded by open() by itself.
   */
  load(path?: string): Promise<boolean>;
  /** Whether a cache file is there. */
  exists(path?: string): Promise<boolean>;
}

export const V8_CACHE_FILE = 'v8Cache.json';
/** How long build() waits for the reloaded page to load, and then for late cache data. */
const LOAD_WAIT = 30_000;
const AFTER_LOAD = 1000;

const exists = (path: string) => access(path).then(() => true, () => false);

function unsupported(engine: Page, what: string): void {
  process.emitWarning(`Window.v8Cache.${what}: V8's code cache is Chromium's; ${engine.name} has none, so this does nothing.`, { code: 'GLUON_UNSUPPORTED' });
}

/** Reads and checks a cache file; false if it is not there. */
export async function loadV8Cache(engine: Page, path: string): Promise<boolean> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  if (!engine.codeCache) {
    unsupported(engine, 'load()');
    return false;
  }
  let entries: unknown;
  try {
    entries = JSON.parse(text);
  } catch (error) {
    throw new Error(`Window.v8Cache.load: ${path} is not JSON (${(error as Error).message}); build it again with v8Cache.build()`);
  }
  const valid = Array.isArray(entries) && entries.every((entry) =>
    typeof entry === 'object' && entry !== null && typeof entry.url === 'string' && typeof entry.data === 'string');
  if (!valid) throw new Error(`Window.v8Cache.load: ${path} is not a V8 cache written by v8Cache.build() (an array of { url, data })`);
  await engine.codeCache.seed((entries as CodeCacheEntry[]).map(({ url, data }) => ({ url, data })));
  log(`v8Cache: seeded ${(entries as unknown[]).length} script(s) from ${path}`);
  return true;
}

export function createV8Cache(engine: Page, o: { profile: string; navigated: Promise<void> }): V8CacheApi {
  const defaultPath = () => resolve(o.profile, V8_CACHE_FILE);
  return {
    build: async (options = {}) => {
      const { path = defaultPath(), eager = true, reload = true, includePreload = true } = options;
      const cache = engine.codeCache;
      if (!cache) return unsupported(engine, 'build()');
      await o.navigated;
      const selector = includePreload ? 'script[src], link[rel="preload"][as="script"][href]' : 'script[src]';
      const urls = options.urls ?? (await engine.evaluate<string[]>(
        `[...document.querySelectorAll(${JSON.stringify(selector)})].map((element) => element.src || element.href)`,
      )).filter((url) => /^https?:/.test(url));
      const run = cache.produce(urls, eager);
      try {
        if (reload) {
          const loaded = eventOrTimeout<void>((done) => engine.on('load', () => done()), LOAD_WAIT, undefined);
          await engine.reload();
          await loaded;
        }
        // Cache data comes as V8 gets to each script: wait for all, or a moment after the load.
        for (const end = Date.now() + AFTER_LOAD; run.entries.length < urls.length && Date.now() < end;) {
          await new Promise((done) => setTimeout(done, 20));
        }
      } finally {
        run.stop();
      }
      const entries = [...new Map(run.entries.map((entry) => [entry.url, entry])).values()];
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, JSON.stringify(entries));
      log(`v8Cache: cached ${entries.length} of ${urls.length} script(s) in ${path}`);
    },
    load: (path = defaultPath()) => loadV8Cache(engine, path),
    exists: (path = defaultPath()) => exists(path),
  };
}
