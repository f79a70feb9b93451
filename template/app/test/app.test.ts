// Opens the built app's page headless and drives it through the same IPC the app uses.
// `npm test` builds the app and this file into .gluon/test/ (never dist/, where `npm run build`
// keeps the app's executable), then runs it with node --test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as Gluon from 'gluon-ts';
import { fileURLToPath } from 'node:url';
import type { AppIpc } from '../api.js';

test('the page greets the backend, and the backend reads the page', async () => {
  const Window = await Gluon.open<AppIpc>(fileURLToPath(new URL('../ui', import.meta.url)), { headless: true });
  try {
    let greeted = '';
    Window.ipc.greet = (name) => (greeted = name, `Hello, ${name}!`);
    Window.ipc.systemInfo = () => ({ platform: 'test', node: process.version, browser: 'test' });
    Window.ipc.count = async function* (to) { for (let n = 1; n <= to; n++) yield n; };
    Window.ipc.on('clicked', ({ times }) => `${times}`);
    // The page asks for greet() as it loads; wait until it has.
    const deadline = Date.now() + 15_000;
    while (!greeted && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(greeted, 'page');
    assert.equal(await Window.ipcPage.heading(), await Window.page.eval<string>('document.querySelector("h1").textContent'));
    assert.equal(await Window.page.eval<string>('document.getElementById("greeting").textContent'), 'Hello, page!');
  } finally {
    Window.close();
  }
});
