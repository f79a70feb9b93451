// The notes "database": one JSON file in a data folder, read once and rewritten
// (atomically: temp file + rename) after every change. Knows nothing about windows or IPC.
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const MAX_TITLE = 200;
export const MAX_BODY = 100_000;
const THEMES = new Set(['light', 'dark']);

const SEED = [
  {
    title: 'Welcome to Notes',
    body:
      'This little app is a gluon-ts demo: the window is a browser you already have, ' +
      'and everything you see is driven by a Node backend.\n\n' +
      '• Pick a note on the left, edit it, press Save (or Ctrl+S).\n' +
      '• Type in the search box: the page asks the backend with a "search" event.\n' +
      '• The moon/sun button switches the theme through the shared store.\n' +
      '• The status bar ticks every second with numbers sent by the backend.',
  },
  {
    title: 'IPC in this demo',
    body:
      'Exposed functions: listNotes(), saveNote(note), deleteNote(id), systemInfo().\n' +
      'The page simply awaits Gluon.ipc.saveNote({ title, body }).\n\n' +
      'Errors cross too: try saving a note without a title. The backend throws a RangeError ' +
      'and the page catches an error with the same name and message.\n\n' +
      'Events: the backend sends "tick" every second (the page replies "ok"); the page sends "search".\n' +
      'Store: Gluon.ipc.store.theme and Gluon.ipc.store.noteCount are shared by both sides.',
  },
  {
    title: 'Groceries',
    body: 'Oat milk\nCoffee beans (medium roast)\nLemons ×3\nSourdough\nBasil\nDark chocolate',
  },
  {
    title: 'Weekend ideas',
    body: 'Walk along the river if it is sunny.\nTry the new ramen place.\nFinish the puzzle on the shelf.\nCall grandma.',
  },
];

export class NotesStore {
  /** @param {string} dir the data folder */
  constructor(dir) {
    this.dir = dir;
    this.file = join(dir, 'notes.json');
    /** @type {Map<string, {id: string, title: string, body: string, created: Date, updated: Date}>} */
    this.notes = new Map();
    this.theme = 'light';
    this.seeded = false;
    this.writing = Promise.resolve();
  }

  /** Reads the file, or seeds the example notes when there is none yet. */
  async load() {
    await mkdir(this.dir, { recursive: true });
    let text;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if (error.code !== 'ENOENT') throw error;
    }
    if (text === undefined) {
      const now = Date.now();
      SEED.forEach((note, i) => {
        // Spread the seed notes over the last days so the list looks lived-in.
        const when = new Date(now - [3, 90, 26 * 60, 3 * 24 * 60][i] * 60_000);
        const id = randomUUID();
        this.notes.set(id, { id, ...note, created: when, updated: when });
      });
      this.seeded = true;
      await this.persist();
      return;
    }
    let data;
    try {
      data = JSON.parse(text);
    } catch (error) {
      throw new Error(`${this.file} is not valid JSON (${error.message}); move it away to start afresh`);
    }
    if (THEMES.has(data.theme)) this.theme = data.theme;
    for (const raw of Array.isArray(data.notes) ? data.notes : []) {
      if (!raw || typeof raw.id !== 'string' || typeof raw.title !== 'string') continue;
      this.notes.set(raw.id, {
        id: raw.id,
        title: raw.title,
        body: typeof raw.body === 'string' ? raw.body : '',
        created: new Date(raw.created ?? Date.now()),
        updated: new Date(raw.updated ?? raw.created ?? Date.now()),
      });
    }
  }

  /** All notes, most recently edited first. */
  list() {
    return [...this.notes.values()].sort((a, b) => b.updated - a.updated).map((note) => ({ ...note }));
  }

  get count() {
    return this.notes.size;
  }

  /** Notes whose title or body contains every word of the query (case-insensitive). */
  search(query) {
    const words = String(query ?? '').toLowerCase().split(/\s+/).filter(Boolean);
    if (words.length === 0) return this.list();
    return this.list().filter((note) => {
      const text = `${note.title}\n${note.body}`.toLowerCase();
      return words.every((word) => text.includes(word));
    });
  }

  /** Creates (no id) or updates (id) a note. Throws TypeError/RangeError on bad input. */
  async save(input) {
    if (!input || typeof input !== 'object' || Array.isArray(input)) {
      throw new TypeError('saveNote expects a note object like { title, body }');
    }
    const { id, title, body = '' } = input;
    if (typeof title !== 'string') throw new TypeError(`The title must be text, not ${title === null ? 'null' : typeof title}`);
    if (typeof body !== 'string') throw new TypeError(`The body must be text, not ${body === null ? 'null' : typeof body}`);
    const cleanTitle = title.trim();
    if (!cleanTitle) throw new RangeError('A note needs a title');
    if (cleanTitle.length > MAX_TITLE) {
      throw new RangeError(`The title is too long: ${cleanTitle.length} characters, at most ${MAX_TITLE} allowed`);
    }
    if (body.length > MAX_BODY) throw new RangeError(`The note is too long: at most ${MAX_BODY} characters`);

    const now = new Date();
    let note;
    if (id === undefined || id === null || id === '') {
      note = { id: randomUUID(), title: cleanTitle, body, created: now, updated: now };
    } else {
      const existing = this.notes.get(String(id));
      if (!existing) throw new RangeError('That note no longer exists (it may have been deleted)');
      note = { ...existing, title: cleanTitle, body, updated: now };
    }
    this.notes.set(note.id, note);
    await this.persist();
    return { ...note };
  }

  /** Deletes a note; true if it existed. */
  async delete(id) {
    const existed = this.notes.delete(String(id));
    if (existed) await this.persist();
    return existed;
  }

  async setTheme(theme) {
    if (!THEMES.has(theme) || theme === this.theme) return false;
    this.theme = theme;
    await this.persist();
    return true;
  }

  /** Queues a rewrite of the file; writes never overlap. */
  persist() {
    const data = {
      version: 1,
      theme: this.theme,
      notes: this.list().map((n) => ({ ...n, created: n.created.toISOString(), updated: n.updated.toISOString() })),
    };
    const write = async () => {
      const temp = `${this.file}.${process.pid}.tmp`;
      await writeFile(temp, JSON.stringify(data, null, 2) + '\n');
      await rename(temp, this.file);
    };
    this.writing = this.writing.then(write, write);
    return this.writing;
  }
}

export function isTheme(value) {
  return THEMES.has(value);
}
