// Isolation, on the engine of this run (GLUON_TEST_ENGINE):
//   - a local app's folder is all that is served: no spelling of a path (dots, encodings,
//     backslashes, NUL, absolute paths, symlinks, 10k and 100k characters) brings back a byte
//     of the files beside it, whether the page fetches it, loads it as a script, an image, a
//     stylesheet or a frame, or the backend navigates the window to it;
//   - only the app's own top-level document has the IPC: a cross-origin frame, popups (another
//     origin, the app's own, about:blank) and a page of another origin the window went to get no
//     window.Gluon, read nothing of the store, hear no event even when they know the engine's
//     receiving function's name, and whatever they forge on the engine's raw channel changes
//     nothing in the backend;
//   - the browser's remote protocol: Chromium listens on no TCP port at all; Firefox on one
//     loopback port, whose one session stays gluon-ts's whatever another client sends.
// (open.e2e.test.ts has the first fetch-only path attacks, protocol.e2e.test.ts a first look at
// the ports and session.new, ipc.e2e.test.ts same-origin and opaque frames: not repeated here.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { access, cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import * as Gluon from '../../src/index.js';
import type { ServedRequest, ServedResponse } from '../../src/engine/types.js';
import { encodeMessage } from '../../src/ipc/codec.js';
import { joinFrame, linkText } from '../../src/ipc/wire.js';
import { INTERNALS } from '../../src/window/window.js';
import {
  ENGINE, fixture, isLoopbackAddress, listeningSockets, liveBrowserPids, openFixture, sleep, waitFor, waitForNoneMarked, windowMark,
} from './helpers.js';

const onLinux = process.platform === 'linux';
const engineOf = (win: Gluon.Window): any => (win as any)[INTERNALS].engine;

// ------------------------------------------------------------------ 5. local serving

/** The files just outside the served folder, each with a marker that shows if any of it comes back. */
const SECRET_NAMES = ['secret.txt', 'secret.js', 'secret.html', 'secret.css', 'secret.svg'] as const;
type SecretName = (typeof SECRET_NAMES)[number];
const secrets = new Map<SecretName, { marker: string; bytes: number }>();
let work: string;
let appDir: string;

function secretContent(name: SecretName, marker: string): string {
  switch (name) {
    case 'secret.js': return `window.__pwned = (window.__pwned || 0) + 1; // ${marker}\n`;
    case 'secret.html': return `<!doctype html><script>parent.__pwned = (parent.__pwned || 0) + 1;</script>${marker}\n`;
    case 'secret.css': return `:root { --pwned: 1; } /* ${marker} */\n`;
    case 'secret.svg': return `<svg xmlns="http://www.w3.org/2000/svg" width="7" height="5"><!-- ${marker} --><rect width="7" height="5"/></svg>\n`;
    default: return `${marker}\n`;
  }
}

/** Bytes of the files outside the root found in `texts`: a file counts whole when its marker is there. */
function outsideBytes(texts: Iterable<string | null | undefined>): number {
  let bytes = 0;
  for (const text of texts) {
    for (const { marker, bytes: size } of secrets.values()) if (text?.includes(marker)) bytes += size;
  }
  return bytes;
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'gluon-isolation-'));
  appDir = join(work, 'app');
  await cp(fixture('isolation'), appDir, { recursive: true });
  // A sibling folder whose name starts like the root's (a prefix check would let it through).
  await mkdir(join(work, 'app-sibling'));
  for (const name of SECRET_NAMES) {
    const marker = `OUTSIDE-${name}-${randomBytes(16).toString('hex')}`;
    const content = secretContent(name, marker);
    secrets.set(name, { marker, bytes: Buffer.byteLength(content) });
    await writeFile(join(work, name), content);
    await writeFile(join(work, 'app-sibling', name), content);
    await symlink(join(work, name), join(appDir, `link-${name}`));
  }
  await symlink(work, join(appDir, 'up')); // a folder symlink to the folder above
  await symlink('../app-sibling', join(appDir, 'sibling'));
  await mkdir(join(appDir, 'inner'));
  await symlink('../..', join(appDir, 'inner', 'rel-up')); // relative, two levels up
  await symlink('loop', join(appDir, 'loop'));
});
after(() => rm(work, { recursive: true, force: true }));

