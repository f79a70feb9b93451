// The app-level events (Gluon.on / Gluon.off) and the single-instance lock: each event's
// handler is typed by the AppEvents interface, and a name that is not an event is an error.
import * as Gluon from '../../src/index.js';
import type { AppEvents, SecondInstance } from '../../src/index.js';

type Equal<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;
const expectType = <T extends true>(_: T) => {};

export async function app() {
  const first = await Gluon.requestSingleInstanceLock({ openedFrom: 'cli' }, { name: 'notes', timeout: 5000 });
  expectType<Equal<typeof first, boolean>>(true);
  if (!(await Gluon.requestSingleInstanceLock())) process.exit(0);
  const stop = Gluon.on('second-instance', ({ argv, cwd, additionalData }) => {
    expectType<Equal<typeof argv, string[]>>(true);
    expectType<Equal<typeof cwd, string>>(true);
    expectType<Equal<typeof additionalData, unknown>>(true);
  });
  expectType<Equal<typeof stop, () => void>>(true);
  const handler = (data: SecondInstance) => data.argv.length;
  Gluon.on('second-instance', handler);
  Gluon.off('second-instance', handler);
  expectType<Equal<AppEvents['second-instance'], SecondInstance>>(true);
  expectType<Equal<ReturnType<typeof Gluon.hasSingleInstanceLock>, boolean>>(true);
  Gluon.releaseSingleInstanceLock();
  // @ts-expect-error not an app event
  Gluon.on('second-instanse', () => {});
  // @ts-expect-error the handler's data is a SecondInstance, not a string
  Gluon.on('second-instance', (data: string) => data);
  // @ts-expect-error the name is a string
  await Gluon.requestSingleInstanceLock(undefined, { name: 42 });
}
