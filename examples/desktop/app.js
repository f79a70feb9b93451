// Desktop: a one-note pad that uses the desktop around its window.
//
// - Open and Save use the system's own file dialogs (Gluon.dialog), attached to the app's window:
//   the page never names a path; the backend keeps the one the user picked.
// - Saving shows a notification (Gluon.notify) with a button that shows the file in its folder.
// - gtsdemo://note?text=... links reach the running app (Gluon.on('open-url')): a later start,
//   from a click on such a link once the app is installed (npx gluon-ts build, then
//   npx gluon-ts install), hands its link to this one through the single-instance lock and exits.
//
//   cd examples/desktop && npm install && node app.js
//   node app.js 'gtsdemo://note?text=Hello'     (while it runs: the text lands in the first one)
import * as Gluon from 'gluon-ts';
import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';

// One instance: a later start has handed its command line (its link) to the first; it is done.
if (!(await Gluon.requestSingleInstanceLock())) process.exit(0);

const Window = await Gluon.open('ui', { windowSize: [640, 480], windowState: 'main' });

/** The file being edited: only ever a path a dialog returned, never one the page sent. */
let current;

Window.ipc.openNote = async () => {
  const { canceled, filePaths } = await Gluon.dialog.showOpenDialog(Window, {
    title: 'Open a note',
    filters: [{ name: 'Notes', extensions: ['txt', 'md'] }],
    properties: ['openFile'],
  });
  if (canceled) return null;
  current = filePaths[0];
  return { name: basename(current), text: await readFile(current, 'utf8') };
};

Window.ipc.saveNote = async (text) => {
  if (typeof text !== 'string' || text.length > 1_000_000) throw new TypeError('saveNote(text): text must be a string of up to a million characters');
  if (!current) {
    const { canceled, filePath } = await Gluon.dialog.showSaveDialog(Window, { title: 'Save the note', defaultPath: 'note.txt' });
    if (canceled) return null;
    current = filePath;
  }
  await writeFile(current, text);
  const saved = current;
  // A notification that cannot be shown (no notification server) is not a failed save.
  Gluon.notify({ title: 'Note saved', body: basename(saved), actions: [{ text: 'Show in folder' }] })
    .then((note) => note.on('action', () => Gluon.shell.showItemInFolder(saved)))
    .catch((error) => console.warn(`desktop: no notification: ${error.message}`));
  return basename(saved);
};

// gtsdemo://note?text=...: only the text goes on to the page, as text.
Gluon.on('open-url', async ({ url }) => {
  const text = new URL(url).searchParams.get('text') ?? '';
  const shown = await Window.ipc.send('link', text.slice(0, 10_000)).catch((error) => `not shown: ${error.message}`);
  console.log(`desktop: link ${JSON.stringify(url)}: the page shows ${JSON.stringify(shown)}`);
});

Gluon.on('second-instance', () => Window.controls.show());
console.log('desktop: ready');
