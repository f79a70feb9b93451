// Window.cdp on Firefox: the CDP commands and events Gluon apps use, translated to WebDriver
// BiDi (Firefox 141+ has no CDP). One small function per CDP method, in the COMMANDS and EVENTS
// tables; a method in neither rejects (or throws, for cdp.on) naming it, the engine and
// Window.bidi, the raw BiDi route. Results take CDP's shapes, as Chromium 156 gives them, as far
// as BiDi carries the facts: no objectId (BiDi's handles are not CDP object ids: use
// returnByValue), and descriptions only where the value itself says them.
import type { Protocol } from 'devtools-protocol';
import type { ProtocolMapping } from 'devtools-protocol/types/protocol-mapping.js';
import type * as Bidi from 'webdriver-bidi-protocol';
import { logger, warnOnce } from '../../log.js';
import type { PdfOptions, RawEvent } from '../types.js';
import { BidiError, type BidiConnection, type BidiEvents } from './bidi.js';

const log = logger('bidi');

type CdpCommands = ProtocolMapping.Commands;
type CdpParams<M extends keyof CdpCommands> = CdpCommands[M]['paramsType'] extends [infer P] ? P : CdpCommands[M]['paramsType'] extends [(infer P)?] ? P | undefined : undefined;
/** A command's result on the wire: `{}` where the types say void. */
type CdpResult<M extends keyof CdpCommands> = CdpCommands[M]['returnType'] extends void ? Record<string, never> : CdpCommands[M]['returnType'];
type RemoteValue = Bidi.Script.RemoteValue;
type RemoteObject = Protocol.Runtime.RemoteObject;

/** What the translations need of one Firefox window (its delegate, ffPage.ts). */
export interface CdpHost {
  readonly bidi: BidiConnection;
  /** The window's top-level browsing context. */
  context(): string;
  /** The URL of the window's document now. */
  currentUrl(): string;
  /** Navigates under the window's navigation policy; resolves with BiDi's navigation id once the new document exists. */
  navigate(url: string): Promise<string | undefined>;
  /** Whether the navigation policy refused `url` (after navigate() failed). */
  wasBlocked(url: string): boolean;
  reload(ignoreCache: boolean): Promise<void>;
  printToPDF(options: PdfOptions): Promise<Uint8Array>;
  /** Browser.getVersion's facts: the Firefox version, its build id and its own user agent. */
  browserInfo(): Promise<{ version: string; buildId: string; userAgent: string }>;
}

type Translation<M extends keyof CdpCommands> = (host: CdpHost, params: CdpParams<M>) => Promise<CdpResult<M>>;
type CommandTable = { [M in keyof CdpCommands]?: Translation<M> };

/** The CDP commands Window.cdp.send translates on Firefox (README, "Firefox"). */
const COMMANDS: CommandTable = {
  'Runtime.evaluate': runtimeEvaluate,
  'Page.addScriptToEvaluateOnNewDocument': addScriptToEvaluateOnNewDocument,
  'Page.removeScriptToEvaluateOnNewDocument': async (host, { identifier }) => {
    await host.bidi.send('script.removePreloadScript', { script: identifier });
    return {};
  },
  'Page.reload': async (host, params) => {
    await host.reload(params?.ignoreCache ?? false);
    return {};
  },
  'Page.navigate': pageNavigate,
  'Page.captureScreenshot': captureScreenshot,
  'Page.printToPDF': printToPDF,
  'Browser.close': async (host) => {
    // The browser answers, then quits: the window's 'close' follows when its connection goes.
    await host.bidi.send('browser.close', {});
    return {};
  },
  'Browser.getVersion': async (host) => {
    const { version, buildId, userAgent } = await host.browserInfo();
    // SpiderMonkey is versioned with Firefox; protocolVersion is that of the CDP these results follow.
    return { protocolVersion: '1.3', product: `Firefox/${version}`, revision: buildId, userAgent, jsVersion: version };
  },
  'Emulation.setUserAgentOverride': async (host, { userAgent, acceptLanguage, platform }) => {
    if (acceptLanguage || platform) {
      warnOnce('firefoxUserAgentOverride', 'Emulation.setUserAgentOverride: on Firefox only userAgent applies (BiDi overrides no acceptLanguage or platform).');
    }
    // An empty user agent: Firefox's own again.
    await host.bidi.send('emulation.setUserAgentOverride', { userAgent: userAgent || null, contexts: [host.context()] });
    return {};
  },
  'Input.dispatchKeyEvent': dispatchKeyEvent,
  'Input.dispatchMouseEvent': dispatchMouseEvent,
};

