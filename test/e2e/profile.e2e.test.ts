// Browser profiles: a new Firefox profile starts from the start-up caches that the first one
// left behind (src/browser/firefox.ts), and never from its user data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { TEMPLATE_FILES } from '../../src/browser/firefox.js';
import { ENGINE, openFixture } from './helpers.js';

const digest = async (path: string) => createHash('sha256').update(await readFile(path)).digest('hex');

test('Firefox: a new profile starts from the start-up caches of the first one, with none of its user data', { skip: ENGINE !== 'firefox' && 'the Firefox engine only' }, async () => {
  // An empty per-user data folder, as on a new machine.
  const data = await mkdtemp(join(tmpdir(), 'gluon-ts-data-'));
  const before = process.env.XDG_DATA_HOME;
  process.env.XDG_DATA_HOME = data;
  try {
    const templates = join(data, 'gluon-ts', 'templates');
    const first = await openFixture('app');
    await first.page.loaded;
    // The page keeps something in each of the browser's stores.
    await first.page.eval(`(async () => {
      localStorage.setItem('secret', 'first window');
      document.cookie = 'secret=first; max-age=3600; secure; samesite=strict';
      const db = await new Promise((resolve, reject) => {
        const open = indexedDB.open('secrets', 1);
        open.onupgradeneeded = () => open.result.createObjectStore('s');
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      await new Promise((resolve) => { const tx = db.transaction('s', 'readwrite'); tx.objectStore('s').put('first window', 'secret'); tx.oncomplete = resolve; });
    })()`);
    assert.equal(await first.page.eval('document.cookie'), 'secret=first');
    await first.close();

    const names = await readdir(templates);
    assert.equal(names.length, 1, `one template: ${names.join(', ')}`);
    const template = join(templates, names[0]!);
    const tops = [...new Set(TEMPLATE_FILES.map((name) => name.split(sep)[0]!))].sort();
    assert.deepEqual((await readdir(template)).sort(), tops);
    assert.deepEqual(await readdir(join(template, 'storage')), ['permanent'], 'the page\'s storage (storage/default) stays behind');
    assert.deepEqual(await readdir(join(template, 'storage', 'permanent')), ['chrome']);
    assert.ok((await readdir(join(template, 'storage', 'permanent', 'chrome', 'idb'))).some((name) => name.endsWith('.sqlite')), 'the browser\'s own databases are kept');

    const second = await openFixture('app');
    try {
      await second.page.loaded;
      // Seeded: Firefox writes its start-up cache only when it shuts down, so this one is the template's.
      const cache = join('startupCache', 'startupCache.8.little');
      assert.equal(await digest(join(second.browser.profile, cache)), await digest(join(template, cache)));
      assert.equal(await second.page.eval(`localStorage.getItem('secret')`), null);
      assert.equal(await second.page.eval('document.cookie'), '');
      assert.deepEqual(await second.page.eval('indexedDB.databases().then((list) => list.map((db) => db.name))'), []);
      second.ipc.hello = () => 'hello';
      assert.equal(await second.page.eval('Gluon.ipc.hello()'), 'hello');
    } finally {
      await second.close();
    }
    assert.equal((await readdir(templates)).length, 1, 'a seeded profile leaves no second template');
  } finally {
    if (before === undefined) delete process.env.XDG_DATA_HOME;
    else process.env.XDG_DATA_HOME = before;
    await rm(data, { recursive: true, force: true });
  }
});
