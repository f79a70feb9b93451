// Tests for src/local/serve.ts: resolving open() targets and serving a folder safely,
// against a real temporary folder (with symlinks in and out of it).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServedResponse } from '../../src/engine/types.js';
import { DEFAULT_CSP, createFolderServer, resolveLocalTarget } from '../../src/local/serve.js';

const ORIGIN = 'https://app.gluon.invalid';
const SECRET = 'TOP-SECRET-do-not-serve-7f3a';
const UNICODE_NAME = 'hé llo 世界.txt';

let tmp: string; // holds root/ and secret.txt
let root: string;
let secretPath: string;
let binary: Buffer;
let symlinksOk = true;
const logLines: string[] = [];
let serve: ReturnType<typeof createFolderServer>;

before(async () => {
  tmp = await realpath(await mkdtemp(join(tmpdir(), 'gluon-local-test-')));
  root = join(tmp, 'root');
  secretPath = join(tmp, 'secret.txt');
  binary = randomBytes(64 * 1024);
  await mkdir(join(root, 'nested'), { recursive: true });
  await mkdir(join(root, 'noindex'));
  await writeFile(join(root, 'index.html'), '<!doctype html><title>root</title>');
  await writeFile(join(root, 'nested', 'index.html'), '<!doctype html><title>nested</title>');
  await writeFile(join(root, 'app.js'), 'console.log("app");');
  await writeFile(join(root, 'style.css'), 'body { margin: 0 }');
  await writeFile(join(root, 'blob.wasm'), binary);
  await writeFile(join(root, 'image.png'), binary.subarray(0, 1000));
  await writeFile(join(root, UNICODE_NAME), 'unicode ok');
  await writeFile(join(root, 'noindex', 'readme.txt'), 'no index here');
  await writeFile(secretPath, SECRET);
  try {
    await symlink(secretPath, join(root, 'out-link.txt'));
    await symlink(tmp, join(root, 'out-dir'), 'dir');
    await symlink(join(root, 'app.js'), join(root, 'in-link.js'));
    await symlink(join(root, 'nested'), join(root, 'in-dir'), 'dir');
  } catch {
    symlinksOk = false; // e.g. Windows without the symlink privilege
  }
  serve = createFolderServer(root, { csp: DEFAULT_CSP, log: (l) => logLines.push(l) });
});

after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

function get(rawPath: string, method = 'GET', handler = serve): Promise<ServedResponse> {
  return handler({ method, url: ORIGIN + rawPath, headers: {} });
}

const text = (res: ServedResponse): string => Buffer.from(res.body).toString('utf8');

