// With no type argument, or a description that leaves parts out, the IPC stays as permissive
// as Gluon's own API: JS-style apps keep compiling.
import type { PageGluon } from '../../src/types/page.js';
import { open, type Window } from '../../src/index.js';
import type { EventsOnly } from './schema.js';

type Equal<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;
const expectType = <T extends true>(_: T) => {};

export async function untyped() {
  const win = await open('ui');
  expectType<Equal<typeof win, Window>>(true);
  win.ipc.anything = (...args: unknown[]) => args;
  win.ipc.expose('sum', (a: number, b: number) => a + b);
  win.ipc.expose({ upper: (s: string) => s.toUpperCase() });
  win.ipc.expose('slow', function () {
    return this.signal.aborted; // `this` is typed untyped too
  });
  win.ipc.on('event', function (data) {
    return [this.signal, data];
  });
  delete win.ipc.anything;
  win.ipc.unexpose('sum');
  win.ipc.on('whatever', (data) => data);
  const reply = await win.ipc.send('whatever', { any: 'thing' });
  expectType<Equal<typeof reply, any>>(true);
  await win.ipc.send('no data');
  win.ipc.store.x = 1;
  win.ipc.store.set('y', 'two');
  const x: number = win.ipc.store.x;
  win.ipc.store.onChange((change) => change.key.toUpperCase());
  await win.ipcPage.anything(1, 2, 3);
  await win.ipcWith({ timeout: 5 }).page.whatever();
  await win.ipcWith({ timeout: 5 }).send('whatever');
  // Any name but Gluon's own is the app's: page and with too.
  win.ipc.page = () => 'an exposed function named page';
  win.ipc.with = () => 'and one named with';
  // @ts-expect-error Gluon's own names are the API, read-only here
  win.ipc.send = async () => null;
  return x;
}

declare const Gluon: PageGluon;
export async function untypedPage() {
  const anything = await Gluon.ipc.whatever(1, 'two');
  expectType<Equal<typeof anything, any>>(true);
  Gluon.ipc.exposedFromPage = () => 1; // Gluon-style page expose by assignment
  Gluon.ipcExpose('render', (html: string) => html);
  Gluon.ipcUnexpose('render');
  // Every name but Gluon's own calls the backend, as in Gluon.
  const fromBackend: Promise<any> = Gluon.ipc.with({ timeout: 5 });
  await Gluon.ipc.page(1);
  await Gluon.ipcWith({ timeout: 5 }).anything();
  return fromBackend;
  Gluon.ipc.store.anything = { deep: true };
}

// Only events described: functions and store stay permissive, events are checked.
export async function partly(win: Window<EventsOnly>) {
  win.ipc.whatever = () => 1;
  await win.ipc.send('tick', 1);
  win.ipc.on('tick', (n) => void n.toFixed());
  // @ts-expect-error events are described: unknown type
  await win.ipc.send('tock', 1);
  // @ts-expect-error events are described: wrong data
  await win.ipc.send('tick', 'one');
  win.ipc.store.free = 'form';
}

// A description must look like one: a typo'd part name is caught.
// @ts-expect-error 'backnd' is not a part of IpcSchema
export type Typo = Window<{ backnd: { f(): void } }>;
