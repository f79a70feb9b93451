// The one description of this app's IPC, shared by the backend (backend.ts) and the page
// (ui/page.ts). Types only: nothing here exists at run time.

export interface Config {
  theme: 'light' | 'dark';
  fontSize: number;
}

export interface Note {
  id: number;
  title: string;
  body: string;
}

export interface AppIpc {
  /** What the backend exposes; the page calls it as `await Gluon.ipc.name(...)`. */
  backend: {
    getConfig(): Config;
    add(a: number, b: number): number;
    listNotes(): Promise<Note[]>;
    saveNote(note: Omit<Note, 'id'> & { id?: number }): Promise<Note>;
    /** A stream: the page gets an AsyncIterable of the numbers. */
    countdown(from: number): AsyncIterable<number>;
  };
  /** What the page exposes; the backend calls it as `await Window.ipcPage.name(...)`. */
  page: {
    render(html: string): void;
    selection(): string;
  };
  /** Events, either direction: `data` is what `send` carries, `reply` what the listener returns. */
  events: {
    'get config': { data: void; reply: Config };
    refresh: { data: { id: number }; reply: string };
    'theme changed': { data: Config['theme'] };
    /** The page has made its first calls: the backend's turn to call it. */
    ready: {};
  };
  /** The store both sides share. */
  store: {
    user: string;
    theme: Config['theme'];
    notesOpen: number;
  };
}
