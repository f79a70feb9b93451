// The backend: open the window with the app's IPC description; every expose, listener and
// store write below is checked against AppIpc by tsc.
import { userInfo } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { open } from 'gluon-ts';
import type { AppIpc, Config, Note } from './shared.js';

const config: Config = { theme: 'dark', fontSize: 14 };
const notes: Note[] = [{ id: 1, title: 'Hello', body: 'Typed from end to end.' }];

const Window = await open<AppIpc>('ui', { windowSize: [900, 640] });
const { ipc } = Window;

// Exposing: by assignment or with expose(); parameters and results must match AppIpc['backend'].
ipc.getConfig = () => config;
ipc.add = (a, b) => a + b;
ipc.expose({
  listNotes: async () => notes,
  saveNote: async (draft) => {
    const note: Note = { ...draft, id: draft.id ?? notes.length + 1 };
    const index = notes.findIndex((n) => n.id === note.id);
    if (index === -1) notes.push(note);
    else notes[index] = note;
    ipc.store.notesOpen = notes.length;
    return note;
  },
});
// A stream; `this.signal` (in a function, not an arrow) fires if the page stops reading.
ipc.countdown = async function* (from) {
  for (let n = from; n >= 0; n--) {
    yield n;
    await sleep(100, undefined, { signal: this.signal });
  }
};

// Events: the listener gets the typed data and returns the typed reply.
ipc.on('get config', () => config);
ipc.on('theme changed', (theme) => void (config.theme = theme));
const pageReady = new Promise<void>((resolve) => ipc.on('ready', () => resolve()));

// The store: keys and value types come from AppIpc['store'].
ipc.store.user = userInfo().username;
ipc.store.theme = config.theme;
ipc.store.set('notesOpen', notes.length);
ipc.store.onChange((change) => {
  if (change.key === 'theme' && !change.deleted) console.log('theme is now', change.value);
});

// Calling the page, once it has made its first calls: what it exposed, typed by AppIpc['page'].
await pageReady;
await Window.ipcPage.render(`<p>Hello ${ipc.store.user ?? 'you'}, from Node ${process.versions.node}</p>`);
const reply = await Window.ipcWith({ timeout: 2000 }).send('refresh', { id: 1 });
console.log('the page says:', reply);