/** The CDP events Window.cdp.on translates on Firefox: from which BiDi event, and how. */
const EVENTS: Record<string, { from: keyof BidiEvents; translate: (params: any, host: CdpHost) => object | undefined }> = {
  'Page.loadEventFired': {
    from: 'browsingContext.load',
    translate: (p: Bidi.BrowsingContext.NavigationInfo, host) => (p.context === host.context() ? { timestamp: p.timestamp / 1000 } : undefined),
  },
  'Page.domContentEventFired': {
    from: 'browsingContext.domContentLoaded',
    translate: (p: Bidi.BrowsingContext.NavigationInfo, host) => (p.context === host.context() ? { timestamp: p.timestamp / 1000 } : undefined),
  },
  'Runtime.consoleAPICalled': {
    from: 'log.entryAdded',
    translate: (p: Bidi.Log.Entry, host): Protocol.Runtime.ConsoleAPICalledEvent | undefined => {
      if (p.type !== 'console' || p.source.context !== host.context()) return undefined;
      const { method, args } = p as Bidi.Log.ConsoleLogEntry;
      return { type: method as Protocol.Runtime.ConsoleAPICalledEvent['type'], args: args.map((arg) => remoteObject(arg)), executionContextId: 0, timestamp: p.timestamp };
    },
  },
};

export const TRANSLATED_COMMANDS: readonly string[] = Object.keys(COMMANDS);
export const TRANSLATED_EVENTS: readonly string[] = Object.keys(EVENTS);

const untranslated = (what: string, method: string, list: readonly string[], raw: string) =>
  Object.assign(
    new Error(
      `${what}('${method}'): Firefox has no CDP, and gluon-ts translates only these to WebDriver BiDi: ${list.join(', ')}. ` +
        `Use ${raw} to speak BiDi to Firefox directly (see the README's Firefox section).`,
    ),
    { code: 'GLUON_CDP_UNTRANSLATED' },
  );

/** Window.cdp on one Firefox window. */
export class CdpOnBidi {
  /** BiDi events this window asked the session for (the session's own, ffBrowser.ts, aside). */
  private readonly subscribed = new Set<string>();

  constructor(private readonly host: CdpHost) {}

  send(method: string, params: object = {}): Promise<unknown> {
    const translation = Object.hasOwn(COMMANDS, method) ? (COMMANDS as Record<string, (host: CdpHost, params: object) => Promise<unknown>>)[method] : undefined;
    if (!translation) return Promise.reject(untranslated('Window.cdp.send', method, TRANSLATED_COMMANDS, 'Window.bidi.send(method, params)'));
    return translation(this.host, params);
  }

  /** Throws for an event with no translation (cdp.on answers at once; there is nothing to wait for). */
  on(method: string, handler: (message: RawEvent) => void): () => void {
    const event = Object.hasOwn(EVENTS, method) ? EVENTS[method] : undefined;
    if (!event) throw untranslated('Window.cdp.on', method, TRANSLATED_EVENTS, 'Window.bidi.on(event, handler)');
    if (!this.subscribed.has(event.from)) {
      this.subscribed.add(event.from);
      // browsingContext.load is one of the session's own (ffBrowser.ts); the others are asked for now.
      if (event.from !== 'browsingContext.load') {
        this.host.bidi.send('session.subscribe', { events: [event.from], contexts: [this.host.context()] })
          .catch((error: unknown) => log(`could not subscribe to ${event.from} for cdp.on('${method}'):`, String(error)));
      }
    }
    return this.host.bidi.on(event.from, (params: unknown) => {
      const translated = event.translate(params, this.host);
      if (translated) handler({ method, params: translated });
    });
  }
}

