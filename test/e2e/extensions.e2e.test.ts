// Gluon.extensions: an unpacked folder (Chromium) or an .xpi (Firefox), installed by every
// open() after add() and before the app's first document, and no longer after remove().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as Gluon from '../../src/index.js';
import { ENGINE, fixture, openFixture, waitFor } from './helpers.js';

const MARK = 'document.documentElement.dataset.gluonTestExtension';

test(`extensions.add installs an extension in later windows, from the first document on; remove stops it (${ENGINE})`, async () => {
  // The Chromium path as a promise, as Gluon allows (a download, say).
  const extension = { chromium: Promise.resolve(fixture('extension', 'chromium')), firefox: fixture('extension', 'gluon-ts-test.xpi') };
  Gluon.extensions.add(extension);
  try {
    const win = await openFixture('app');
    try {
      await win.page.loaded;
      assert.equal(await win.page.eval(MARK), 'loaded', 'its content script ran in the first document');
      await win.page.reload();
      await waitFor(win, `${MARK} === 'loaded'`);
    } finally {
      await win.close();
    }
  } finally {
    Gluon.extensions.remove(extension);
  }
  const plain = await openFixture('app');
  try {
    await plain.page.loaded;
    await waitFor(plain, 'document.readyState === "complete"');
    assert.equal(await plain.page.eval(MARK), undefined, 'not installed once removed');
  } finally {
    await plain.close();
  }
});

test(`a bad extension path fails open() saying which and why (${ENGINE})`, async () => {
  assert.throws(() => Gluon.extensions.add({} as any), TypeError);
  const bad = { chromium: fixture('extension', 'firefox', 'content.js'), firefox: fixture('extension', 'missing.xpi') };
  Gluon.extensions.add(bad);
  try {
    await assert.rejects(openFixture('app'), ENGINE === 'chromium' ? /content\.js is not an unpacked Chromium extension/ : /missing\.xpi is not a file/);
  } finally {
    Gluon.extensions.remove(bad);
  }
});
