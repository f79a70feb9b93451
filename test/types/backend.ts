// The backend's Window.ipc, typed by AppIpc.
import { open, type BackendIpc, type Window } from '../../src/index.js';
import type { AppIpc, Config } from './schema.js';

type Equal<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;
const expectType = <T extends true>(_: T) => {};

declare const win: Window<AppIpc>;
const ipc = win.ipc;
const config: Config = { theme: 'dark', fontSize: 14 };

// open<T>() gives Window<T>.
export async function opened() {
  const w = await open<AppIpc>('ui');
  expectType<Equal<typeof w.ipc, BackendIpc<AppIpc>>>(true);
}

// ---- exposing by assignment: parameters and result checked against AppIpc['backend']
ipc.getConfig = () => config;
ipc.getConfig = async () => config; // a Promise of the result is fine
ipc.add = (a, b) => a + b; // parameters are contextually typed
ipc.add = (a: number) => a; // fewer parameters are fine
ipc.save = async (name, body) => name.length > 0 && body.byteLength > 0;
ipc.save = () => true; // a plain result where the description says Promise is fine too
ipc.tail = async function* (file: string) { yield file; };
ipc.optional = (label = 'none') => label;
ipc.download = () => new ReadableStream<Uint8Array>();
// `this.signal` in a function (not an arrow) tells it the caller gave up.
ipc.getConfig = async function () {
  expectType<Equal<typeof this.signal, AbortSignal>>(true);
  return config;
};
ipc.on('refresh', function (data) {
  return this.signal.aborted ? 'aborted' : String(data.id);
});
// @ts-expect-error wrong parameter type
ipc.add = (a: string, b: number) => b;
// @ts-expect-error wrong parameter type, even a narrower one (checked strictly, not bivariantly)
ipc.add = (a: 1, b: number) => a + b;
// @ts-expect-error wrong return type
ipc.add = (a: number, b: number) => `${a + b}`;
// @ts-expect-error wrong return type inside a Promise
ipc.getConfig = async () => ({ theme: 'blue', fontSize: 1 });
// @ts-expect-error too many required parameters
ipc.getConfig = (extra: string) => config;
// @ts-expect-error a name the backend does not expose
ipc.getConfg = () => config;
// @ts-expect-error Gluon's own names are the API, read-only here (ipc.expose('send', fn) exposes one of that name)
ipc.send = async () => null;
delete ipc.add; // unexposes
// Reading gives the function, or undefined. (`win.ipc`: `ipc.add` itself is narrowed by the lines above.)
expectType<Equal<typeof win.ipc.add, ((a: number, b: number) => number | PromiseLike<number>) | undefined>>(true);

// ---- expose(name, fn) and expose({ ... })
ipc.expose('add', (a, b) => a + b);
ipc.expose({ getConfig: () => config, add: async (a, b) => a * b });
// @ts-expect-error wrong parameter type
ipc.expose('add', (a: string) => 1);
// @ts-expect-error wrong return type
ipc.expose('getConfig', () => 'dark');
// @ts-expect-error unknown name
ipc.expose('nope', () => 1);
// @ts-expect-error wrong return type in the map form
ipc.expose({ add: (a: number, b: number) => String(a + b) });
// @ts-expect-error unknown name in the map form
ipc.expose({ nope: () => 1 });
ipc.unexpose('add');
// @ts-expect-error unknown name
ipc.unexpose('nope');

// ---- events
ipc.on('get config', () => config);
ipc.on('get config', async () => ({ theme: 'light', fontSize: 12 }));
ipc.on('get config', () => {}); // no reply: the next listener's counts
ipc.on('refresh', (data) => `refreshed ${data.id}`);
ipc.on('ping', () => {});
// @ts-expect-error unknown event type
ipc.on('refrsh', () => 'x');
// @ts-expect-error the data is { id: number }
ipc.on('refresh', (data: { id: string }) => data.id);
// @ts-expect-error wrong reply type
ipc.on('refresh', (data) => data.id);
const listener = (data: { id: number }) => String(data.id);
ipc.removeListener('refresh', listener);
ipc.removeListener('refresh');

export async function events() {
  const reply = await ipc.send('refresh', { id: 1 });
  expectType<Equal<typeof reply, string | null>>(true);
  const got = await ipc.send('get config'); // data: void may be left out
  expectType<Equal<typeof got, Config | null>>(true);
  await ipc.send('ping');
  // @ts-expect-error wrong event data
  await ipc.send('refresh', { id: '1' });
  // @ts-expect-error missing event data
  await ipc.send('refresh');
  // @ts-expect-error unknown event type
  await ipc.send('refrsh', { id: 1 });
}

// ---- store
ipc.store.user = 'ada';
ipc.store.theme = 'dark';
ipc.store.set('count', 1);
// @ts-expect-error wrong store value type
ipc.store.count = 'one';
// @ts-expect-error wrong store value type
ipc.store.theme = 'blue';
// @ts-expect-error wrong store value type
ipc.store.set('count', 'one');
// @ts-expect-error unknown store key
ipc.store.colour = 'red';
// @ts-expect-error unknown store key
ipc.store.get('colour');
// @ts-expect-error store methods cannot be replaced
ipc.store.keys = () => [];
delete ipc.store.user;
const theme = ipc.store.get('theme');
expectType<Equal<typeof theme, 'light' | 'dark' | undefined>>(true);
expectType<Equal<typeof win.ipc.store.user, string | undefined>>(true);
expectType<Equal<ReturnType<typeof ipc.store.keys>, Array<'user' | 'theme' | 'count'>>>(true);
const off = ipc.store.onChange((change) => {
  if (change.key === 'count' && !change.deleted) {
    expectType<Equal<typeof change.value, number>>(true);
  }
  if (change.deleted) expectType<Equal<typeof change.value, undefined>>(true);
});
off();

// ---- calling what the page exposed: Window.ipcPage, beside Window.ipc
export async function pageCalls() {
  const rendered = await win.ipcPage.render('<p>hi</p>');
  expectType<Equal<typeof rendered, void>>(true);
  const selection = await win.ipcPage.selection();
  expectType<Equal<typeof selection, string>>(true);
  // @ts-expect-error wrong argument type
  await win.ipcPage.render(42);
  // @ts-expect-error the page exposes no such function
  await win.ipcPage.scroll();
  // @ts-expect-error gluon-ts's page calls are not on Window.ipc, whose names are the app's
  await ipc.page.render('<p>hi</p>');

  // ---- ipcWith(options): the same calls, same types
  const controller = new AbortController();
  const calls = win.ipcWith({ signal: controller.signal, timeout: 1000 });
  const text = await calls.page.selection();
  expectType<Equal<typeof text, string>>(true);
  const r = await calls.send('refresh', { id: 2 });
  expectType<Equal<typeof r, string | null>>(true);
  // @ts-expect-error wrong event data through with()
  await calls.send('refresh', { id: 'x' });
  // @ts-expect-error unknown option
  win.ipcWith({ retries: 3 });
  // @ts-expect-error not on Window.ipc either
  ipc.with({ timeout: 1 });
}
