// `gluon-ts/page`: the types of the page side, for code running in the window. Types only:
// the compiled module is empty, so importing it (with `import type`) adds nothing to a page.
//
//   import type { PageGluon } from 'gluon-ts/page';
//   import type { AppIpc } from '../shared.js';
//   declare const Gluon: PageGluon<AppIpc>;
//   const config = await Gluon.ipc.getConfig();   // Promise<Config>
//
// or, to type the global for every page file at once, in a .d.ts of the page code:
//
//   import type { PageGluon } from 'gluon-ts/page';
//   import type { AppIpc } from '../shared.js';
//   declare global { var Gluon: PageGluon<AppIpc>; }

/**
 * The page side's types, for code running in the window: `declare const Gluon: PageGluon<AppIpc>`
 * with `import type { PageGluon } from 'gluon-ts/page'`. Types only: nothing is imported at run time.
 * @module gluon-ts/page
 */
export type {
  AnyEvents,
  AnyFunction,
  AnyFunctions,
  AnyStore,
  BackendFunctionsOf,
  CallOptions,
  DefaultIpc,
  EventData,
  EventName,
  EventReply,
  EventsOf,
  ExposableName,
  ExposeFunction,
  FunctionNames,
  GluonVersions,
  HandlerContext,
  Implementation,
  Implementations,
  IpcEvents,
  IpcListener,
  IpcMethodName,
  IpcSchema,
  IpcStore,
  MaybePromise,
  PageCalls,
  PageFunctionsOf,
  PageGluon,
  PageIpc,
  PageIpcMethodName,
  PageIpcMethods,
  PageRemotes,
  Received,
  RemoteFunction,
  RemoteFunctions,
  SendFunction,
  StoreChangeOf,
  StoreMethodName,
  StoreMethods,
  StoreOf,
  UntypedHandler,
  UntypedStore,
} from './ipc.js';
