// The page's Gluon global, typed by AppIpc.
import type { PageGluon } from '../../src/types/page.js';
import type { AppIpc, Config } from './schema.js';

type Equal<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;
const expectType = <T extends true>(_: T) => {};

declare const Gluon: PageGluon<AppIpc>;

export async function calls() {
  const config = await Gluon.ipc.getConfig();
  expectType<Equal<typeof config, Config>>(true);
  const promise = Gluon.ipc.add(1, 2);
  expectType<Equal<typeof promise, Promise<number>>>(true);
  const saved = await Gluon.ipc.save('a', new Uint8Array(1));
  expectType<Equal<typeof saved, boolean>>(true); // Promise<Promise<boolean>> flattens
  const lines = await Gluon.ipc.tail('log.txt');
  expectType<Equal<typeof lines, AsyncIterable<string>>>(true);
  for await (const line of lines) line.toUpperCase();
  await Gluon.ipc.optional();
  const chunks = await Gluon.ipc.download('https://example.invalid/');
  expectType<Equal<typeof chunks, AsyncIterable<Uint8Array>>>(true);
  // @ts-expect-error calling an unknown backend function
  await Gluon.ipc.getConfg();
  // @ts-expect-error wrong argument type
  await Gluon.ipc.add('1', 2);
  // @ts-expect-error missing argument
  await Gluon.ipc.add(1);
  // @ts-expect-error the page cannot replace the backend's functions
  Gluon.ipc.add = async () => 3;

  const fast = Gluon.ipcWith({ timeout: 100 });
  const sum = await fast.add(1, 2);
  expectType<Equal<typeof sum, number>>(true);
  // @ts-expect-error unknown function through with()
  await fast.nope();
  const reply = await fast.send('get config');
  expectType<Equal<typeof reply, Config | null>>(true);
}

// ---- page-side expose, typed by AppIpc['page']: Gluon.ipcExpose, beside Gluon.ipc
Gluon.ipcExpose('render', (html) => void html.trim());
Gluon.ipcExpose({ selection: async function () { return this.signal.aborted ? '' : 'text'; } });
// @ts-expect-error wrong parameter type
Gluon.ipcExpose('render', (html: number) => {});
// @ts-expect-error wrong return type
Gluon.ipcExpose('selection', () => 42);
// @ts-expect-error the page describes no such function
Gluon.ipcExpose('scroll', () => {});
Gluon.ipcUnexpose('render');
// @ts-expect-error the page describes no such function
Gluon.ipcUnexpose('scroll');
// @ts-expect-error Gluon.ipc.expose would call a backend function named expose, and AppIpc's backend has none
Gluon.ipc.expose('render', (html: string) => html);
// @ts-expect-error the same for with
Gluon.ipc.with({ timeout: 100 });

// ---- events and store, same as the backend
Gluon.ipc.on('refresh', ({ id }) => `page refreshed ${id}`);
// @ts-expect-error unknown event type
Gluon.ipc.on('reload', () => {});
export async function events() {
  const config = await Gluon.ipc.send('get config');
  expectType<Equal<typeof config, Config | null>>(true);
  // @ts-expect-error wrong event data
  await Gluon.ipc.send('refresh', 1);
}
Gluon.ipc.store.theme = 'light';
const user: string | undefined = Gluon.ipc.store.user;
// @ts-expect-error wrong store value type
Gluon.ipc.store.theme = 'sepia';
// @ts-expect-error wrong store value type
Gluon.ipc.store.set('user', 1);

// ---- versions
const v = Gluon.versions;
expectType<Equal<typeof v.js.browser, string>>(true);
expectType<Equal<typeof v.embedded.node, boolean>>(true);
expectType<Equal<typeof v.browserType, 'chromium' | 'firefox'>>(true);
// @ts-expect-error no such field
v.electron;
export { user };