/** Every spelling of "the file F beside the root" tried, as URL paths; some are 10k and 100k characters long. */
function attackPaths(file: SecretName): string[] {
  const absolute = join(work, file);
  return [
    '/../F', '/%2e%2e/F', '/%2E%2E/F', '/.%2e/F', '/%2e./F', '/%2e%2e%2fF', '/..%2fF', '/..%2FF',
    '/%252e%252e/F', '/%252e%252e%252fF', '/..%252fF', '/%25%32%65%25%32%65/F',
    '/..%5cF', '/%5c..%5cF', '/..\\F', '/.\\.\\..\\F', '/%c0%ae%c0%ae/F', '/..;/F', '/..%00/F',
    '/F%00', '/F%00.html', '/%00/../F', '/link-F%00',
    `/${encodeURIComponent(absolute)}`, absolute, `/${absolute}`, `//${absolute}`, `/${absolute.replace(/\//g, '%2f')}`,
    '/link-F', '/up/F', '/up/app/../F', '/sibling/F', '/inner/rel-up/F', '/loop/F',
    '/' + 'a/'.repeat(5_000) + 'F',                  // 10k, inside the root
    '/' + '../'.repeat(3_400) + 'F',                 // 10k of ..
    '/' + '%2e%2e/'.repeat(1_430) + 'F',             // 10k of encoded ..
    '/' + '..%2f'.repeat(2_000) + 'F',               // 10k of encoded separators
    '/' + 'a/../'.repeat(2_000) + '../F',            // 10k that a parser folds to /../F
    '/' + 'a/'.repeat(50_000) + 'F',                 // 100k, inside the root
    '/' + '../'.repeat(34_000) + 'F',                // 100k of ..
    '/' + '%2e%2e%2f'.repeat(11_200) + 'F',          // 100k of encoded ..
    '/' + 'x'.repeat(100_000) + '/../../F',          // 100k name, then up
  ].map((path) => {
    assert.ok(path.startsWith('/'), path); // a path, never a way to another host
    return path.replaceAll('F', file);
  });
}

/** The longest path tried, for the report. */
const longest = (paths: string[]) => Math.max(...paths.map((path) => path.length));

