// This app's IPC, described once and checked on both sides: the backend (main.ts) passes it to
// open<AppIpc>(), the page (ui/app.ts) types window.Gluon with it. Types only: nothing here
// exists at run time. Each part is optional; add functions, events and store keys as you go.

export interface SystemInfo {
  platform: string;
  node: string;
  browser: string;
}

export interface AppIpc {
  /** What the backend exposes; the page calls it as `await Gluon.ipc.name(...)`. */
  backend: {
    greet(name: string): string;
    systemInfo(): SystemInfo;
    /** A long task that reports progress: the page reads it as an AsyncIterable. */
    count(to: number): AsyncIterable<number>;
  };
  /** What the page exposes; the backend calls it as `await Window.ipcPage.name(...)`. */
  page: {
    heading(): string;
  };
  /** Events, either direction: `data` is what `send` carries, `reply` what the listener returns. */
  events: {
    clicked: { data: { times: number }; reply: string };
  };
  /** The store both sides share. */
  store: {
    clicks: number;
  };
}