// ------------------------------------------------------------------ Runtime

let exceptionIds = 0;

async function runtimeEvaluate(host: CdpHost, p: Protocol.Runtime.EvaluateRequest): Promise<Protocol.Runtime.EvaluateResponse> {
  const byValue = p.returnByValue ?? false;
  const reply = await host.bidi.send('script.evaluate', {
    expression: p.expression,
    target: { context: host.context() },
    awaitPromise: p.awaitPromise ?? false,
    resultOwnership: 'none',
    userActivation: p.userGesture ?? false,
    // By value: the whole object; else one level (enough for Array(n), Map(n)).
    serializationOptions: { maxObjectDepth: byValue ? null : 1, maxDomDepth: 0 },
  }).catch((error: unknown) => {
    // Firefox 153 fails the command, instead of reporting the exception, for some awaited
    // rejections ("Missing stack, unable to build exceptionDetails for exception: RangeError: r").
    const text = error instanceof BidiError ? /unable to build exceptionDetails for exception: (.*)$/s.exec(error.message)?.[1] : undefined;
    if (text === undefined) throw error;
    return { type: 'exception' as const, realm: '', exceptionDetails: { text, lineNumber: 0, columnNumber: 0, exception: { type: 'error' as const }, stackTrace: { callFrames: [] } } };
  });
  if (reply.type === 'success') return { result: remoteObject(reply.result, byValue) };
  const details = reply.exceptionDetails;
  const exception = details.exception.type === 'error' ? errorObject(details) : remoteObject(details.exception);
  const frames = details.stackTrace?.callFrames ?? [];
  return {
    result: exception,
    exceptionDetails: {
      exceptionId: ++exceptionIds,
      text: 'Uncaught',
      lineNumber: details.lineNumber,
      columnNumber: details.columnNumber,
      scriptId: '',
      ...(frames.length ? { stackTrace: { callFrames: frames.map((f) => ({ ...f, scriptId: '' })) } } : {}),
      exception,
    },
  };
}

/** A thrown Error: its class and message from BiDi's text ("TypeError: boom"), its stack from the frames. */
function errorObject(details: Bidi.Script.ExceptionDetails): RemoteObject {
  const className = /^([A-Za-z_$][\w$]*): /.exec(details.text)?.[1] ?? 'Error';
  const stack = (details.stackTrace?.callFrames ?? [])
    .map((f) => `\n    at ${f.functionName || '<anonymous>'} (${f.url}:${f.lineNumber + 1}:${f.columnNumber + 1})`).join('');
  return { type: 'object', subtype: 'error', className, description: `${details.text}${stack}` };
}

const NUMBER_WORDS = new Set(['NaN', '-0', 'Infinity', '-Infinity']);

/** BiDi's serialized value as CDP's RemoteObject; `byValue`: objects as JSON-like values (returnByValue). */
export function remoteObject(value: RemoteValue, byValue = false): RemoteObject {
  switch (value.type) {
    case 'undefined': return { type: 'undefined' };
    case 'null': return { type: 'object', subtype: 'null', value: null };
    case 'string': return { type: 'string', value: value.value };
    case 'boolean': return { type: 'boolean', value: value.value };
    case 'number':
      return typeof value.value === 'string' && NUMBER_WORDS.has(value.value)
        ? { type: 'number', unserializableValue: value.value, description: value.value }
        : { type: 'number', value: value.value, description: String(value.value) };
    case 'bigint': return { type: 'bigint', unserializableValue: `${value.value}n`, description: `${value.value}n` };
    case 'symbol': return { type: 'symbol', description: 'Symbol()' };
    case 'function': return byValue ? { type: 'function', value: {} } : { type: 'function', className: 'Function', description: 'function' };
    default:
      return byValue ? { type: 'object', value: jsonValue(value) } : { type: 'object', ...describe(value) };
  }
}

