// A TypeScript app written for Gluon 0.14, importing every type Gluon's typings export by name
// from '@gluon-framework/gluon' and using it as Gluon's docs do. tsconfig.json here maps that
// name to gluon-ts (the npm alias an app would use); gluon/tsconfig.json compiles this same file
// against Gluon's own typings (node_modules/@gluon-framework/gluon), proving it is a Gluon program.
import * as Gluon from '@gluon-framework/gluon';
import type {
  Browser,
  BrowserEngine,
  BrowserVersions,
  CDPApi,
  CSSResource,
  ExtensionsAPI,
  IPCApi,
  IPCStoreApi,
  JSResource,
  Link,
  PrintToPDFOptions,
} from '@gluon-framework/gluon';

const preferred: Browser = 'chrome_canary';
const engine: BrowserEngine = 'chromium';
// @ts-expect-error only Gluon's engines are a BrowserEngine
const notAnEngine: BrowserEngine = 'webkit';

function wire(ipc: IPCApi, store: IPCStoreApi): void {
  const greet = (data: { name: string }) => `hello ${data.name}`;
  ipc.on('greet', greet);
  ipc.removeListener('greet', greet);
  ipc.expose('add', (a: number, b: number) => a + b);
  ipc.unexpose('add');
  ipc.now = () => Date.now();
  store.set('theme', 'dark');
  store.user = { name: 'ada' };
  const theme: string = store.get('theme');
  console.log(theme, store.user.name, ipc.store.get('theme'));
  // @ts-expect-error an exposed function needs a name
  ipc.expose(42, () => 1);
}

async function inspect(cdp: CDPApi): Promise<number> {
  const unhook = cdp.on('Page.frameNavigated', (message) => console.log(message.params.frame.url), false);
  unhook();
  const { result } = await cdp.send('Runtime.evaluate', { expression: '1 + 1' });
  await cdp.send('Browser.getVersion', {}, false);
  return result.value;
}

async function style(css: CSSResource, js: JSResource): Promise<void> {
  await css.modify('body { margin: 0 }');
  await css.remove();
  await js.remove();
}

function describe(versions: BrowserVersions): string {
  return `${versions.product.name} ${versions.product.major} (${versions.engine.name} ${versions.engine.version}, ${versions.jsEngine.name})`;
}

export async function main(): Promise<void> {
  const extensions: ExtensionsAPI = Gluon.extensions;
  extensions.add({ chromium: 'extensions/chromium' }, { firefox: 'extensions/app.xpi' });

  const Window = await Gluon.open('https://example.org', { forceBrowser: preferred, forceEngine: engine, windowSize: [800, 600] });
  wire(Window.ipc, Window.ipc.store);
  const reply = await Window.ipc.send('refresh', { at: Date.now() });
  console.log(reply, await inspect(Window.cdp), describe(Window.versions), notAnEngine);

  await style(await Window.resources.css('body { color: red }'), await Window.resources.js('console.log(1)'));

  const pdfOptions: PrintToPDFOptions = { landscape: true, printBackground: true, margins: { top: 0.5, bottom: 0.5 }, pageRanges: '1-2' };
  const pdf = await Window.page.printToPDF(pdfOptions);
  console.log(pdf.byteLength);

  const links: Link[] = [{ href: 'https://example.org', text: 'Website' }];
  await Gluon.openAbout({ name: 'Notes', icon: 'icon.png', version: '1.0.0', links, gluonVersions: Window.versions });
  Window.close();
}