describe('createFolderServer: serving', () => {
  test('/ serves index.html with HTML type, CSP and the common headers', async () => {
    const res = await get('/');
    assert.equal(res.status, 200);
    assert.equal(text(res), '<!doctype html><title>root</title>');
    assert.equal(res.headers['Content-Type'], 'text/html; charset=utf-8');
    assert.equal(res.headers['Content-Length'], String(res.body.length));
    assert.equal(res.headers['Cache-Control'], 'no-cache');
    assert.equal(res.headers['X-Content-Type-Options'], 'nosniff');
    assert.equal(res.headers['Content-Security-Policy'], DEFAULT_CSP);
  });

  test("Gluon's URLs: an extension-less name is name.html, before name/index.html; the checks hold", async () => {
    await writeFile(join(root, 'about.html'), '<!doctype html><title>about</title>');
    await writeFile(join(root, 'nested.html'), '<!doctype html><title>nested page</title>');
    await writeFile(join(root, 'nested', 'deep.html'), '<!doctype html><title>deep</title>');
    await writeFile(join(root, 'LICENSE'), 'a file with no extension');
    await writeFile(join(tmp, 'outside.html'), SECRET);
    try {
      const cases: [string, number, string?][] = [
        ['/about', 200, '<!doctype html><title>about</title>'],
        ['/about?x=1#top', 200, '<!doctype html><title>about</title>'],
        ['/nested', 200, '<!doctype html><title>nested page</title>'], // x.html before x/index.html
        ['/nested/', 200, '<!doctype html><title>nested</title>'], // a folder's URL stays the folder's
        ['/nested/deep', 200, '<!doctype html><title>deep</title>'],
        ['/LICENSE', 200, 'a file with no extension'], // an existing file is itself
        ['/missing', 404],
        ['/about.txt', 404], // only extension-less names get .html
        ['/../outside', 404], // the URL parser keeps it in the root: no outside.html
        ['/%2e%2e/outside', 404], // likewise
        ['/..%2foutside', 403],
      ];
      if (symlinksOk) {
        await symlink(join(tmp, 'outside.html'), join(root, 'escape.html'));
        cases.push(['/escape', 404], ['/escape.html', 403]); // a link out of the folder is never followed
      }
      for (const [path, status, body] of cases) {
        const res = await get(path);
        assert.equal(res.status, status, path);
        if (body !== undefined) assert.equal(text(res), body, path);
        assert.ok(!text(res).includes(SECRET), path);
      }
      assert.equal((await get('/about')).headers['Content-Type'], 'text/html; charset=utf-8');
      assert.equal((await get('/about')).headers['Content-Security-Policy'], DEFAULT_CSP);
    } finally {
      for (const file of ['about.html', 'nested.html', 'nested/deep.html', 'LICENSE', 'escape.html']) await rm(join(root, file), { force: true });
      await rm(join(tmp, 'outside.html'), { force: true });
    }
  });

  test('/index.html and a nested folder (with or without trailing slash)', async () => {
    assert.equal(text(await get('/index.html')), '<!doctype html><title>root</title>');
    for (const p of ['/nested/', '/nested', '/nested/index.html']) {
      const res = await get(p);
      assert.equal(res.status, 200, p);
      assert.equal(text(res), '<!doctype html><title>nested</title>', p);
      assert.equal(res.headers['Content-Type'], 'text/html; charset=utf-8', p);
    }
  });

  test('MIME types, and CSP only on HTML', async () => {
    const js = await get('/app.js');
    assert.equal(js.status, 200);
    assert.equal(js.headers['Content-Type'], 'text/javascript; charset=utf-8');
    assert.equal(js.headers['Content-Security-Policy'], undefined);
    const css = await get('/style.css');
    assert.equal(css.headers['Content-Type'], 'text/css; charset=utf-8');
    assert.equal(css.headers['Content-Security-Policy'], undefined);
    const png = await get('/image.png');
    assert.equal(png.headers['Content-Type'], 'image/png');
    assert.equal(png.headers['Content-Security-Policy'], undefined);
    assert.equal((await get('/blob.wasm')).headers['Content-Type'], 'application/wasm');
  });

  test('binary files are byte-exact', async () => {
    const res = await get('/blob.wasm');
    assert.equal(res.status, 200);
    assert.equal(Buffer.compare(Buffer.from(res.body), binary), 0);
    assert.equal(res.headers['Content-Length'], String(binary.length));
    const png = await get('/image.png');
    assert.equal(Buffer.compare(Buffer.from(png.body), binary.subarray(0, 1000)), 0);
  });

  test('a name with a space and unicode, percent-encoded', async () => {
    const res = await get('/' + encodeURIComponent(UNICODE_NAME));
    assert.equal(res.status, 200);
    assert.equal(text(res), 'unicode ok');
    assert.equal(res.headers['Content-Type'], 'text/plain; charset=utf-8');
  });

  test('query and hash are ignored', async () => {
    const res = await get('/app.js?v=2&x=%2e%2e#frag/../x');
    assert.equal(res.status, 200);
    assert.equal(text(res), 'console.log("app");');
  });

  test('csp "" sends no Content-Security-Policy', async () => {
    const noCsp = createFolderServer(root, { csp: '' });
    const res = await get('/', 'GET', noCsp);
    assert.equal(res.status, 200);
    assert.equal(res.headers['Content-Security-Policy'], undefined);
    const custom = createFolderServer(root, { csp: "default-src 'none'" });
    assert.equal((await get('/', 'GET', custom)).headers['Content-Security-Policy'], "default-src 'none'");
  });

  test('missing files and folders without index.html -> 404 with a small text body', async () => {
    for (const p of ['/nope.html', '/nested/nope.js', '/noindex/', '/app.js/', '/app.js/x']) {
      const res = await get(p);
      assert.equal(res.status, 404, p);
      assert.match(res.headers['Content-Type'] ?? '', /^text\/plain/, p);
      assert.ok(res.body.length > 0 && res.body.length < 100, p);
    }
  });

  test('methods other than GET/HEAD -> 405 with Allow', async () => {
    for (const m of ['POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']) {
      const res = await get('/index.html', m);
      assert.equal(res.status, 405, m);
      assert.equal(res.headers['Allow'], 'GET, HEAD', m);
    }
  });

  test('HEAD: same headers as GET, empty body', async () => {
    const g = await get('/blob.wasm');
    const h = await get('/blob.wasm', 'HEAD');
    assert.equal(h.status, 200);
    assert.deepEqual(h.headers, g.headers);
    assert.equal(h.body.length, 0);
    const h404 = await get('/nope', 'HEAD');
    assert.equal(h404.status, 404);
    assert.equal(h404.body.length, 0);
    const hHtml = await get('/', 'HEAD');
    assert.equal(hHtml.headers['Content-Security-Policy'], DEFAULT_CSP);
  });

  test('symlinks that stay inside the root are served', { skip: !symlinksOk && 'no symlinks' }, async () => {
    const res = await get('/in-link.js');
    assert.equal(res.status, 200);
    assert.equal(text(res), 'console.log("app");');
    const dir = await get('/in-dir/');
    assert.equal(dir.status, 200);
    assert.equal(text(dir), '<!doctype html><title>nested</title>');
  });

  test('a FIFO inside the root is refused, not read (it would block)', async (t) => {
    try {
      execFileSync('mkfifo', [join(root, 'pipe.txt')], { stdio: 'ignore' });
    } catch {
      t.skip('no mkfifo here');
      return;
    }
    const res = await get('/pipe.txt');
    assert.equal(res.status, 404);
  });

  test('log hook gets one line per request', async () => {
    logLines.length = 0;
    await get('/app.js');
    await get('/nope');
    assert.deepEqual(logLines, ['GET /app.js -> 200 (19 B)', 'GET /nope -> 404 (10 B)']);
  });

  test('an unparsable url or a vanished root gives an error response, not a throw', async () => {
    const bad = await serve({ method: 'GET', url: 'not a url', headers: {} });
    assert.equal(bad.status, 400);
    const gone = createFolderServer(join(tmp, 'does-not-exist'), { csp: '' });
    const res = await get('/index.html', 'GET', gone);
    assert.ok(res.status >= 400, String(res.status));
  });
});

