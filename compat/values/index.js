// Values a Gluon app hands over as they come: directory entries, file stats, objects holding
// methods and promises. Gluon carried them as JSON carries them; so must gluon-ts, both ways.
import * as Gluon from '@gluon-framework/gluon';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const warnings = [];
process.on('warning', (warning) => warnings.push({ code: /** @type {{ code?: string }} */ (warning).code, message: warning.message }));

const dir = mkdtempSync(join(tmpdir(), 'gluon-values-'));
writeFileSync(join(dir, 'notes.txt'), 'hello');
mkdirSync(join(dir, 'photos'));

class Task {
  constructor(title) {
    this.title = title;
    this.done = false;
  }
  finish() {
    this.done = true;
  }
}

const Window = await Gluon.open('page/index.html', { windowSize: [480, 320] });
/** @type {import('@gluon-framework/gluon').IPCApi} (Gluon's type names, checked by compat/tsconfig.json) */
const ipc = Window.ipc;
/** @type {import('@gluon-framework/gluon').IPCStoreApi} */
const store = ipc.store;

ipc.listFolder = () => readdirSync(dir, { withFileTypes: true });
ipc.statFile = () => statSync(join(dir, 'notes.txt'));
ipc.getTask = () => ({ task: new Task('write docs'), onDone: () => {}, saved: Promise.resolve(true), steps: [1, () => 2] });
ipc.broken = () => ({ get size() { throw new Error('the size is not known yet'); } });
store.settings = { theme: 'dark', apply() {}, loaded: Promise.resolve() };

ipc.on('page results', async (fromPage) => {
  // The other way: the page answers with, and sends, values of its own kind.
  const pageReply = await ipc.send('give values');
  const report = {
    fromPage,
    pageReply,
    pageStore: store.fromPage,
    warnings,
  };
  rmSync(dir, { recursive: true, force: true });
  if (process.env.COMPAT_REPORT) {
    console.log(JSON.stringify(report));
    Window.close();
  }
});