test('local serving: no spelling of a path brings back a byte from outside the folder, fetched, loaded as script/image/stylesheet/frame or navigated to by the backend', async () => {
  const win = await Gluon.open(appDir, { headless: true, incognito: true });
  try {
    await win.page.loaded;
    // Everything the server answers for this window, whoever asked: every body is searched.
    const engine = engineOf(win);
    const served: Map<string, (req: ServedRequest) => Promise<ServedResponse>> = engine.served;
    const serve = served.get(Gluon.APP_ORIGIN)!;
    assert.equal(typeof serve, 'function', 'the engine serves the app origin');
    let answered = 0;
    let servedOutside = 0;
    served.set(Gluon.APP_ORIGIN, async (req) => {
      const response = await serve(req);
      answered++;
      servedOutside += outsideBytes([Buffer.from(response.body).toString('latin1')]);
      return response;
    });

    // The harness sees a file when it is served: the same loads of files inside the root work.
    const control = await win.page.eval<any>(`runAttacks({
      fetches: ['/control.txt'], scripts: ['/control.js'], images: ['/control.svg'], styles: ['/control.css'], frames: ['/control.html'],
    })`);
    assert.deepEqual(control.fetches.map((r: any) => [r.status, r.body]), [[200, 'CONTROL-inside-the-root\n']]);
    assert.deepEqual([control.scripts[0].event, control.images[0], control.styles[0].event, control.css.control, control.frames[0].event],
      ['load', { event: 'load', width: 7, height: 5 }, 'load', '1', 'load']);
    assert.match(control.frames[0].text, /CONTROL-inside-the-root/);
    assert.deepEqual(control.control, { script: 1, frame: 1 });

    // The page: every path for every file by fetch, and each file the way it would act if it came.
    const url = (path: string) => Gluon.APP_ORIGIN + path;
    const sets = {
      fetches: SECRET_NAMES.flatMap((name) => attackPaths(name).map(url)),
      scripts: attackPaths('secret.js').map(url),
      images: attackPaths('secret.svg').map(url),
      styles: attackPaths('secret.css').map(url),
      frames: attackPaths('secret.html').map(url),
    };
    const got = await win.page.eval<any>(`runAttacks(${JSON.stringify(sets)})`);
    // Every way a request went wrong, reported after the figures.
    const wrong: string[] = [];
    const expect = (ok: boolean, what: string, target: string) => void (ok || wrong.push(`${what}: ${target.slice(0, 100)}`));
    const statuses = new Map<number, number>();
    got.fetches.forEach(({ status }: { status: number }, i: number) => {
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      expect([0, 400, 403, 404, 414].includes(status), `fetch -> ${status}`, sets.fetches[i]!);
    });
    got.scripts.forEach(({ event }: any, i: number) => expect(event === 'error', `script -> ${event}`, sets.scripts[i]!));
    got.images.forEach(({ event, width }: any, i: number) => expect(event === 'error' && width === 0, `image -> ${event} ${width}`, sets.images[i]!));
    got.styles.forEach(({ event }: any, i: number) => expect(event === 'error', `stylesheet -> ${event}`, sets.styles[i]!));
    got.frames.forEach(({ event }: any, i: number) => expect(event === 'load', `frame -> ${event}`, sets.frames[i]!));
    expect(got.pwned === 0, `scripts or frames from outside ran: ${got.pwned}`, '');
    expect(got.css.pwned === '', 'a stylesheet from outside applied', '');
    const pageOutside = outsideBytes([...got.fetches.map((r: any) => r.body), ...got.frames.map((r: any) => r.text)]);

    // The backend: the window itself navigated to each path (a request the engine intercepts
    // like the page's, but made by the browser for the backend, not by page code).
    const navigations = attackPaths('secret.html').map(url);
    const documents: string[] = [];
    let refused = 0;
    for (const target of navigations) {
      await win.page.eval('window.__before = true');
      try {
        await engine.navigate(target);
      } catch {
        refused++; // the engine reports a navigation the browser would not make
        continue;
      }
      documents.push(await waitFor<string>(win, `!window.__before && document.readyState === 'complete' && document.documentElement.outerHTML`, 15_000));
    }
    const navigationOutside = outsideBytes(documents);
    expect(await win.page.eval('window.__pwned') === undefined, 'a document from outside ran', '');

    // And the same handler called directly, with the raw URLs no browser would send as they are.
    let direct = 0;
    const directBodies: string[] = [];
    for (const name of SECRET_NAMES) {
      for (const path of attackPaths(name)) {
        const response = await serve({ method: 'GET', url: url(path), headers: {} });
        direct++;
        expect([400, 403, 404, 414].includes(response.status), `direct -> ${response.status}`, path);
        directBodies.push(Buffer.from(response.body).toString('latin1'));
      }
    }
    const directOutside = outsideBytes(directBodies);

    const tried = sets.fetches.length + sets.scripts.length + sets.images.length + sets.styles.length + sets.frames.length + navigations.length + direct;
    const outside = pageOutside + navigationOutside + directOutside + servedOutside;
    console.log(`[isolation ${ENGINE}] local serving: ${tried} attack URLs tried (page: ${sets.fetches.length} fetches, ${sets.scripts.length} scripts, ` +
      `${sets.images.length} images, ${sets.styles.length} stylesheets, ${sets.frames.length} frames; backend: ${navigations.length} navigations ` +
      `(${refused} refused by the browser), ${direct} direct calls of the handler; longest path ${longest(SECRET_NAMES.flatMap(attackPaths))} chars); ` +
      `fetch statuses ${JSON.stringify(Object.fromEntries(statuses))}; the server answered ${answered} requests from the browser; ` +
      `bytes from outside the root that came back: ${outside} (page ${pageOutside}, navigations ${navigationOutside}, direct ${directOutside}, server-side ${servedOutside})`);
    assert.equal(outside, 0, 'no byte from outside the root came back');
    assert.deepEqual(wrong, [], 'every attack was refused');
    assert.ok(answered >= sets.fetches.length, `the server saw the page's requests (${answered})`);
  } finally {
    await win.close();
  }
});

// ------------------------------------------------------------------ 6. origin isolation