describe('createFolderServer: escape attempts', () => {
  const attempts = (): string[] => {
    const list = [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/%2E%2E%2Fsecret.txt',
      '/..%2fsecret.txt',
      '/..%2Fsecret.txt',
      '/%252e%252e/secret.txt',
      '/%252e%252e%252fsecret.txt',
      '/..\\secret.txt',
      '/%5c..%5csecret.txt',
      '/nested/..%5c..%5csecret.txt',
      '/foo%00.html',
      '/index.html%00.js',
      '/%E0%A4%A', // broken percent-encoding
      '/%ff',
      '//etc/passwd',
      '//' + secretPath.replace(/^[/\\]+/, '').replaceAll('\\', '/'),
      '/C:/Windows/win.ini',
      '/c:%5cWindows%5cwin.ini',
      // the secret's absolute path, raw and encoded into the URL path
      '/' + secretPath.replace(/^[/\\]+/, '').replaceAll('\\', '/'),
      '/' + encodeURIComponent(secretPath),
      '/' + encodeURIComponent(encodeURIComponent(secretPath)),
      '/nested/../../secret.txt',
      '/' + 'a'.repeat(5000),
      '/' + '..%2f'.repeat(1000) + 'secret.txt',
    ];
    if (symlinksOk) list.push('/out-link.txt', '/out-dir/secret.txt', '/out-dir/');
    return list;
  };

  test('every attempt gets 403/404/414 and none of the secret', async () => {
    for (const p of attempts()) {
      for (const method of ['GET', 'HEAD']) {
        const res = await get(p, method);
        const label = `${method} ${p.slice(0, 80)}`;
        assert.ok([403, 404, 414].includes(res.status), `${label} -> ${res.status}`);
        assert.equal(Buffer.from(res.body).includes(SECRET), false, label);
        assert.ok(!text(res).includes(tmp), `${label} leaks a local path`);
      }
    }
  });

  test('specific statuses', async () => {
    const expect: Array<[string, number]> = [
      ['/%2E%2E%2Fsecret.txt', 403],
      ['/..%2fsecret.txt', 403],
      ['/%5c..%5csecret.txt', 403],
      ['/foo%00.html', 403],
      ['/%ff', 403],
      ['//etc/passwd', 403],
      ['/C:/Windows/win.ini', 403],
      ['/' + encodeURIComponent(secretPath), 403],
      ['/' + 'a'.repeat(5000), 414],
      // normalized by the URL parser to /secret.txt, which is not in the root
      ['/../secret.txt', 404],
      ['/%2e%2e/secret.txt', 404],
      ['/..\\secret.txt', 404],
      // decoded once only: a literal `%2e%2e` folder, which does not exist
      ['/%252e%252e/secret.txt', 404],
    ];
    if (symlinksOk) expect.push(['/out-link.txt', 403], ['/out-dir/secret.txt', 403]);
    for (const [p, status] of expect) assert.equal((await get(p)).status, status, p.slice(0, 80));
  });
});

