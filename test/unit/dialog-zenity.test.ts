// Gluon.dialog as a user meets it on Linux without a portal: real zenity windows on a private X
// display (Xvfb, openbox), answered from the keyboard with xdotool. The session bus is a private
// one with no portal on it, so the route choice itself is part of the test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { dialog } from '../../src/index.js';
import { closeSessionBus } from '../../src/desktop/dbus.js';
import { hasCommand, startDisplay, x11Missing, type Display } from '../e2e/x11.js';
import { busMissing as privateBusMissing, startBus as startPrivateBus } from './private-bus.js';

// Under CI every tool must be there: a missing one fails the test instead of skipping it.
const skip = process.env.CI ? false : x11Missing(true) || (hasCommand('zenity') ? false : 'needs zenity (apt-get install zenity)') || privateBusMissing();

/** Waits for the dialog titled `title`, focuses it, then does what the user does; resolves with the dialog's answer. */
async function answer<T>(display: Display, shown: Promise<T>, title: string, act: () => unknown): Promise<T> {
  const early = shown.then(() => assert.fail(`the ${title} dialog answered before it was shown`));
  const id = await Promise.race([display.windowTitled(title), early]);
  display.run('xdotool', ['windowactivate', '--sync', id]);
  await sleep(500); // the file chooser reads its folder before it takes keys
  await act();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`the ${title} dialog did not answer within 20 s of the keys`)), 20_000)));
  return Promise.race([shown, late]).finally(() => clearTimeout(timer));
}

/**
 * Types `text` as a user would. A character the keyboard map lacks is typed alone and slowly:
 * xdotool maps it onto a spare key for the moment, and a dialog slow to read the event (a busy
 * machine) would otherwise see the mapping already undone and lose the character.
 */
async function typeText(display: Display, text: string): Promise<void> {
  for (const run of text.match(/[\x20-\x7e]+|[^\x20-\x7e]/gu) ?? []) {
    const ascii = /^[\x20-\x7e]/.test(run);
    // xdotool keeps the spare key mapped for the delay after the key: long enough for the dialog.
    display.run('xdotool', ['type', '--delay', ascii ? '15' : '250', run]);
    if (!ascii) await sleep(100);
  }
}

test('zenity: open, save and message dialogs answered from the keyboard give exact paths and button indexes', { skip, timeout: 90_000 }, async () => {
  const display = await startDisplay({ windowManager: true });
  const bus = await startPrivateBus();
  const before = { DISPLAY: process.env.DISPLAY, DBUS_SESSION_BUS_ADDRESS: process.env.DBUS_SESSION_BUS_ADDRESS };
  process.env.DISPLAY = display.name;
  process.env.DBUS_SESSION_BUS_ADDRESS = bus.address;
  const folder = mkdtempSync(join(tmpdir(), 'gluon dialog "é" '));
  const names = [`a b 'q" é ü 日本.txt`, 'new\nline.md', 'plain.md'];
  const sub = `sub 'ñ' "x"`;
  const files = join(folder, sub); // files only: ctrl+a below selects no folder
  mkdirSync(files);
  for (const name of names) writeFileSync(join(files, name), '');
  const key = (...keys: string[]) => display.run('xdotool', ['key', '--clearmodifiers', ...keys]);
  try {
    // A path typed into the location field (ctrl+L), relative to the folder the dialog opened in
    // (typed from /, GTK's completion pop-up over a busy /tmp now and then took the keys).
    // xdotool types a character the keyboard map lacks through a spare key it maps for the moment;
    // on a loaded machine the dialog now and then reads the key after the mapping is gone and the
    // character is lost (CI: "日" of "日本"). So the user types the path again, up to three times: a
    // dialog that changed the path would give the same wrong answer every time.
    let opened: Awaited<ReturnType<typeof dialog.showOpenDialog>> | undefined;
    for (let attempt = 1; attempt <= 3; attempt++) {
      opened = await answer(display, dialog.showOpenDialog({ title: `gluon-open-1-${attempt}`, defaultPath: folder }), `gluon-open-1-${attempt}`, async () => {
        key('ctrl+l');
        await typeText(display, `${sub}/${names[0]}`);
        key('Return');
      });
      if (opened.filePaths[0] === join(files, names[0]!)) break;
    }
    assert.deepEqual(opened, { canceled: false, filePaths: [join(files, names[0]!)] });

    const canceled = await answer(display, dialog.showOpenDialog({ title: 'gluon-open-2', defaultPath: folder }), 'gluon-open-2', () => key('Escape'));
    assert.deepEqual(canceled, { canceled: true, filePaths: [] });

    // Several, one with a newline in its name: preselected, then all selected (ctrl+a) and taken.
    const several = await answer(display, dialog.showOpenDialog({ title: 'gluon-open-3', defaultPath: join(files, names[1]!), properties: ['openFile', 'multiSelections'] }), 'gluon-open-3', () => {
      key('ctrl+a');
      key('Return');
    });
    assert.equal(several.canceled, false);
    assert.deepEqual([...several.filePaths].sort(), names.map((name) => join(files, name)).sort());

    const proposed = join(files, 'saved "x" ñ 日本.txt');
    const saved = await answer(display, dialog.showSaveDialog({ title: 'gluon-save-1', defaultPath: proposed }), 'gluon-save-1', () => key('Return'));
    assert.deepEqual(saved, { canceled: false, filePath: proposed });
    const notSaved = await answer(display, dialog.showSaveDialog({ title: 'gluon-save-2', defaultPath: proposed }), 'gluon-save-2', () => key('Escape'));
    assert.deepEqual(notSaved, { canceled: true, filePath: '' });

    const buttons = ['Save', "Do_n't save", 'Cancel'];
    const second = await answer(display, dialog.showMessageBox({ type: 'question', title: 'gluon-message-1', message: 'Save "notes"?', detail: 'a\\b é', buttons }), 'gluon-message-1', () => key('Tab', 'Return'));
    assert.deepEqual(second, { response: 1, checkboxChecked: false });

    const dismissed = await answer(display, dialog.showMessageBox({ type: 'warning', title: 'gluon-message-2', message: 'Retry?', buttons: ['Retry', 'Cancel'] }), 'gluon-message-2', () => key('Escape'));
    assert.deepEqual(dismissed, { response: 1, checkboxChecked: false }, 'Escape answers cancelId: the "Cancel" button');
  } finally {
    closeSessionBus();
    for (const [name, value] of Object.entries(before)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    rmSync(folder, { recursive: true, force: true });
    await bus.stop();
    await display.stop();
  }
});
