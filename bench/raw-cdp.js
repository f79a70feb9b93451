// The raw protocol floor: the bench's operations over bare CDP with no framework, to
// show what the protocol itself costs. It launches Chromium with --remote-debugging-pipe
// in an app window on an empty data: page (as gluon-ts does), attaches to the page
// target, navigates to the app, carries page->Node messages on a Runtime.addBinding
// binding and Node->page messages with Runtime.callFunctionOn, all as JSON text. Like
// gluon-ts it sends the messages queued in one microtask as one batch. No error
// handling beyond what the bench needs: this is a measuring stick, not a framework.
//
// It gives the page the same `Gluon.ipc` shape the bench page uses (ipc.name(...args)
// calls, ipc.on(type, cb) listens), so the same page runs on all three columns.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const BINDING = '__rawSend';
const RECEIVE = '__rawReceive';

/** Page side: a batched JSON ping-pong over the binding, dressed as `Gluon.ipc`. */
const PAGE_SHIM = `(() => {
  if (window.top !== window) return;
  const post = window.${BINDING};
  let nextId = 1, outbox = [];
  const waiting = new Map(), listeners = new Map();
  const queue = (message) => {
    if (outbox.push(message) === 1) queueMicrotask(() => { const batch = outbox; outbox = []; post(JSON.stringify(batch)); });
  };
  window.${RECEIVE} = (text) => {
    for (const m of JSON.parse(text)) {
      if (m.re) { waiting.get(m.re)(m.value); waiting.delete(m.re); continue; }
      Promise.resolve(listeners.get(m.type)(m.data)).then((value) => queue({ re: m.id, value }));
    }
  };
  const call = (name, args) => new Promise((resolve) => { const id = nextId++; waiting.set(id, resolve); queue({ id, name, args }); });
  const base = { on: (type, cb) => listeners.set(type, cb) };
  window.Gluon = { ipc: new Proxy(base, { get: (t, key) => t[key] ?? ((...args) => call(key, args)) }) };
})();`;

/** Minimal CDP over the pipe: JSON + NUL each way. */
class Pipe {
  constructor(write, read) {
    this.write = write;
    this.nextId = 1;
    this.replies = new Map();
    this.handlers = new Map();
    let pending = [];
    read.on('data', (chunk) => {
      let start = 0;
      for (let end = chunk.indexOf(0); end !== -1; start = end + 1, end = chunk.indexOf(0, start)) {
        pending.push(chunk.subarray(start, end));
        this.dispatch(JSON.parse(Buffer.concat(pending).toString('utf8')));
        pending = [];
      }
      if (start < chunk.length) pending.push(chunk.subarray(start));
    });
    write.on('error', () => {});
  }

  send(method, params = {}, sessionId) {
    const id = this.nextId++;
    this.write.write(JSON.stringify(sessionId ? { id, method, params, sessionId } : { id, method, params }) + '\0');
    return new Promise((resolve, reject) => this.replies.set(id, { resolve, reject, method }));
  }

  on(method, handler) {
    this.handlers.set(method, handler);
  }

  dispatch(message) {
    const reply = this.replies.get(message.id);
    if (reply) {
      this.replies.delete(message.id);
      if (message.error) reply.reject(new Error(`${reply.method}: ${message.error.message}`));
      else reply.resolve(message.result);
    } else if (message.method) {
      this.handlers.get(message.method)?.(message.params, message.sessionId);
    }
  }
}

/**
 * Opens `appDir/index.html` (as a file:// URL) in a fresh headless browser. Returns
 * { ipc: { expose, send }, eval, close, pids, product }, the bench's window shape.
 */
