// File dialogs through the XDG desktop portal (org.freedesktop.portal.FileChooser): the desktop's
// own chooser, also from inside a sandbox (Flatpak, Snap). A call answers at once with a Request
// object; the choice comes later as that object's Response signal. The signal is subscribed to
// before the call, at the path the portal will use (from our unique name and a handle_token), so
// a quick answer is never missed. Loaded only when a dialog is asked for (dbus-next with it).
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { dbus, withSessionBus, type MessageBus } from './dbus.js';
import type { FileFilter, OpenDialogReturnValue, OpenRequest, SaveDialogReturnValue, SaveRequest } from './dialog.js';

const { Message, Variant } = dbus;

export const PORTAL = 'org.freedesktop.portal.Desktop';
export const PORTAL_PATH = '/org/freedesktop/portal/desktop';
export const FILE_CHOOSER = 'org.freedesktop.portal.FileChooser';
const REQUEST = 'org.freedesktop.portal.Request';

/** How long the portal has to say whether it has a file chooser (it may be started for that). */
const PROBE_TIMEOUT = 10_000;

function busCall(bus: MessageBus, destination: string, path: string, iface: string, member: string, signature = '', body: unknown[] = []): Promise<InstanceType<typeof Message> | null> {
  return bus.call(new Message({ destination, path, interface: iface, member, signature, body }));
}

const daemon = (bus: MessageBus, member: string, signature = '', body: unknown[] = []) => busCall(bus, 'org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus', member, signature, body);

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms)))]).finally(() => clearTimeout(timer));
}

/** Why the portal cannot show a file dialog here, or undefined if it can. */
export async function portalUnusable(): Promise<string | undefined> {
  try {
    return await withSessionBus((bus) => withTimeout(probe(bus), PROBE_TIMEOUT + 2000, 'the session bus'));
  } catch (error) {
    return `the session bus failed: ${(error as Error).message}`;
  }
}


/** Whether the portal is there and has a file chooser: the reason if not. */
async function probe(bus: MessageBus): Promise<string | undefined> {
  const owned = (await daemon(bus, 'NameHasOwner', 's', [PORTAL]))?.body[0] === true;
  const activatable = owned || ((await daemon(bus, 'ListActivatableNames'))?.body[0] as string[] | undefined)?.includes(PORTAL);
  if (!activatable) return `${PORTAL} is not on the session bus`;
  try {
    await withTimeout(busCall(bus, PORTAL, PORTAL_PATH, 'org.freedesktop.DBus.Properties', 'Get', 'ss', [FILE_CHOOSER, 'version']), PROBE_TIMEOUT, 'the portal');
  } catch (error) {
    return `the portal has no file chooser (${(error as Error).message}; a backend such as xdg-desktop-portal-gtk provides it)`;
  }
  return undefined;
}

/** The portal's filter list, a(sa(us)): each name with glob patterns (type 0). */
export const portalFilters = (filters: FileFilter[]) => filters.map((f) => [f.name, f.extensions.map((e) => [0, e === '*' ? '*' : `*.${e}`])]);

/** A path as the portal's byte strings want it: its bytes and a NUL. */
export const portalBytes = (path: string): Buffer => Buffer.concat([Buffer.from(path, 'utf8'), Buffer.from([0])]);

/** A file:// URI from the portal as the path it names, %-escapes decoded exactly. */
export function pathOfUri(uri: string): string {
  if (!uri.startsWith('file://')) throw new Error(`the portal answered ${JSON.stringify(uri.slice(0, 80))}, which is not a file:// URI`);
  return fileURLToPath(uri);
}

/**
 * Calls `method` of the FileChooser and waits for its Response: [code, results]. The match rule
 * and the listener are in place before the call and gone after the answer, whatever it is.
 */
