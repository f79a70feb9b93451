// Desktop notifications, `Gluon.notify(options)`. Linux (and any system with a D-Bus session
// bus): the Desktop Notifications spec's org.freedesktop.Notifications service, spoken to
// directly (Notify, CloseNotification, and its ActionInvoked / NotificationClosed signals), so
// nothing like notify-send is needed and the app hears clicks, actions and closes. macOS:
// osascript's `display notification`; Windows: a PowerShell toast (Windows.UI.Notifications).
// Those two only show: their command-line routes cannot report what the user does.
//
// The events take Electron's Notification shapes where they fit: 'click' (no argument),
// 'action' (the index of the action in `actions`), 'close' (`{ reason }`, the spec's reason).
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { logger } from '../log.js';
import { appNameFor } from './app-name.js';
import { findCommand, runCommand } from './command.js';

const log = logger('desktop');

/** A button on a notification (Electron's NotificationAction). */
export interface NotificationAction {
  /** Electron's; only 'button' exists. */
  type?: 'button';
  /** The button's label. */
  text: string;
}

/** What {@link notify} shows. */
export interface NotifyOptions {
  /** The notification's title (the spec's summary). */
  title: string;
  /** The text under the title. Linux servers may read a little markup in it (`<b>`, `<i>`, `<a>`), as the spec allows. */
  body?: string;
  /** A PNG file shown with the notification; a relative path is taken from the working directory. */
  icon?: string;
  /** How urgent it is (the spec's urgency hint); a 'critical' one stays until the user closes it on most Linux servers. Default 'normal'. */
  urgency?: 'low' | 'normal' | 'critical';
  /** Milliseconds until it goes away on its own; 0 = never. Default: the server's choice. Linux only. */
  timeout?: number;
  /** Buttons; the user's pick arrives as `on('action', (index) => ...)`. Linux only (where the server supports actions). */
  actions?: NotificationAction[];
}

/**
 * Why a notification closed, the spec's NotificationClosed reasons 1 to 4: 'expired' (its timeout
 * passed), 'dismissed' (the user closed it), 'closed' (`close()`, or another CloseNotification
 * call, closed it), 'undefined' (the server did not say).
 */
export type NotificationCloseReason = 'expired' | 'dismissed' | 'closed' | 'undefined';

/** What each event of a {@link DesktopNotification} hands its handler. */
export interface NotificationEvents {
  /** The user clicked the notification itself (the spec's "default" action). */
  click: () => void;
  /** The user pressed one of `actions`: its index there. */
  action: (index: number) => void;
  /** The notification is gone, and why. */
  close: (details: { reason: NotificationCloseReason }) => void;
}

/** How a notification was shown: which of the routes. */
export type NotificationRoute = 'dbus' | 'osascript' | 'powershell';

/** A notification that is shown (what {@link notify} resolves to). */
export interface DesktopNotification {
  /** The route that showed it. */
  readonly route: NotificationRoute;
  /** The notification server's id for it (D-Bus route); undefined on the others. */
  readonly id: number | undefined;
  /**
   * Whether its events can be heard: true on the D-Bus route; false on macOS and Windows, whose
   * command-line routes show a notification but never learn of a click, an action or a close.
   */
  readonly heard: boolean;
  /** Whether it is known to be closed. */
  readonly closed: boolean;
  /**
   * Calls `handler` on `event`; returns a function that stops it. While a handler is there and
   * the notification is open, the session bus keeps the process alive (the user may still
   * click); when it closes, or its last handler is removed, the process may end again. A
   * handler that throws is reported as a `GLUON_NOTIFICATION_HANDLER` warning.
   */
  on<E extends keyof NotificationEvents>(event: E, handler: NotificationEvents[E]): () => void;
  /** Removes a handler added with `on`. */
  off<E extends keyof NotificationEvents>(event: E, handler: NotificationEvents[E]): void;
  /** Takes the notification away (D-Bus route; elsewhere it does nothing). Resolves once asked; 'close' follows. */
  close(): Promise<void>;
}

/** Which route shows a notification: what {@link notificationRoute} decides. */
export type NotificationRouteChoice =
  | { route: 'dbus' }
  | { route: 'osascript'; command: string }
  | { route: 'powershell'; command: string }
  | { route: 'none'; message: string };

