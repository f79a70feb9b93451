// Gluon's Window API beyond the IPC, as typed by gluon-ts: resources, controls, idle, several
// windows (broadcast, shareStore), v8Cache, cdp, openAbout,
// extensions and the onLoad option. Positive uses compile; each @ts-expect-error must bite.
import * as Gluon from '../../src/index.js';

export async function windowApi() {
  const win = await Gluon.open('ui', {
    onLoad: () => {
      document.title = 'loaded';
    },
  });
  await Gluon.open('ui', { onLoad: 'console.log(1)' });
  // @ts-expect-error onLoad takes a function or a string
  await Gluon.open('ui', { onLoad: 42 });

  const css: Gluon.CssResource = await win.resources.css('body { margin: 0 }');
  await css.modify('body { margin: 1px }');
  await css.remove();
  // @ts-expect-error css takes a string of CSS
  await win.resources.css(() => 'body {}');
  const js: Gluon.JsResource = await win.resources.js(() => console.log('hi'));
  await win.resources.js('console.log(1)');
  await js.remove();
  // @ts-expect-error a JS resource can be removed, not modified
  await js.modify('x');

  await win.controls.minimize();
  await win.controls.maximize();
  await win.controls.show();
  await win.controls.show({ left: 1, top: 2, width: 300, height: 200 });
  // @ts-expect-error bounds are numbers
  await win.controls.show({ width: '300px' });

  // Window events and bounds (issue I): Electron's names, each with the bounds and the state.
  const offMove = win.on('move', ({ left, top, width, height, state }) => void [left + top + width + height, state === 'maximized']);
  offMove();
  win.on('blur', (info: Gluon.WindowBoundsInfo) => void info.state);
  // @ts-expect-error the state is one of four
  win.on('minimize', ({ state }) => state === 'hidden');
  // @ts-expect-error no such window event
  win.on('moved', () => {});
  const bounds: Gluon.WindowBoundsInfo = await win.controls.bounds();
  const windowState: Gluon.WindowState = bounds.state;
  await win.controls.setBounds({ left: 1 });
  // @ts-expect-error setBounds takes bounds
  await win.controls.setBounds(5);
  await win.controls.focus();
  await Gluon.open('ui', { windowState: 'main' });
  // @ts-expect-error windowState is a name
  await Gluon.open('ui', { windowState: true });
  void windowState;

  await win.idle.sleep();
  await win.idle.hibernate();
  await win.idle.freeze();
  await win.idle.wake();
  win.idle.auto(true, { timeMinimizedToHibernate: 10 });
  win.idle.auto(false);
  const state: Gluon.IdleState = win.idle.state;
  // @ts-expect-error a state the window cannot be in
  const wrong: Gluon.IdleState = 'dozing';
  // @ts-expect-error the option is a number of seconds
  win.idle.auto(true, { timeMinimizedToHibernate: '10s' });
  // @ts-expect-error the state is read-only
  win.idle.state = 'awake';
  void state, wrong;

  const shared = await Gluon.open('ui', { shareStore: true, devtools: false });
  // @ts-expect-error shareStore is a boolean
  await Gluon.open('ui', { shareStore: 'yes' });
  const results: Gluon.BroadcastResult[] = await Gluon.broadcast('theme', { dark: true });
  for (const result of results) {
    const from: Gluon.Window = result.window;
    if (result.ok) void result.reply;
    else void result.error.message;
    // @ts-expect-error a failed result has no reply
    if (!result.ok) void result.reply;
    void from;
  }
  // @ts-expect-error the event name is a string
  await Gluon.broadcast(42);
  await shared.close();

  await win.v8Cache.build({ eager: false, urls: ['https://example.org/app.js'], reload: false });
  const loaded: boolean = await win.v8Cache.load('cache.json');
  const there: boolean = await win.v8Cache.exists();
  // @ts-expect-error urls is a list of strings
  await win.v8Cache.build({ urls: 'https://example.org/app.js' });
  void loaded, there;

  const unhook: () => void = win.cdp.on('Runtime.consoleAPICalled', (message: Gluon.RawEvent) => message.params, true);
  unhook();
  await win.cdp.send('Browser.getVersion', {}, false);
  // @ts-expect-error the handler is a function
  win.cdp.on('Page.loadEventFired', 'not a function');
  const bidi: Gluon.BidiApi = win.bidi;
  await bidi.send('browsingContext.getTree', {});
  const unhookBidi: () => void = bidi.on('log.entryAdded', (message: Gluon.RawEvent) => message.params, true);
  unhookBidi();
  // @ts-expect-error BiDi has no session ids: send takes no third argument
  await win.bidi.send('browsingContext.getTree', {}, false);

  const keepOpen: () => void = win.on('close-requested', (event: Gluon.CloseRequestedEvent) => {
    if (!event.defaultPrevented) event.preventDefault();
  });
  keepOpen();
  // @ts-expect-error a close request carries no reason (that is the 'close' event's)
  win.on('close-requested', (event) => event.reason);

  const about: Gluon.Window = await Gluon.openAbout({
    name: 'App',
    icon: 'https://example.org/icon.png',
    version: '1.0',
    description: '<b>hi</b>',
    links: [{ href: 'https://example.org', text: 'Site' }],
    gluonVersions: win.versions,
  });
  await about.close();
  // @ts-expect-error the name is required
  await Gluon.openAbout({ version: '1.0' });

  const extension: Gluon.Extension = { chromium: 'ext/unpacked', firefox: Promise.resolve('ext/addon.xpi') };
  Gluon.extensions.add(extension, { firefox: 'other.xpi' });
  Gluon.extensions.remove(extension);
  // @ts-expect-error paths are strings (or promises of strings)
  Gluon.extensions.add({ chromium: 42 });
}