describe('resolveLocalTarget', () => {
  test('a folder (relative or absolute) -> its real path, started at / with index.html', async () => {
    const index = { root, entryPath: '/', entry: 'index.html' };
    assert.deepEqual(await resolveLocalTarget('root', tmp), index);
    assert.deepEqual(await resolveLocalTarget(root, '/elsewhere'), index);
    assert.deepEqual(await resolveLocalTarget('root/nested/', tmp), { ...index, root: join(root, 'nested') });
  });

  test('a file -> its folder, started at / with that file as entry', async () => {
    assert.deepEqual(await resolveLocalTarget('root/app.js', tmp), { root, entryPath: '/', entry: 'app.js' });
    const r = await resolveLocalTarget(join(root, UNICODE_NAME), tmp);
    assert.equal(r.root, root);
    assert.equal(r.entry, UNICODE_NAME);
    // a server given that entry answers / with it, and the file's own URL still works
    const entryServer = createFolderServer(r.root, { csp: DEFAULT_CSP, entry: r.entry });
    assert.equal(text(await get(r.entryPath, 'GET', entryServer)), 'unicode ok');
    assert.equal(text(await get('/' + encodeURIComponent(UNICODE_NAME), 'GET', entryServer)), 'unicode ok');
    assert.equal(text(await get('/index.html', 'GET', entryServer)), '<!doctype html><title>root</title>');
  });

  test('a missing target: says what was looked for, relative to what, and what to pass', async () => {
    await assert.rejects(resolveLocalTarget('ui', root), (err: Error) => {
      assert.ok(err.message.includes(join(root, 'ui')), err.message);
      assert.ok(err.message.includes(`relative to ${root}`), err.message);
      assert.match(err.message, /relative to the calling module/);
      assert.match(err.message, /absolute path/);
      return true;
    });
  });

  test('a folder without index.html: names the folder and the fix', async () => {
    await assert.rejects(resolveLocalTarget('noindex', root), (err: Error) => {
      assert.ok(err.message.includes(join(root, 'noindex')), err.message);
      assert.match(err.message, /index\.html/);
      assert.match(err.message, /path of the HTML file/);
      return true;
    });
  });
});