async function askPortal(method: 'OpenFile' | 'SaveFile', parent: number | undefined, title: string, options: Record<string, InstanceType<typeof Variant>>): Promise<{ code: number; results: Record<string, InstanceType<typeof Variant>> }> {
  return withSessionBus(async (bus) => {
    await daemon(bus, 'GetId'); // the Hello reply (our unique name) has come by now
    const token = `gluon_ts_${randomBytes(8).toString('hex')}`;
    const unique = (bus as unknown as { name?: string | null }).name;
    if (!unique) throw new Error('the session bus gave no unique name');
    const sender = unique.replace(/^:/, '').replace(/\./g, '_');
    const expected = `${PORTAL_PATH}/request/${sender}/${token}`;
    const rule = (path: string) => `type='signal',interface='${REQUEST}',member='Response',path='${path}'`;
    const rules = [rule(expected)];
    const paths = new Set([expected]);
    let answer!: (value: { code: number; results: Record<string, InstanceType<typeof Variant>> }) => void;
    const answered = new Promise<{ code: number; results: Record<string, InstanceType<typeof Variant>> }>((resolve) => (answer = resolve));
    const listener = (message: InstanceType<typeof Message>) => {
      if (message.type === dbus.MessageType.SIGNAL && message.interface === REQUEST && message.member === 'Response' && paths.has(message.path)) {
        answer({ code: message.body[0] as number, results: (message.body[1] ?? {}) as Record<string, InstanceType<typeof Variant>> });
      }
    };
    bus.on('message', listener);
    try {
      await daemon(bus, 'AddMatch', 's', rules);
      const reply = await busCall(bus, PORTAL, PORTAL_PATH, FILE_CHOOSER, method, 'ssa{sv}', [parentWindow(parent), title, { ...options, handle_token: new Variant('s', token) }]);
      const handle = reply?.body[0] as string | undefined;
      if (handle && handle !== expected) {
        // A portal older than version 0.9 picks its own path: listen there too.
        paths.add(handle);
        rules.push(rule(handle));
        await daemon(bus, 'AddMatch', 's', [rule(handle)]);
      }
      return await answered;
    } finally {
      bus.removeListener('message', listener);
      for (const each of rules) await daemon(bus, 'RemoveMatch', 's', [each]).catch(() => {});
    }
  });
}

/** The portal's parent_window: "x11:" and the window id in hexadecimal, or '' for none. */
export const parentWindow = (parent: number | undefined): string => (parent === undefined ? '' : `x11:${parent.toString(16)}`);

function outcome(code: number): 'chosen' | 'canceled' {
  if (code === 0) return 'chosen';
  if (code === 1) return 'canceled';
  throw new Error(`the portal's file chooser ended without an answer (response ${code}: the dialog could not be shown or was closed another way)`);
}

function urisOf(results: Record<string, InstanceType<typeof Variant>>): string[] {
  const uris = results.uris?.value as unknown;
  if (!Array.isArray(uris) || !uris.every((u) => typeof u === 'string')) throw new Error('the portal answered without a list of uris');
  return uris.map(pathOfUri);
}

/** The OpenFile options for `request`. */
export function openOptions(request: OpenRequest): Record<string, InstanceType<typeof Variant>> {
  const options: Record<string, InstanceType<typeof Variant>> = {
    multiple: new Variant('b', request.multiple),
    directory: new Variant('b', request.directory),
  };
  if (request.buttonLabel !== undefined) options.accept_label = new Variant('s', request.buttonLabel);
  if (request.filters.length) options.filters = new Variant('a(sa(us))', portalFilters(request.filters));
  if (request.start.folder) options.current_folder = new Variant('ay', portalBytes(request.start.folder));
  return options;
}

/** The SaveFile options for `request`. */
export function saveOptions(request: SaveRequest): Record<string, InstanceType<typeof Variant>> {
  const options: Record<string, InstanceType<typeof Variant>> = {};
  if (request.buttonLabel !== undefined) options.accept_label = new Variant('s', request.buttonLabel);
  if (request.filters.length) options.filters = new Variant('a(sa(us))', portalFilters(request.filters));
  if (request.start.folder) options.current_folder = new Variant('ay', portalBytes(request.start.folder));
  if (request.start.name) options.current_name = new Variant('s', request.start.name);
  return options;
}

/** An open dialog through the portal. */
export async function portalOpen(request: OpenRequest): Promise<OpenDialogReturnValue> {
  const { code, results } = await askPortal('OpenFile', request.parent, request.title ?? '', openOptions(request));
  return outcome(code) === 'canceled' ? { canceled: true, filePaths: [] } : { canceled: false, filePaths: urisOf(results) };
}

/** A save dialog through the portal. */
export async function portalSave(request: SaveRequest): Promise<SaveDialogReturnValue> {
  const { code, results } = await askPortal('SaveFile', request.parent, request.title ?? '', saveOptions(request));
  if (outcome(code) === 'canceled') return { canceled: true, filePath: '' };
  const [path] = urisOf(results);
  if (path === undefined) throw new Error('the portal answered without a file');
  return { canceled: false, filePath: path };
}