/** What the route choice depends on (all given, so it is a pure function tests run for every OS). */
export interface NotificationRouteContext {
  platform: NodeJS.Platform;
  env: Record<string, string | undefined>;
  findCommand: (name: string) => string | undefined;
  /** Whether a D-Bus session bus is there (default: DBUS_SESSION_BUS_ADDRESS is set in `env`). */
  hasSessionBus?: boolean;
}

/** Picks the route for this platform: D-Bus where there is a session bus, osascript on macOS, PowerShell on Windows. */
export function notificationRoute({ platform, env, findCommand: find, hasSessionBus }: NotificationRouteContext): NotificationRouteChoice {
  if (platform === 'darwin') {
    const command = find('osascript');
    return command ? { route: 'osascript', command } : { route: 'none', message: 'no way to show a notification: tried osascript (not found; it is part of macOS, in /usr/bin)' };
  }
  if (platform === 'win32') {
    const command = find('powershell.exe');
    return command
      ? { route: 'powershell', command }
      : { route: 'none', message: 'no way to show a notification: tried Windows PowerShell (powershell.exe not found on the PATH; it is part of Windows, in System32\\WindowsPowerShell\\v1.0)' };
  }
  if (hasSessionBus ?? !!env.DBUS_SESSION_BUS_ADDRESS) return { route: 'dbus' };
  return {
    route: 'none',
    message:
      'no way to show a notification: tried org.freedesktop.Notifications over D-Bus, but there is no session bus (DBUS_SESSION_BUS_ADDRESS is not set). ' +
      'Run the app in a desktop session, or under dbus-run-session with a notification server running (Debian: apt-get install dbus notification-daemon)',
  };
}

const URGENCY = { low: 0, normal: 1, critical: 2 } as const;
const REASONS: Record<number, NotificationCloseReason> = { 1: 'expired', 2: 'dismissed', 3: 'closed', 4: 'undefined' };
const NAME = 'org.freedesktop.Notifications';
const PATH = '/org/freedesktop/Notifications';
/** The spec's action key for a click on the notification itself. */
const DEFAULT_ACTION = 'default';

interface Checked {
  title: string;
  body: string;
  /** Absolute. */
  icon?: string;
  urgency: 'low' | 'normal' | 'critical';
  timeout: number;
  actions: string[];
}

function check(options: NotifyOptions): Checked {
  if (!options || typeof options !== 'object') throw new TypeError(`Gluon.notify(options): options must be an object such as { title: 'Saved' }, got ${options === null ? 'null' : typeof options}`);
  const { title, body = '', icon, urgency = 'normal', timeout = -1, actions = [] } = options;
  if (typeof title !== 'string' || !title) throw new TypeError(`Gluon.notify: title must be a non-empty string, got ${JSON.stringify(title)}`);
  if (typeof body !== 'string') throw new TypeError(`Gluon.notify: body must be a string, got ${typeof body}`);
  if (typeof urgency !== 'string' || !Object.hasOwn(URGENCY, urgency)) throw new TypeError(`Gluon.notify: urgency must be 'low', 'normal' or 'critical', got ${JSON.stringify(urgency)}`);
  if (timeout !== -1 && !(Number.isInteger(timeout) && timeout >= 0 && timeout <= 0x7fffffff)) {
    throw new TypeError(`Gluon.notify: timeout must be a whole number of milliseconds (0 = never), got ${JSON.stringify(timeout)}`);
  }
  if (!Array.isArray(actions)) throw new TypeError('Gluon.notify: actions must be an array of { type: "button", text }');
  const texts = actions.map((action, index) => {
    if (!action || typeof action.text !== 'string' || (action.type !== undefined && action.type !== 'button')) {
      throw new TypeError(`Gluon.notify: actions[${index}] must be { type: 'button', text: string }, got ${JSON.stringify(action)}`);
    }
    return action.text;
  });
  let path: string | undefined;
  if (icon !== undefined) {
    if (typeof icon !== 'string' || !icon) throw new TypeError(`Gluon.notify: icon must be a path to a PNG file, got ${JSON.stringify(icon)}`);
    path = resolve(icon);
    let isFile = false;
    try {
      isFile = statSync(path).isFile();
    } catch {
      // missing: said below
    }
    if (!isFile) throw new Error(`Gluon.notify: the icon ${path} is not a file (give the path of a PNG file; a relative one is taken from ${process.cwd()})`);
  }
  return { title, body, icon: path, urgency, timeout, actions: texts };
}