const SECRET_VALUE = `store-secret-${randomBytes(8).toString('hex')}`;
const EVENT_SECRET = `event-secret-${randomBytes(8).toString('hex')}`;

/** What a foreign document sends on any raw channel it finds: hello, a call, an event, a store write, a data channel request. */
const FORGED = [
  joinFrame([encodeMessage({ k: 'hello' })]),
  joinFrame([encodeMessage({ k: 'call', id: 1, name: 'count', args: ['forged'] })]),
  joinFrame([encodeMessage({ k: 'event', id: 2, type: 'evil', data: 'forged' })]),
  joinFrame([encodeMessage({ k: 'store', key: 'pwned', value: 'forged' })]),
  joinFrame([encodeMessage({ k: 'store', key: 'secret', value: 'overwritten' })]),
  linkText({ t: 'data-channel?' }),
];

/**
 * Another origin, http://127.0.0.1:PORT: its /evil.html?role=R runs probe.js, listens under the
 * names in `listenTo`, reports what it found (POST /report/R/ready), waits for the test
 * (GET /wait/R), then reports what reached it (POST /report/R/final).
 */
async function otherOrigin() {
  const config = { listenTo: [] as string[] };
  const deferred = new Map<string, { promise: Promise<any>; resolve: (value: any) => void }>();
  const slot = (key: string) => {
    let entry = deferred.get(key);
    if (!entry) {
      let resolve!: (value: any) => void;
      const promise = new Promise<any>((r) => (resolve = r));
      entry = { promise, resolve };
      deferred.set(key, entry);
    }
    return entry;
  };
  const probe = await readFile(fixture('isolation', 'probe.js'), 'utf8');
  const page = () => `<!doctype html><meta charset="utf-8"><title>Another origin</title>
<script src="/probe.js"></script>
<script>
  probe.listen(${JSON.stringify(config.listenTo)});
  (async () => {
    const role = new URLSearchParams(location.search).get('role');
    const post = (stage, data) => fetch('/report/' + role + '/' + stage, { method: 'POST', body: JSON.stringify(data) });
    await post('ready', probe.start(${JSON.stringify(FORGED)}));
    await fetch('/wait/' + role);
    await post('final', probe.finish());
  })();
</script>`;
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const [, kind, role, stage] = path.split('/');
    if (path === '/probe.js') return res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(probe);
    if (path === '/evil.html') return res.writeHead(200, { 'Content-Type': 'text/html' }).end(page());
    if (kind === 'wait') return void slot(`gate/${role}`).promise.then(() => res.writeHead(204).end());
    if (kind === 'report' && req.method === 'POST') {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        slot(`${role}/${stage}`).resolve(JSON.parse(body));
        res.writeHead(204).end();
      });
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    origin: `http://127.0.0.1:${port}`,
    config,
    report(role: string, stage: 'ready' | 'final', timeout = 15_000): Promise<any> {
      let timer: ReturnType<typeof setTimeout> | undefined;
      return Promise.race([
        slot(`${role}/${stage}`).promise.finally(() => clearTimeout(timer)),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`the ${role} document sent no ${stage} report within ${timeout} ms`)), timeout))),
      ]);
    },
    release: (role: string) => slot(`gate/${role}`).resolve(undefined),
    close: () => new Promise<void>((resolve) => {
      for (const entry of deferred.values()) entry.resolve(undefined);
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** A backend that counts what reaches it: calls of `count`, 'evil' events, store writes by a page. */
function counters(win: Gluon.Window) {
  const calls: string[] = [];
  const events: unknown[] = [];
  const storeWrites: string[] = [];
  win.ipc.count = (from: string) => {
    calls.push(from);
    return 'counted';
  };
  win.ipc.on('evil', (data: unknown) => void events.push(data));
  win.ipc.store.secret = SECRET_VALUE;
  win.ipc.store.onChange(({ key, remote }) => {
    if (remote) storeWrites.push(key);
  });
  return { calls, events, storeWrites };
}

/** What a foreign document found and what reached it: no Gluon, nothing caught, no secret. */
function assertShutOut(what: string, ready: any, final: any): void {
  assert.equal(ready.gluon, 'undefined', `${what}: no window.Gluon`);
  assert.equal(final.gluon, 'undefined', `${what}: still no window.Gluon`);
  assert.deepEqual(final.caught, [], `${what}: the backend handed it nothing`);
  assert.ok(!JSON.stringify([ready, final]).includes(SECRET_VALUE) && !JSON.stringify([ready, final]).includes(EVENT_SECRET), `${what}: no secret reached it`);
}

const summary = (what: string, ready: any) =>
  `${what} (${ready.origin}): Gluon ${ready.gluon}, raw channel ${ready.names.some((n: string) => n.startsWith('__gluon_send_')) ? `found, ${ready.sent} texts forged` : 'absent'}` +
  `${ready.learnt.length ? ', receive name read from an engine function' : ''}` +
  `, parent.Gluon ${ready.parentGluon}, opener.Gluon ${ready.openerGluon}`;

test('origin isolation: a cross-origin frame and popups (cross-origin, same-origin, about:blank) get no Gluon, no store, no events, and reach nothing in the backend', async () => {
  const other = await otherOrigin();
  // The app lets the other origin into a frame (the default frame-src is 'self' only).
  const csp = Gluon.DEFAULT_CSP.replace("frame-src 'self'", `frame-src 'self' ${other.origin}`).replace("connect-src 'self'", "connect-src 'self' ws://127.0.0.1:*");
  const win = await openFixture('isolation', { localCSP: csp });
  try {
    const backend = counters(win);
    other.config.listenTo = [engineOf(win).pageReceiveName];
    await win.page.loaded;
    assert.equal(await win.page.eval(`Gluon.ipc.count('app page')`), 'counted', 'the app page reaches the backend');
    assert.equal(await win.page.eval('Gluon.ipc.store.secret'), SECRET_VALUE, 'and reads the store');

    await win.page.eval(`(() => {
      const frame = document.createElement('iframe');
      frame.src = '${other.origin}/evil.html?role=frame';
      document.body.append(frame);
    })()`);
    // One popup per user gesture (each eval is one): another origin; the app's /popup.html; and
    // about:blank, of the app's origin too, into which the app page itself puts probe.js.
    assert.equal(await win.page.eval(`!!(window.crossPopup = window.open('${other.origin}/evil.html?role=popup', 'cross'))`), true, 'the cross-origin popup opened');
    assert.equal(await win.page.eval(`!!(window.samePopup = window.open('/popup.html', 'same'))`), true, 'the same-origin popup opened');
    assert.equal(await win.page.eval(`!!(window.blankPopup = window.open('', 'blank'))`), true, 'the about:blank popup opened');
    assert.equal(await win.page.eval(`(async () => {
      const source = await (await fetch('/probe.js')).text();
      const doc = window.blankPopup.document;
      const script = doc.createElement('script');
      script.textContent = source;
      doc.documentElement.append(script);
      return typeof window.blankPopup.probe;
    })()`), 'object', 'probe.js runs in the about:blank popup');
    const [frameReady, popupReady] = await Promise.all([other.report('frame', 'ready'), other.report('popup', 'ready')]);
    // The same-origin popups are driven from their opener (they share an origin); on a browser
    // that does not serve the app origin to popups, /popup.html is an error page the opener cannot reach.
    const startIn = (popup: string) => waitFor<any>(win, `(() => {
      try {
        const popup = window.${popup};
        if (!popup.probe || popup.document.readyState !== 'complete') return false;
        popup.probe.listen(${JSON.stringify(other.config.listenTo)});
        return popup.probe.start(${JSON.stringify(FORGED)});
      } catch (error) {
        return { unreachable: String(error) };
      }
    })()`, 15_000);
    const sameReady = await startIn('samePopup');
    const blankReady = await startIn('blankPopup');

    // The backend changes the store and sends an event while they listen.
    win.ipc.store.secret = `${SECRET_VALUE}-changed`;
    assert.equal(await win.ipc.send('probe-event', EVENT_SECRET), 'the app page got it');
    await sleep(300); // for anything forged to arrive
    other.release('frame');
    other.release('popup');
    const [frameFinal, popupFinal] = await Promise.all([other.report('frame', 'final'), other.report('popup', 'final')]);
    const sameFinal = sameReady.unreachable ? undefined : await win.page.eval<any>('window.samePopup.probe.finish()');
    const blankFinal = await win.page.eval<any>('window.blankPopup.probe.finish()');
    let sameNote = '';
    if (!sameFinal && ENGINE === 'chromium') {
      const { targetInfos } = await win.cdp.send('Target.getTargets', {}, false);
      sameNote = targetInfos.filter((target: any) => target.type === 'page').map((target: any) => target.url.slice(0, 60)).join(' | ');
    }

    console.log(`[isolation ${ENGINE}] ${summary('cross-origin frame', frameReady)}; ${summary('cross-origin popup', popupReady)}; ` +
      (sameFinal ? summary('same-origin popup', sameReady) : `same-origin popup /popup.html: not loaded by the browser (${sameReady.unreachable.slice(0, 60)}...; pages: ${sameNote})`) +
      `; ${summary('about:blank popup', blankReady)}` +
      `; backend: calls ${JSON.stringify(backend.calls)}, 'evil' events ${backend.events.length}, page store writes ${JSON.stringify(backend.storeWrites)}`);
    assertShutOut('the cross-origin frame', frameReady, frameFinal);
    assertShutOut('the cross-origin popup', popupReady, popupFinal);
    assertShutOut('the about:blank popup', blankReady, blankFinal);
    assert.match(frameReady.parentGluon, /^blocked/, 'the frame cannot reach its parent\'s Gluon');
    assert.match(popupReady.openerGluon, /^blocked/, 'the popup cannot reach its opener\'s Gluon');
    assert.equal(blankReady.origin, Gluon.APP_ORIGIN);
    // (A same-origin popup can still use opener.Gluon, as any same-origin document can use its
    // neighbour's globals: it is the app's own code. What matters is that it has no IPC of its own.)
    if (sameFinal) {
      assertShutOut('the same-origin popup', sameReady, sameFinal);
      assert.equal(sameReady.origin, Gluon.APP_ORIGIN);
    } else {
      assert.match(sameReady.unreachable, /SecurityError|cross-origin|Blocked/i);
    }
    // The backend: only the app page's own call; no forged call, event or store write.
    assert.deepEqual(backend.calls, ['app page']);
    assert.deepEqual(backend.events, []);
    assert.deepEqual(backend.storeWrites, []);
    assert.equal(win.ipc.store.get('pwned'), undefined);
    assert.equal(win.ipc.store.secret, `${SECRET_VALUE}-changed`);
    // And the app page still has everything, once.
    assert.deepEqual(await win.page.eval('Promise.all([window.appEvents, Gluon.ipc.store.secret, Gluon.ipc.count("app page again")])'),
      [[EVENT_SECRET], `${SECRET_VALUE}-changed`, 'counted']);
  } finally {
    await win.close();
    await other.close();
  }
});

test('origin isolation: a page of another origin that the window navigated to (allowNavigation: true) gets nothing, and what the backend sends meanwhile waits for the app', async () => {
  const other = await otherOrigin();
  const win = await openFixture('isolation', { allowNavigation: true });
  try {
    const backend = counters(win);
    other.config.listenTo = [engineOf(win).pageReceiveName];
    await win.page.loaded;
    assert.equal(await win.page.eval(`Gluon.ipc.count('app page')`), 'counted');

    await win.page.eval(`location.href = '${other.origin}/evil.html?role=nav'`);
    const ready = await other.report('nav', 'ready');
    // The page's report can reach this process before the browser's word that the document
    // changed (seen once on Chromium under load: the send below then went to the app page that
    // was already gone). An evaluation's answer comes after that word.
    await waitFor(win, `location.origin === ${JSON.stringify(other.origin)}`);
    // While the other origin's page is the window's document, the backend writes the store and sends.
    win.ipc.store.secret = `${SECRET_VALUE}-changed`;
    const sent = win.ipc.send('probe-event', EVENT_SECRET);
    sent.catch(() => {});
    await sleep(500);
    other.release('nav');
    const final = await other.report('nav', 'final');
    console.log(`[isolation ${ENGINE}] ${summary('navigated page', ready)}; backend: calls ${JSON.stringify(backend.calls)}, ` +
      `'evil' events ${backend.events.length}, page store writes ${JSON.stringify(backend.storeWrites)}`);
    assertShutOut('the page of another origin', ready, final);
    assert.deepEqual(backend.calls, ['app page']);
    assert.deepEqual(backend.events, []);
    assert.deepEqual(backend.storeWrites, []);
    assert.equal(win.ipc.store.get('pwned'), undefined);

    // Back on the app: it gets what was sent meanwhile, and the store as it is now.
    await win.page.eval(`location.href = '${Gluon.APP_ORIGIN}/index.html'`);
    await waitFor(win, `typeof Gluon === 'object' && window.appEvents`, 10_000);
    assert.equal(await sent, 'the app page got it');
    assert.deepEqual(await win.page.eval('Promise.all([window.appEvents, Gluon.ipc.store.secret, Gluon.ipc.count("app page again")])'),
      [[EVENT_SECRET], `${SECRET_VALUE}-changed`, 'counted']);
    assert.deepEqual(backend.calls, ['app page', 'app page again']);
  } finally {
    await win.close();
    await other.close();
  }
});

// ------------------------------------------------------------------ 7. the engines' ports

/** Where this machine can be reached other than loopback (link-local IPv6 with its interface). */
function outsideAddresses(): string[] {
  const found: string[] = [];
  for (const [name, addresses] of Object.entries(networkInterfaces())) {
    for (const { address, internal, family } of addresses ?? []) {
      if (!internal) found.push(family === 'IPv6' && address.startsWith('fe80:') ? `${address}%${name}` : address);
    }
  }
  return found;
}

/** 'connected', or the error code of a TCP connection to host:port. */
const tcpConnect = (host: string, port: number) => new Promise<string>((resolve) => {
  const socket = connect({ host, port });
  socket.setTimeout(3000, () => {
    socket.destroy();
    resolve('timeout');
  });
  socket.once('connect', () => {
    socket.destroy();
    resolve('connected');
  });
  socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? String(error)));
});

