// The description the compile-time tests share (like an app's shared.ts).
export interface Config {
  theme: 'light' | 'dark';
  fontSize: number;
}

export interface AppIpc {
  backend: {
    getConfig(): Config;
    add(a: number, b: number): number;
    save(name: string, body: Uint8Array): Promise<boolean>;
    tail(file: string): AsyncIterable<string>;
    optional(label?: string): string;
    download(url: string): ReadableStream<Uint8Array>;
  };
  page: {
    render(html: string): void;
    selection(): Promise<string>;
  };
  events: {
    'get config': { data: void; reply: Config };
    refresh: { data: { id: number }; reply: string };
    ping: {};
  };
  store: {
    user: string;
    theme: 'light' | 'dark';
    count: number;
  };
}

/** Only some parts described: the rest stays permissive. */
export interface EventsOnly {
  events: { tick: { data: number } };
}

/** Names gluon-ts once took for itself, and Gluon's own: an app may describe functions by any of them. */
export interface FreeNames {
  backend: {
    page(n: number): string;
    with(options: { retries: number }): number;
    expose(name: string): boolean;
    ipcPage(): 'ipcPage';
    send(): 'unreachable from the page, as in Gluon';
  };
  page: {
    send(): string;
    with(): number;
    store(): boolean;
  };
}