/**
 * Shows a desktop notification; resolves once it is shown, with a {@link DesktopNotification} to
 * hear its `click`, `action` and `close` on (Linux; on macOS and Windows they are never heard)
 * and to `close()` it. Rejects, saying why and what to do, when it cannot be shown (bad
 * options, no notification server, no route on this system): it never throws into the app.
 */
export function notify(options: NotifyOptions): Promise<DesktopNotification> {
  return notifyOn(process.platform, options);
}

/** {@link notify} as it runs on `platform` (tests run every route on Linux with a faked command runner). */
export async function notifyOn(platform: NodeJS.Platform, options: NotifyOptions): Promise<DesktopNotification> {
  const checked = check(options);
  const choice = notificationRoute({ platform, env: process.env, findCommand });
  log('notify via', choice.route, checked.title);
  switch (choice.route) {
    case 'dbus':
      return notifyOverDbus(checked);
    case 'osascript':
      await show(choice.command, osascriptArgs(checked), {}, 'osascript');
      return unheard('osascript');
    case 'powershell':
      await show(choice.command, POWERSHELL_ARGS, powershellEnv(checked), 'PowerShell');
      return unheard('powershell');
    case 'none':
      throw new Error(`Gluon.notify: ${choice.message}`);
  }
}

// ---- macOS and Windows: show, and that is all they can tell ----

async function show(command: string, args: readonly string[], env: Record<string, string>, what: string): Promise<void> {
  const result = await runCommand(command, args, { env, timeout: 30_000 });
  if (result.code !== 0) throw new Error(`Gluon.notify: ${what} could not show the notification (exit ${result.code ?? result.signal}): ${result.stderr.trim() || '(it printed nothing)'}`);
}

function unheard(route: NotificationRoute): DesktopNotification {
  return {
    route,
    id: undefined,
    heard: false,
    closed: false,
    on: () => () => {},
    off: () => {},
    close: async () => {},
  };
}

/**
 * osascript: the script is fixed; the title and body arrive as its run handler's
 * arguments (argv), so no user text is ever read as AppleScript. The first argument is a fixed
 * word, so a title that starts with '-' is never taken for an option of osascript.
 */
export function osascriptArgs({ title, body }: { title: string; body: string }): string[] {
  const script = ['on run argv', 'display notification (item 3 of argv) with title (item 2 of argv)', 'end run'];
  return [...script.flatMap((line) => ['-e', line]), 'notify', title, body];
}

/**
 * The PowerShell toast: a fixed script (given base64 in -EncodedCommand, as PowerShell wants it:
 * UTF-16LE), the user's strings in environment variables it reads, put into the toast's XML as
 * text nodes (never parsed as XML). Shown as Windows PowerShell's own app id, which Windows knows
 * (an unregistered one shows nothing).
 */
const POWERSHELL_SCRIPT = [
  "$ErrorActionPreference = 'Stop'",
  '[void][Windows.UI.Notifications.ToastNotificationManager, Windows.UI.Notifications, ContentType = WindowsRuntime]',
  '[void][Windows.Data.Xml.Dom.XmlDocument, Windows.Data.Xml.Dom.XmlDocument, ContentType = WindowsRuntime]',
  '$xml = New-Object Windows.Data.Xml.Dom.XmlDocument',
  "$xml.LoadXml('<toast><visual><binding template=\"ToastGeneric\"><text/><text/></binding></visual></toast>')",
  '$texts = $xml.GetElementsByTagName(\'text\')',
  '[void]$texts.Item(0).AppendChild($xml.CreateTextNode($env:GLUON_NOTIFY_TITLE))',
  '[void]$texts.Item(1).AppendChild($xml.CreateTextNode($env:GLUON_NOTIFY_BODY))',
  'if ($env:GLUON_NOTIFY_ICON) {',
  "  $image = $xml.CreateElement('image')",
  "  $image.SetAttribute('placement', 'appLogoOverride')",
  "  $image.SetAttribute('src', $env:GLUON_NOTIFY_ICON)",
  "  [void]$xml.GetElementsByTagName('binding').Item(0).AppendChild($image)",
  '}',
  "if ($env:GLUON_NOTIFY_LONG) { $xml.DocumentElement.SetAttribute('duration', 'long') }",
  '$toast = [Windows.UI.Notifications.ToastNotification]::new($xml)',
  "[Windows.UI.Notifications.ToastNotificationManager]::CreateToastNotifier('{1AC14E77-02E7-4E5D-B744-2EB1AE5198B7}\\WindowsPowerShell\\v1.0\\powershell.exe').Show($toast)",
].join('\n');

