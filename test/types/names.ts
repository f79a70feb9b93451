// No name taken from the app: functions named page, with, expose... described, exposed and
// called on both sides, while gluon-ts's additions (Window.ipcPage, Window.ipcWith,
// Gluon.ipcExpose, Gluon.ipcUnexpose, Gluon.ipcWith) stay typed beside them.
import type { Window } from '../../src/index.js';
import type { PageGluon } from '../../src/types/page.js';
import type { FreeNames } from './schema.js';

type Equal<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;
const expectType = <T extends true>(_: T) => {};

declare const win: Window<FreeNames>;
declare const Gluon: PageGluon<FreeNames>;

// ---- the backend exposes them by assignment, or with expose() for Gluon's own names
win.ipc.page = (n) => `page ${n.toFixed()}`;
win.ipc.with = ({ retries }) => retries;
win.ipc.ipcPage = () => 'ipcPage';
win.ipc.expose('expose', (name) => name.length > 0);
win.ipc.expose({ send: () => 'unreachable from the page, as in Gluon' });
// @ts-expect-error wrong return type
win.ipc.page = (n: number) => n;
// @ts-expect-error wrong parameter type
win.ipc.with = (options: { retries: string }) => 1;
// @ts-expect-error expose is Gluon's method on Window.ipc: expose a function of that name with expose('expose', fn)
win.ipc.expose = (name: string) => true;
// @ts-expect-error wrong return type through expose()
win.ipc.expose('expose', () => 'yes');

export async function pageSide() {
  // ---- the page calls them on Gluon.ipc, all but Gluon's own names
  const page = await Gluon.ipc.page(1);
  expectType<Equal<typeof page, string>>(true);
  const withResult = await Gluon.ipc.with({ retries: 2 });
  expectType<Equal<typeof withResult, number>>(true);
  const exposed = await Gluon.ipc.expose('x');
  expectType<Equal<typeof exposed, boolean>>(true);
  const ipcPage = await Gluon.ipc.ipcPage();
  expectType<Equal<typeof ipcPage, 'ipcPage'>>(true);
  // @ts-expect-error wrong argument type
  await Gluon.ipc.with({ retries: 'two' });
  // Gluon.ipc.send stays Gluon's event API: the backend's `send` is not reachable from the page, as in Gluon.
  const reply = await Gluon.ipc.send('an event');
  expectType<Equal<typeof reply, any>>(true);
  // @ts-expect-error ipcWith's send is the event API (it takes an event type), not the backend's send()
  await Gluon.ipcWith({ timeout: 10 }).send();
  // ipcWith gives every backend function but send, with options.
  const late = await Gluon.ipcWith({ timeout: 10 }).with({ retries: 1 });
  expectType<Equal<typeof late, number>>(true);

  // ---- the page exposes send, with and store; the backend calls them through ipcPage
  Gluon.ipcExpose({ send: () => 'sent', with: () => 1, store: () => true });
  // @ts-expect-error wrong return type
  Gluon.ipcExpose('with', () => 'one');
  Gluon.ipcUnexpose('store');
}

export async function backendSide() {
  const sent = await win.ipcPage.send();
  expectType<Equal<typeof sent, string>>(true);
  const w = await win.ipcWith({ timeout: 10 }).page.with();
  expectType<Equal<typeof w, number>>(true);
  const stored = await win.ipcPage.store();
  expectType<Equal<typeof stored, boolean>>(true);
  // @ts-expect-error the page exposes no such function
  await win.ipcPage.expose();
}
