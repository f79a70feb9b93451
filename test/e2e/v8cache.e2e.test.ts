// Window.v8Cache: build() saves V8's code cache of the page's classic scripts, load() seeds every
// later document with it, open() loads the profile's own by itself; Firefox has none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Gluon from '../../src/index.js';
import { INTERNALS } from '../../src/window/window.js';
import { ENGINE, fixture, openFixture, waitFor } from './helpers.js';

/** Records the Page.addCompilationCache commands the window's engine sends from now on (on its page's CDP session). */
function seedsSent(win: Gluon.Window): string[] {
  const { session } = (win as any)[INTERNALS].engine.delegate;
  const sent: string[] = [];
  const send = session.send.bind(session);
  session.send = (method: string, params: { url?: string }, ...rest: unknown[]) => {
    if (method === 'Page.addCompilationCache') sent.push(params.url!);
    return send(method, params, ...rest);
  };
  return sent;
}

test('v8Cache.build() caches the classic scripts, load() seeds every later document, open() loads its own (chromium)', { skip: ENGINE === 'firefox' && 'Chromium only' }, async () => {
  const dataPath = await mkdtemp(join(tmpdir(), 'gluon-ts-v8cache-'));
  try {
    const first = await Gluon.open(fixture('v8cache'), { headless: true, dataPath });
    let path: string;
    try {
      await first.page.loaded;
      assert.equal(await first.v8Cache.exists(), false);
      await first.v8Cache.build();
      assert.equal(await first.v8Cache.exists(), true);
      path = join(first.browser.profile, 'v8Cache.json');
      const entries = JSON.parse(await readFile(path, 'utf8')) as { url: string; data: string }[];
      assert.deepEqual(entries.map((e) => e.url), [`${Gluon.APP_ORIGIN}/classic.js`], 'the classic script; V8 leaves modules out');
      assert.ok(Buffer.from(entries[0]!.data, 'base64').length > 1000);
      // The page was reloaded and runs as before.
      await waitFor(first, 'window.moduleRan && window.classicRan === 1');
      assert.equal(await first.page.eval('window.classicResult[0]'), 55);
    } finally {
      await first.close();
    }

    // Another window of the profile: open() seeded it with that cache, and seeds each new document.
    const second = await Gluon.open(fixture('v8cache'), { headless: true, dataPath });
    try {
      await second.page.loaded;
      const { delegate } = (second as any)[INTERNALS].engine;
      assert.deepEqual(delegate.seeds.map((e: { url: string }) => e.url), [`${Gluon.APP_ORIGIN}/classic.js`]);
      const sent = seedsSent(second);
      await second.page.reload();
      await waitFor(second, 'window.moduleRan && window.classicRan === 1');
      assert.deepEqual(sent, [`${Gluon.APP_ORIGIN}/classic.js`], 'the reloaded document was seeded');
    } finally {
      await second.close();
    }

    // load(path) in any window; a file that is not a cache is refused, a missing one is false.
    const other = await openFixture('v8cache');
    try {
      await other.page.loaded;
      const sent = seedsSent(other);
      assert.equal(await other.v8Cache.load(path!), true);
      assert.deepEqual(sent, [`${Gluon.APP_ORIGIN}/classic.js`], 'the document there now is seeded too');
      assert.equal(await other.v8Cache.load(join(dataPath, 'missing.json')), false);
      const bad = join(dataPath, 'bad.json');
      await writeFile(bad, JSON.stringify({ not: 'a cache' }));
      await assert.rejects(other.v8Cache.load(bad), /not a V8 cache written by v8Cache\.build\(\)/);
      await writeFile(bad, 'not json');
      await assert.rejects(other.v8Cache.load(bad), /is not JSON/);
    } finally {
      await other.close();
    }
  } finally {
    await rm(dataPath, { recursive: true, force: true });
  }
});

test('v8Cache on Firefox: build() does nothing and load() answers false, each with a warning (firefox)', { skip: ENGINE !== 'firefox' && 'the Firefox engine only' }, async () => {
  const win = await openFixture('v8cache');
  const warnings: string[] = [];
  const onWarning = (warning: Error & { code?: string }) => {
    if (warning.code === 'GLUON_UNSUPPORTED') warnings.push(warning.message);
  };
  process.on('warning', onWarning);
  try {
    await win.page.loaded;
    await win.v8Cache.build();
    assert.equal(await win.v8Cache.exists(), false, 'nothing written');
    const path = join(win.browser.profile, 'elsewhere.json');
    await writeFile(path, JSON.stringify([{ url: `${Gluon.APP_ORIGIN}/classic.js`, data: 'AAAA' }]));
    assert.equal(await win.v8Cache.load(path), false);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(warnings.length, 2);
    assert.match(warnings[0]!, /Chromium's; firefox has none/);
    assert.equal(await win.page.eval('window.classicRan'), 1, 'the page is unharmed');
  } finally {
    process.off('warning', onWarning);
    await win.close();
  }
});