/** powershell.exe's argv for the toast (fixed: nothing of the notification is in it). */
export const POWERSHELL_ARGS: readonly string[] = ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-EncodedCommand', Buffer.from(POWERSHELL_SCRIPT, 'utf16le').toString('base64')];

/** The environment that carries the notification to the PowerShell script. */
export function powershellEnv({ title, body, icon, urgency, timeout }: { title: string; body: string; icon?: string; urgency: string; timeout: number }): Record<string, string> {
  const env: Record<string, string> = { GLUON_NOTIFY_TITLE: title, GLUON_NOTIFY_BODY: body, GLUON_NOTIFY_ICON: icon ? pathToFileURL(icon).href : '' };
  env.GLUON_NOTIFY_LONG = urgency === 'critical' || timeout === 0 || timeout > 7000 ? '1' : '';
  return env;
}

// ---- D-Bus: org.freedesktop.Notifications ----

type DbusModule = typeof import('./dbus.js');
type Bus = import('./dbus.js').MessageBus;
type Message = InstanceType<DbusModule['dbus']['Message']>;

/** The open notifications of this process by server id, to route the signals to. */
const open = new Map<number, DbusNotification>();
/** The connections on which the signal match rules are in place (a new connection needs its own). */
const subscribed = new WeakMap<Bus, Promise<void>>();

/**
 * Signals for ids not known (yet), kept while a Notify call waits: dbus-next can read the reply
 * and the server's first signal about that id (a server that closes a notification at once) in
 * one go, and the signal is then handled before the reply's caller has registered the id.
 */
const early: Array<{ seq: number; id: number; deliver: (notification: DbusNotification) => void }> = [];
let signalSeq = 0;
let notifying = 0;

function signalFor(id: number, deliver: (notification: DbusNotification) => void): void {
  const seq = ++signalSeq;
  const notification = open.get(id);
  if (notification) return deliver(notification);
  if (notifying > 0) early.push({ seq, id, deliver });
}

/** Ends every open notification (its server or the bus is gone): 'close' with reason 'undefined'. */
function endAll(why: string): void {
  if (open.size) log('notifications ended:', why);
  for (const notification of [...open.values()]) notification.ended('undefined');
}

