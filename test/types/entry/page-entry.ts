// Page code importing the published types-only entry, as an app would.
import type { PageGluon, IpcSchema } from 'gluon-ts/page';

interface Small extends IpcSchema {
  backend: { hello(name: string): string; bytes(): ReadableStream<Uint8Array> };
}
declare const Gluon: PageGluon<Small>;

export async function hello(): Promise<string> {
  // @ts-expect-error wrong argument type
  await Gluon.ipc.hello(1);
  // lib DOM without DOM.AsyncIterable: a ReadableStream still arrives as an AsyncIterable.
  const bytes: AsyncIterable<Uint8Array> = await Gluon.ipc.bytes();
  // @ts-expect-error the items are Uint8Array
  const strings: AsyncIterable<string> = await Gluon.ipc.bytes();
  void bytes, strings;
  return Gluon.ipc.hello('page');
}