/** A WebSocket handshake: 'open' (closed again at once), or the HTTP status it got, or 'error'. */
const handshake = (url: string, options: WebSocket.ClientOptions = {}) => new Promise<string>((resolve) => {
  const socket = new WebSocket(url, options);
  socket.once('open', () => {
    resolve('open');
    socket.close();
  });
  socket.once('unexpected-response', (_request, response) => resolve(String(response.statusCode)));
  socket.once('error', () => resolve('error'));
});

test(`the engine's ports: ${ENGINE === 'chromium' ? 'Chromium listens on no TCP port, before or after the app works' : "Firefox's remote agent listens on loopback only, and another client cannot use or end our session"}`, { skip: !onLinux && 'reads /proc' }, async () => {
  const win = await openFixture('isolation');
  const samples: [string, string[]][] = [];
  const sample = async (when: string) => samples.push([when, await listeningSockets(await liveBrowserPids(win))]);
  let port = 0;
  try {
    await sample('just opened');
    await win.page.loaded;
    win.ipc.ping = () => 'pong';
    assert.equal(await win.page.eval('Gluon.ipc.ping()'), 'pong');
    await win.page.reload();
    await waitFor(win, `typeof Gluon === 'object' && window.appEvents`);
    assert.equal(await win.page.eval('Gluon.ipc.ping()'), 'pong');
    await win.page.eval(`window.open('/popup.html', 'popup') && true`); // another document, in another process on Chromium
    await sleep(500);
    await sample('after IPC, a reload and a popup');

    const pids = await liveBrowserPids(win);
    const commandLines = await Promise.all(pids.map((pid) => readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')));
    if (ENGINE === 'chromium') {
      for (const [when, listening] of samples) assert.deepEqual(listening, [], `Chromium listens on no TCP port (${when})`);
      const browserArgs = commandLines.filter((line) => !line.includes('--type=')).join('\0');
      assert.match(browserArgs, /--remote-debugging-pipe/, 'the browser is driven over a pipe');
      assert.doesNotMatch(commandLines.join('\0'), /--remote-debugging-(port|address)/, 'and over no port');
      await assert.rejects(access(join(win.browser.profile, 'DevToolsActivePort')), 'no DevToolsActivePort file names a port');
      console.log(`[isolation ${ENGINE}] ${pids.length} browser processes; listening TCP sockets: ${samples.map(([when, l]) => `${when}: ${l.length}`).join(', ')}`);
    } else {
      ({ ws_port: port } = JSON.parse(await readFile(join(win.browser.profile, 'WebDriverBiDiServer.json'), 'utf8')));
      for (const [when, listening] of samples) {
        assert.equal(listening.length, 1, `one listening socket (${when}): ${listening}`);
        const [address, listeningPort] = listening[0]!.split(':');
        assert.ok(isLoopbackAddress(address!), `on loopback (${when}): ${listening[0]}`);
        assert.equal(Number(listeningPort), port, `the remote agent's port (${when})`);
      }
      // Not reachable from the network: every other address of this machine refuses the port.
      const elsewhere = await Promise.all(outsideAddresses().map(async (host) => [host, await tcpConnect(host, port)] as const));
      for (const [host, result] of elsewhere) assert.notEqual(result, 'connected', `${host}:${port} must not accept`);

      const base = `ws://127.0.0.1:${port}`;
      // Another program: a session's own path, a page of another host name (DNS rebinding).
      const paths = {
        sessionPath: await handshake(`${base}/session/${randomBytes(16).toString('hex')}`),
        otherHost: await handshake(`${base}/session`, { headers: { Host: `rebind.example:${port}` } }),
      };
      assert.deepEqual(paths, { sessionPath: '404', otherHost: '400' });
      // It may open /session, but with no session of its own every command that would act is refused.
      const intruder = new WebSocket(`${base}/session`);
      await new Promise((resolve, reject) => { intruder.once('open', resolve); intruder.once('error', reject); });
      let id = 0;
      const command = (method: string, params: object = {}) => new Promise<any>((resolve) => {
        const mine = ++id;
        const onMessage = (data: WebSocket.RawData) => {
          const reply = JSON.parse(String(data));
          if (reply.id !== mine) return;
          intruder.off('message', onMessage);
          resolve(reply);
        };
        intruder.on('message', onMessage);
        intruder.send(JSON.stringify({ id: mine, method, params }));
      });
      const context = engineOf(win).delegate.context as string; // the window's browsing context (its Firefox page delegate's)
      const attempts = {
        'session.subscribe': await command('session.subscribe', { events: ['script.message', 'network.beforeRequestSent'] }),
        'browsingContext.getTree': await command('browsingContext.getTree', {}),
        'script.evaluate': await command('script.evaluate', { expression: 'document.title = "taken"', target: { context }, awaitPromise: false }),
        'network.addIntercept': await command('network.addIntercept', { phases: ['beforeRequestSent'] }),
        'session.end': await command('session.end', {}),
        'browser.close': await command('browser.close', {}),
      };
      intruder.close();
      for (const [method, reply] of Object.entries(attempts)) {
        assert.equal(reply.type, 'error', `${method} is refused: ${JSON.stringify(reply).slice(0, 200)}`);
        assert.equal(reply.error, 'invalid session id', method);
      }
      console.log(`[isolation ${ENGINE}] remote agent: ${samples.map(([when, l]) => `${when}: ${l.join(' ')}`).join(', ')}; ` +
        `other addresses: ${elsewhere.map(([host, result]) => `${host} ${result}`).join(', ')}; handshakes: ${JSON.stringify(paths)}; ` +
        `commands without a session: ${Object.keys(attempts).length} refused (invalid session id)`);
    }

    // The backend's own data channel listens on loopback only.
    const ours = await listeningSockets([process.pid]);
    assert.ok(ours.length >= 1 && ours.every((socket) => isLoopbackAddress(socket.split(':')[0]!)), `the backend listens on loopback only: ${ours}`);

    // Our window and session are unharmed: IPC, page code, events of a new document.
    assert.notEqual(await win.page.eval('document.title'), 'taken');
    assert.equal(await win.page.eval('Gluon.ipc.ping()'), 'pong');
    await win.page.reload();
    await waitFor(win, `typeof Gluon === 'object' && window.appEvents`);
    assert.equal(await win.page.eval('Gluon.ipc.ping()'), 'pong');
  } finally {
    await win.close();
  }
  if (ENGINE === 'firefox') assert.equal(await tcpConnect('127.0.0.1', port), 'ECONNREFUSED', 'the port is closed with the browser');
  else assert.deepEqual((await waitForNoneMarked(windowMark(win), 3000)).left, [], 'the browser is gone');
});