/** What CDP says of an object it does not return by value: subtype, class and description. */
function describe(value: RemoteValue): Pick<RemoteObject, 'subtype' | 'className' | 'description'> {
  const size = (list: unknown) => (Array.isArray(list) ? list.length : 0);
  switch (value.type) {
    case 'array': return { subtype: 'array', className: 'Array', description: `Array(${size(value.value)})` };
    case 'map': return { subtype: 'map', className: 'Map', description: `Map(${size(value.value)})` };
    case 'set': return { subtype: 'set', className: 'Set', description: `Set(${size(value.value)})` };
    case 'date': return { subtype: 'date', className: 'Date', description: new Date(value.value).toString() };
    case 'regexp': return { subtype: 'regexp', className: 'RegExp', description: `/${value.value.pattern}/${value.value.flags ?? ''}` };
    case 'promise': return { subtype: 'promise', className: 'Promise', description: 'Promise' };
    case 'error': return { subtype: 'error', className: 'Error', description: 'Error' };
    case 'weakmap': return { subtype: 'weakmap', className: 'WeakMap', description: 'WeakMap' };
    case 'weakset': return { subtype: 'weakset', className: 'WeakSet', description: 'WeakSet' };
    case 'generator': return { subtype: 'generator', className: 'Generator', description: 'Generator' };
    case 'proxy': return { subtype: 'proxy', className: 'Object', description: 'Proxy' };
    case 'typedarray': return { subtype: 'typedarray', className: 'TypedArray', description: 'TypedArray' };
    case 'arraybuffer': return { subtype: 'arraybuffer', className: 'ArrayBuffer', description: 'ArrayBuffer' };
    case 'nodelist': return { subtype: 'array', className: 'NodeList', description: `NodeList(${size(value.value)})` };
    case 'htmlcollection': return { subtype: 'array', className: 'HTMLCollection', description: `HTMLCollection(${size(value.value)})` };
    case 'node': {
      const name = value.value?.localName ?? `node (type ${value.value?.nodeType ?? '?'})`;
      return { subtype: 'node', className: 'Node', description: name };
    }
    case 'window': return { className: 'Window', description: 'Window' };
    default: return { className: 'Object', description: 'Object' };
  }
}

/**
 * returnByValue's value, as Chromium makes it: arrays and plain objects by their items (an
 * undefined property left out, in an array null), every other object and every function `{}`.
 */