function subscribe(mod: DbusModule, bus: Bus): Promise<void> {
  let done = subscribed.get(bus);
  if (done) return done;
  bus.on('message', (message: Message) => {
    if (message.type !== mod.dbus.MessageType.SIGNAL) return;
    if (message.interface === NAME && message.path === PATH) {
      const [id, detail] = message.body ?? [];
      if (message.member === 'ActionInvoked') signalFor(id, (notification) => notification.invoked(String(detail)));
      else if (message.member === 'NotificationClosed') signalFor(id, (notification) => notification.ended(REASONS[detail] ?? 'undefined'));
    } else if (message.member === 'NameOwnerChanged' && message.interface === 'org.freedesktop.DBus' && message.body?.[0] === NAME && message.body?.[1]) {
      endAll('the notification server left the bus'); // it can no longer tell of a click or a close
    }
  });
  bus.on('error', () => endAll('the session bus connection failed'));
  const rules = [`type='signal',interface='${NAME}',path='${PATH}'`, `type='signal',sender='org.freedesktop.DBus',interface='org.freedesktop.DBus',member='NameOwnerChanged',arg0='${NAME}'`];
  done = Promise.all(
    rules.map((rule) => bus.call(new mod.dbus.Message({ destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus', member: 'AddMatch', signature: 's', body: [rule] }))),
  ).then(() => undefined);
  done.catch(() => subscribed.delete(bus));
  subscribed.set(bus, done);
  return done;
}

async function notifyOverDbus(options: Checked): Promise<DesktopNotification> {
  const mod = await import('./dbus.js');
  const actions = [DEFAULT_ACTION, 'Open', ...options.actions.flatMap((text, index) => [String(index), text])];
  const icon = options.icon ? pathToFileURL(options.icon).href : '';
  const hints: Record<string, unknown> = { urgency: new mod.dbus.Variant('y', URGENCY[options.urgency]) };
  if (icon) hints['image-path'] = new mod.dbus.Variant('s', icon);
  let id: number;
  const since = signalSeq;
  notifying++;
  try {
    id = await mod.withSessionBus(async (bus) => {
      await subscribe(mod, bus);
      const reply = await bus.call(
        new mod.dbus.Message({
          destination: NAME,
          path: PATH,
          interface: NAME,
          member: 'Notify',
          signature: 'susssasa{sv}i',
          body: [appNameFor(process.argv[1]), 0, icon, options.title, options.body, actions, hints, options.timeout],
        }),
      );
      return Number(reply?.body?.[0]);
    });
  } catch (error) {
    throw dbusError(error);
  } finally {
    notifying--;
  }
  const notification = new DbusNotification(mod, id, options.actions.length);
  open.set(id, notification);
  log('notification', id, 'shown');
  const replay = early.filter((signal) => signal.id === id && signal.seq > since);
  if (notifying === 0) early.length = 0;
  for (const signal of replay) signal.deliver(notification);
  return notification;
}

function dbusError(error: unknown): Error {
  const message = (error as Error)?.message ?? String(error);
  const type = (error as { type?: string })?.type ?? '';
  if (/ServiceUnknown|NameHasNoOwner/.test(type) || /was not provided by any \.service files|not activatable/.test(message)) {
    return new Error(`Gluon.notify: no notification server on the session bus (${NAME}): ${message}. Start one (a desktop session has one; else e.g. Debian's notification-daemon, dunst or mako)`, { cause: error });
  }
  return new Error(`Gluon.notify: the notification server (${NAME} on the session bus) failed: ${type ? `${type}: ` : ''}${message}`, { cause: error });
}

type Handlers = { [E in keyof NotificationEvents]: Set<NotificationEvents[E]> };

class DbusNotification implements DesktopNotification {
  readonly route = 'dbus' as const;
  readonly heard = true;
  closed = false;
  private readonly handlers: Handlers = { click: new Set(), action: new Set(), close: new Set() };
  private release: (() => void) | undefined;

  constructor(
    private readonly mod: DbusModule,
    readonly id: number,
    private readonly actionCount: number,
  ) {}

  on<E extends keyof NotificationEvents>(event: E, handler: NotificationEvents[E]): () => void {
    if (!(event in this.handlers)) throw new TypeError(`notification.on: no event ${JSON.stringify(event)} (there are 'click', 'action' and 'close')`);
    if (typeof handler !== 'function') throw new TypeError(`notification.on('${event}', handler): the handler must be a function, got ${typeof handler}`);
    (this.handlers[event] as Set<NotificationEvents[E]>).add(handler);
    this.hold();
    return () => this.off(event, handler);
  }

  off<E extends keyof NotificationEvents>(event: E, handler: NotificationEvents[E]): void {
    (this.handlers[event] as Set<NotificationEvents[E]> | undefined)?.delete(handler);
    if (!this.listened()) this.letGo();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.mod.withSessionBus((bus) => bus.call(new this.mod.dbus.Message({ destination: NAME, path: PATH, interface: NAME, member: 'CloseNotification', signature: 'u', body: [this.id] })));
    } catch (error) {
      throw dbusError(error);
    }
  }

  /** ActionInvoked: the "default" key is a click, a number one of `actions`. */
  invoked(key: string): void {
    if (key === DEFAULT_ACTION) return this.emit('click');
    const index = Number(key);
    if (Number.isInteger(index) && index >= 0 && index < this.actionCount) this.emit('action', index);
    else log('notification', this.id, 'unknown action key', key);
  }

  /** NotificationClosed. */
  ended(reason: NotificationCloseReason): void {
    if (this.closed) return;
    this.closed = true;
    open.delete(this.id);
    log('notification', this.id, 'closed:', reason);
    this.emit('close', { reason });
    this.letGo();
  }

  private listened(): boolean {
    return Object.values(this.handlers).some((set) => set.size > 0);
  }

  private hold(): void {
    if (this.closed || this.release) return;
    try {
      this.release = this.mod.holdBus();
    } catch (error) {
      log('notification', this.id, 'cannot hold the bus:', (error as Error).message);
    }
  }

  private letGo(): void {
    const release = this.release;
    this.release = undefined;
    release?.();
  }

  private emit<E extends keyof NotificationEvents>(event: E, ...args: Parameters<NotificationEvents[E]>): void {
    for (const handler of [...this.handlers[event]] as Array<(...a: unknown[]) => void>) {
      try {
        handler(...args);
      } catch (error) {
        process.emitWarning(`notification.on('${event}') handler threw: ${(error as Error)?.stack ?? error}`, { code: 'GLUON_NOTIFICATION_HANDLER' });
      }
    }
  }
}