export async function openRaw(browserPath, appDir, switches = []) {
  const profile = await mkdtemp(join(tmpdir(), 'gluon-bench-raw-'));
  const started = performance.now();
  const child = spawn(
    browserPath,
    ['--remote-debugging-pipe', `--user-data-dir=${profile}`, '--no-first-run', '--no-default-browser-check', ...switches, '--app=data:text/html,'],
    { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'], detached: process.platform !== 'win32' },
  );
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr = (stderr + chunk).slice(-4000); });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const cdp = new Pipe(child.stdio[3], child.stdio[4]);

  const failed = new Promise((_, reject) => exited.then((code) => reject(new Error(`the browser exited (code ${code}): ${stderr.slice(-800)}`))));
  failed.catch(() => {});
  const targetId = await Promise.race([failed, new Promise((resolve) => {
    cdp.on('Target.targetCreated', ({ targetInfo: t }) => {
      if (t.type === 'page' && !/^(chrome|devtools)/.test(t.url)) resolve(t.targetId);
    });
    cdp.send('Target.setDiscoverTargets', { discover: true });
  })]);
  const { product } = await cdp.send('Browser.getVersion');
  const { sessionId } = await cdp.send('Target.attachToTarget', { targetId, flatten: true });
  const session = (method, params) => cdp.send(method, params, sessionId);

  // The top frame's current JavaScript context, for callFunctionOn.
  let contextId;
  cdp.on('Runtime.executionContextCreated', ({ context }) => {
    if (context.auxData?.isDefault && context.auxData.frameId === targetId) contextId = context.id;
  });

  const exposed = new Map();
  const replies = new Map();
  let nextId = 1;
  let outbox = [];
  const post = (text) => session('Runtime.callFunctionOn', {
    functionDeclaration: `function (text) { window.${RECEIVE}(text); }`,
    executionContextId: contextId,
    arguments: [{ value: text }],
  });
  const queue = (message) => {
    if (outbox.push(message) === 1) {
      queueMicrotask(() => { const batch = outbox; outbox = []; post(JSON.stringify(batch)); });
    }
  };
  cdp.on('Runtime.bindingCalled', ({ name, payload }) => {
    if (name !== BINDING) return;
    for (const m of JSON.parse(payload)) {
      if (m.re) { replies.get(m.re)(m.value); replies.delete(m.re); continue; }
      const fn = exposed.get(m.name); // none yet: null, and the page asks again
      Promise.resolve(fn ? fn(...m.args) : null).then((value) => queue({ re: m.id, value }));
    }
  });

  // Answered once the start page's renderer runs scripts: the browser's own start, no app yet.
  const launchMs = session('Runtime.evaluate', { expression: '0' }).then(() => performance.now() - started);
  await Promise.all([
    launchMs,
    session('Page.enable'),
    session('Runtime.enable'),
    session('Runtime.addBinding', { name: BINDING }),
    session('Page.addScriptToEvaluateOnNewDocument', { source: PAGE_SHIM }),
  ]);
  // Navigate once the caller's code right after `await openRaw()` (its expose calls) has run.
  setImmediate(() => session('Page.navigate', { url: pathToFileURL(join(appDir, 'index.html')).href }).catch(() => {}));

  const pids = [child.pid];
  const close = async () => {
    await Promise.race([cdp.send('Browser.close').catch(() => {}), new Promise((r) => setTimeout(r, 1000))]);
    if (process.platform !== 'win32') {
      const group = () => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } };
      await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
      group(); // helpers (zygote, renderer) that outlived the browser process
    } else {
      child.kill();
    }
    await exited;
    await rm(profile, { recursive: true, force: true }).catch(() => {});
  };

  return {
    product,
    pids,
    launchMs: await launchMs,
    ipc: {
      expose: (name, fn) => exposed.set(name, fn),
      send: (type, data) => new Promise((resolve) => { const id = nextId++; replies.set(id, resolve); queue({ id, type, data }); }),
    },
    eval: async (expression) => {
      const { result, exceptionDetails } = await session('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
      if (exceptionDetails) throw new Error(exceptionDetails.exception?.description ?? exceptionDetails.text);
      return result.value;
    },
    close,
  };
}