function jsonValue(value: RemoteValue): unknown {
  switch (value.type) {
    case 'undefined': return undefined;
    case 'null': return null;
    case 'string': case 'boolean': return value.value;
    case 'number': return typeof value.value === 'number' ? value.value : null;
    case 'array': return (value.value ?? []).map((item) => jsonValue(item) ?? null);
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [key, item] of value.value ?? []) {
        const json = jsonValue(item);
        // Own data only, never a prototype change.
        if (typeof key === 'string' && json !== undefined) Object.defineProperty(out, key, { value: json, enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    default: return {};
  }
}

// ------------------------------------------------------------------ Page

async function addScriptToEvaluateOnNewDocument(
  host: CdpHost, p: Protocol.Page.AddScriptToEvaluateOnNewDocumentRequest,
): Promise<Protocol.Page.AddScriptToEvaluateOnNewDocumentResponse> {
  const sandbox = p.worldName || undefined;
  // BiDi runs a preload script as a function: the source is its body.
  const { script } = await host.bidi.send('script.addPreloadScript', {
    functionDeclaration: `() => {\n${p.source}\n}`, contexts: [host.context()], ...(sandbox ? { sandbox } : {}),
  });
  if (p.runImmediately) {
    await host.bidi.send('script.evaluate', {
      expression: p.source, target: { context: host.context(), ...(sandbox ? { sandbox } : {}) }, awaitPromise: false, resultOwnership: 'none',
    });
  }
  return { identifier: script };
}

async function pageNavigate(host: CdpHost, { url }: Protocol.Page.NavigateRequest): Promise<Protocol.Page.NavigateResponse> {
  const frameId = host.context();
  const here = host.currentUrl();
  const sameDocument = url.includes('#') && url.split('#')[0] === here.split('#')[0];
  try {
    // A fragment change makes no new document to wait for.
    const loaderId = sameDocument
      ? (await host.bidi.send('browsingContext.navigate', { context: frameId, url, wait: 'interactive' })).navigation ?? undefined
      : await host.navigate(url);
    return loaderId ? { frameId, loaderId } : { frameId };
  } catch (error) {
    // Chromium answers a failed or refused navigation with errorText, not with an error.
    log(`Page.navigate to ${url} failed:`, String(error));
    return { frameId, errorText: host.wasBlocked(url) ? 'net::ERR_ABORTED' : 'net::ERR_FAILED' };
  }
}

async function captureScreenshot(host: CdpHost, p: Protocol.Page.CaptureScreenshotRequest = {}): Promise<Protocol.Page.CaptureScreenshotResponse> {
  const format = p.format ?? 'png';
  const { clip } = p;
  if (clip && clip.scale !== undefined && clip.scale !== 1) {
    throw new Error('Page.captureScreenshot: Firefox cannot scale a clip (BiDi has no scale); leave clip.scale out or 1');
  }
  const { data } = await host.bidi.send('browsingContext.captureScreenshot', {
    context: host.context(),
    format: { type: `image/${format}`, ...(format === 'jpeg' && p.quality !== undefined ? { quality: p.quality / 100 } : {}) },
    // CDP's clip is in the document's coordinates.
    ...(clip ? { origin: 'document', clip: { type: 'box', x: clip.x, y: clip.y, width: clip.width, height: clip.height } } : p.captureBeyondViewport ? { origin: 'document' } : {}),
  });
  return { data };
}

async function printToPDF(host: CdpHost, p: Protocol.Page.PrintToPDFRequest = {}): Promise<Protocol.Page.PrintToPDFResponse> {
  if (p.transferMode === 'ReturnAsStream') throw new Error('Page.printToPDF: Firefox cannot return the PDF as a stream; leave transferMode out');
  const { marginTop: top, marginBottom: bottom, marginLeft: left, marginRight: right, transferMode: _, generateTaggedPDF: _t, generateDocumentOutline: _o, ...rest } = p;
  const bytes = await host.printToPDF({ ...rest, margins: { top, bottom, left, right } });
  return { data: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') };
}

// ------------------------------------------------------------------ Input

/** Ids of our input sources: BiDi keeps their state (keys and buttons held) between commands. */
const KEYBOARD = 'gluon-keyboard';
const MOUSE = 'gluon-mouse';

/** DOM key names as WebDriver's key codes (the WebDriver spec's table of special keys). */
const KEY_CODES: Record<string, string> = {
  Unidentified: '\uE000', Cancel: '\uE001', Help: '\uE002', Backspace: '\uE003', Tab: '\uE004', Clear: '\uE005',
  Enter: '\uE007', Shift: '\uE008', Control: '\uE009', Alt: '\uE00A', Pause: '\uE00B', Escape: '\uE00C',
  PageUp: '\uE00E', PageDown: '\uE00F', End: '\uE010', Home: '\uE011', ArrowLeft: '\uE012', ArrowUp: '\uE013',
  ArrowRight: '\uE014', ArrowDown: '\uE015', Insert: '\uE016', Delete: '\uE017', Meta: '\uE03D',
  F1: '\uE031', F2: '\uE032', F3: '\uE033', F4: '\uE034', F5: '\uE035', F6: '\uE036', F7: '\uE037', F8: '\uE038',
  F9: '\uE039', F10: '\uE03A', F11: '\uE03B', F12: '\uE03C',
};
/** CDP's modifiers bit field: Alt=1, Ctrl=2, Meta=4, Shift=8. */
const MODIFIERS: [number, string][] = [[1, 'Alt'], [2, 'Control'], [4, 'Meta'], [8, 'Shift']];

/** Keys down now (CDP's keyDown without its keyUp yet), by their WebDriver value. */
const keysDown = new WeakMap<CdpHost, Set<string>>();

function keyValue(p: Protocol.Input.DispatchKeyEventRequest): string {
  const key = p.key ?? p.text ?? '';
  if (KEY_CODES[key]) return KEY_CODES[key]!;
  if ([...key].length === 1) return key;
  throw new Error(`Input.dispatchKeyEvent: Firefox needs a key it can name (one character, or a key such as Enter or ArrowLeft), got key ${JSON.stringify(p.key)}`);
}

async function dispatchKeyEvent(host: CdpHost, p: Protocol.Input.DispatchKeyEventRequest): Promise<Record<string, never>> {
  const value = keyValue(p);
  let down = keysDown.get(host);
  if (!down) keysDown.set(host, (down = new Set()));
  // Modifiers named only in the bit field are held around this event.
  const held = MODIFIERS.filter(([bit, name]) => (p.modifiers ?? 0) & bit && !down!.has(KEY_CODES[name]!)).map(([, name]) => KEY_CODES[name]!);
  const actions: Bidi.Input.KeySourceAction[] = held.map((v) => ({ type: 'keyDown', value: v }));
  switch (p.type) {
    case 'keyDown':
    case 'rawKeyDown':
      actions.push({ type: 'keyDown', value });
      down.add(value);
      break;
    case 'keyUp':
      actions.push({ type: 'keyUp', value });
      down.delete(value);
      break;
    case 'char':
      // The text of a key already down (rawKeyDown, char, keyUp) came with its keyDown.
      if (!down.has(value)) actions.push({ type: 'keyDown', value }, { type: 'keyUp', value });
      break;
  }
  actions.push(...held.reverse().map((v): Bidi.Input.KeySourceAction => ({ type: 'keyUp', value: v })));
  if (actions.length) await host.bidi.send('input.performActions', { context: host.context(), actions: [{ type: 'key', id: KEYBOARD, actions }] });
  return {};
}

const BUTTONS: Record<string, number> = { left: 0, middle: 1, right: 2, back: 3, forward: 4 };

async function dispatchMouseEvent(host: CdpHost, p: Protocol.Input.DispatchMouseEventRequest): Promise<Record<string, never>> {
  const x = Math.round(p.x);
  const y = Math.round(p.y);
  if (p.type === 'mouseWheel') {
    await host.bidi.send('input.performActions', {
      context: host.context(),
      actions: [{ type: 'wheel', id: 'gluon-wheel', actions: [{ type: 'scroll', x, y, deltaX: Math.round(p.deltaX ?? 0), deltaY: Math.round(p.deltaY ?? 0) }] }],
    });
    return {};
  }
  const actions: Bidi.Input.PointerSourceAction[] = [{ type: 'pointerMove', x, y }];
  const button = BUTTONS[p.button ?? 'none'];
  if (p.type === 'mousePressed' && button !== undefined) actions.push({ type: 'pointerDown', button });
  if (p.type === 'mouseReleased' && button !== undefined) actions.push({ type: 'pointerUp', button });
  await host.bidi.send('input.performActions', {
    context: host.context(),
    actions: [{ type: 'pointer', id: MOUSE, parameters: { pointerType: 'mouse' }, actions }],
  });
  return {};
}
