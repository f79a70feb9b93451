// The page: `window.Gluon` typed by the same AppIpc, from the types-only entry `gluon-ts/page`.
// Compiled to ui/page.js by the app's usual page build; it imports nothing at run time.
import type { PageGluon } from 'gluon-ts/page';
import type { AppIpc, Note } from '../shared.js';

declare const Gluon: PageGluon<AppIpc>;

const main = document.querySelector('main')!;

// Exposing to the backend (called there as Window.ipcPage.render(...)), and listening, before the
// first `await`: the page counts as up once `load` has fired, and a module's code after a
// top-level `await` may run later than that (a call or event for something not there yet then
// gets its answer at once: a ReferenceError, or null).
Gluon.ipcExpose({
  render: (html) => {
    main.innerHTML = html;
  },
  selection: () => String(getSelection() ?? ''),
});
Gluon.ipc.on('refresh', ({ id }) => `page refreshed note ${id} (store says ${Gluon.ipc.store.notesOpen ?? 0} notes)`);

// Calling the backend: every call returns a Promise of the described result.
const config = await Gluon.ipc.getConfig();
document.documentElement.dataset.theme = config.theme;
document.documentElement.style.fontSize = `${config.fontSize}px`;
const sum: number = await Gluon.ipc.add(2, 3);
const notes: Note[] = await Gluon.ipc.listNotes();
const saved = await Gluon.ipc.saveNote({ title: `Note ${notes.length + 1}`, body: `2 + 3 = ${sum}` });
console.log('saved note', saved.id);

// A stream: the function's AsyncIterable arrives as one, item by item.
for await (const n of await Gluon.ipc.countdown(3)) main.append(`${n}… `);

// Events and the store, same names and types as the backend sees.
const theme = Gluon.ipc.store.theme === 'dark' ? 'light' : 'dark';
Gluon.ipc.store.theme = theme;
await Gluon.ipcWith({ timeout: 1000 }).send('theme changed', theme);
await Gluon.ipc.send('ready');

document.title = `Typed app, Gluon ${Gluon.versions.gluon} on ${Gluon.versions.product} ${Gluon.versions.browser}`;
