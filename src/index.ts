// gluon-ts: open a website or a local app folder as a desktop window in a browser the
// user already has, with an IPC between this Node backend and the page.
// The public surface follows the Gluon framework's (`import * as Gluon from ...`).

/**
 * The backend API: `import * as Gluon from 'gluon-ts'`. Start with {@link open}, which returns a
 * {@link Window}: its `ipc` (expose functions, events, the shared store), `page`, `versions`.
 * The README and docs/guide.md explain it with examples; this reference is generated from the
 * typings by TypeDoc (`npm run docs`).
 * @module gluon-ts
 */
import { GLUON_API_VERSION, PACKAGE_VERSION } from './window/open.js';
import type { extensions } from './extensions.js';
import type { AboutLink } from './window/about.js';
import type { CdpApi } from './window/window.js';
import type { CssResource, JsResource } from './window/resources.js';
import type { PdfOptions } from './engine/types.js';
import type { BackendIpc } from './types/ipc.js';
import { listenForDevReload } from './dev-reload.js';
import { reloadOpenWindows } from './window/windows.js';

export { open, APP_ORIGIN } from './window/open.js';
export { openAbout } from './window/about.js';
export { broadcast } from './window/windows.js';
export type { BroadcastResult } from './window/windows.js';
export { extensions } from './extensions.js';
export type { Extension } from './extensions.js';
export type { OpenAboutOptions, AboutLink } from './window/about.js';
export type { OpenOptions } from './window/open.js';
export type { Window, PageApi, VersionInfo, BrowserVersions, WindowEvents, BrowserInfo, CdpApi, BidiApi, ControlsApi, CloseRequestedEvent } from './window/window.js';
export type { Browser, BrowserEngine } from './browser/catalogue.js';
export type { IdleApi, IdleAutoOptions, IdleState } from './window/idle.js';
export type { V8CacheApi, V8CacheBuildOptions } from './window/v8cache.js';
export type { ResourcesApi, CssResource, JsResource } from './window/resources.js';
export type { PdfOptions, RawEvent, WindowBounds } from './engine/types.js';
export type { WindowBoundsEvents, WindowBoundsInfo } from './window/bounds.js';
export type { WindowState } from './engine/types.js';
export type {
  IpcSchema,
  DefaultIpc,
  BackendIpc,
  BackendIpcMethods,
  BackendExposed,
  BackendCalls,
  PageIpc,
  PageGluon,
  GluonVersions,
  HandlerContext,
  CallOptions,
  IpcStore,
  UntypedStore,
  StoreChangeOf,
  Implementation,
  Implementations,
  RemoteFunction,
  RemoteFunctions,
  Received,
  EventName,
  EventData,
  EventReply,
  IpcListener,
  MaybePromise,
  BackendFunctionsOf,
  PageFunctionsOf,
  EventsOf,
  StoreOf,
} from './types/ipc.js';
export { on, off } from './desktop/app-events.js';
export type { AppEvents, AppEventName, AppEventHandler, SecondInstance, OpenUrl, OpenFile } from './desktop/app-events.js';
// Loaded for its effect too: the first open-url/open-file handler reads the command line (deep-links.ts).
export { RegistrationError } from './desktop/deep-links.js';
export { requestSingleInstanceLock, releaseSingleInstanceLock, hasSingleInstanceLock } from './desktop/single-instance.js';
export type { SingleInstanceOptions } from './desktop/single-instance.js';
export { notify } from './desktop/notify.js';
export type { NotifyOptions, NotificationAction, NotificationEvents, NotificationCloseReason, NotificationRoute, DesktopNotification } from './desktop/notify.js';
export { UnsafeRendezvousError } from './desktop/rendezvous.js';
export { clipboard } from './desktop/clipboard.js';
export type { ClipboardApi } from './desktop/clipboard.js';
export { shell } from './desktop/shell.js';
export type { ShellApi } from './desktop/shell.js';
export { autostart } from './desktop/autostart.js';
export type { AutostartApi } from './desktop/autostart.js';
export type { OpenExternalOptions } from './desktop/shell.js';
export type { AutostartOptions } from './desktop/autostart.js';
export { dialog, NoDialogToolError } from './desktop/dialog.js';
export type { FileFilter, OpenDialogProperty, OpenDialogOptions, OpenDialogReturnValue, SaveDialogOptions, SaveDialogReturnValue, MessageBoxOptions, MessageBoxReturnValue, DialogRoute, DialogParent } from './desktop/dialog.js';
export { IPCClosedError } from './ipc/endpoint.js';
export { BrowserNotFoundError } from './browser/find.js';
export { DEFAULT_CSP } from './local/serve.js';

// Gluon 0.14's typings name some types differently: a TypeScript app written for Gluon imports
// these names, so they are here too, as the same types.

/** Gluon's name for `Window.ipc` when the app describes no IPC: {@link BackendIpc}. */
export type IPCApi = BackendIpc;
/** Gluon's name for `Window.ipc.store` when the app describes no IPC (`get`, `set`, and any key). */
export type IPCStoreApi = BackendIpc['store'];
/** Gluon's name for {@link CdpApi}: `Window.cdp`. */
export type CDPApi = CdpApi;
/** Gluon's name for {@link CssResource}: what `Window.resources.css()` resolves to. */
export type CSSResource = CssResource;
/** Gluon's name for {@link JsResource}: what `Window.resources.js()` resolves to. */
export type JSResource = JsResource;
/** Gluon's name for {@link PdfOptions}: `Window.page.printToPDF()`'s options. */
export type PrintToPDFOptions = PdfOptions;
/** Gluon's name for {@link AboutLink}: one of `openAbout()`'s `links`. */
export type Link = AboutLink;
/** Gluon's name for the type of {@link extensions}: `add(...extensions)` and `remove(...extensions)`. */
export type ExtensionsAPI = typeof extensions;

// Gluon apps read process.versions.gluon: the Gluon API level implemented; ours is under its own key.
(process.versions as Record<string, string>).gluon ??= GLUON_API_VERSION;
(process.versions as Record<string, string>).gluonTs ??= PACKAGE_VERSION;

// Under `gluon-ts dev`, a page change reloads every open window (src/dev-reload.ts).
listenForDevReload(reloadOpenWindows);
