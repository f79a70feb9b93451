// The layer check that `npm run lint` runs (scripts/check-layers.js): it passes on this tree,
// fails on a copy of it with one bad import (naming the file, the import, the rule and what to do
// instead), and each rule bites on a small tree of its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const script = join(root, 'scripts', 'check-layers.js');

interface Violation {
  file: string;
  line: number;
  specifier: string;
  rule: { name: string };
}
interface Checker {
  checkLayers(root: string): { files: number; imports: number; violations: Violation[] };
  describe(violation: Violation): string;
}
const checker: Checker = await import(pathToFileURL(script).href);

/** A tree of `files` (path -> text) in a temporary folder; removed after `use`. */
function withTree<T>(files: Record<string, string>, use: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'gluon-layers-'));
  try {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    return use(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The rules `text`, as the file `path`, breaks: `rule@line`. */
function broken(path: string, text: string): string[] {
  return withTree({ [path]: text }, (dir) => checker.checkLayers(dir).violations.map((v) => `${v.rule.name}@${v.line}`));
}

test('this tree keeps every layer rule', () => {
  const { files, imports, violations } = checker.checkLayers(root);
  assert.deepEqual(violations.map(checker.describe), []);
  assert.ok(files > 30 && imports > 100, `read ${files} files, ${imports} imports`);
});

test('a window file importing an engine folder fails the check: file, import, rule and what to do instead', async () => {
  const copy = mkdtempSync(join(tmpdir(), 'gluon-layers-'));
  try {
    cpSync(join(root, 'src'), join(copy, 'src'), { recursive: true });
    writeFileSync(join(copy, 'src', 'window', 'bad-import.ts'), `// a shortcut past the neutral layer\nimport { CdpConnection } from '../engine/chromium/cdp.js';\nexport const connection = CdpConnection;\n`);
    const run = await promisify(execFile)(process.execPath, [script, copy]).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );
    assert.equal(run.code, 1, 'the check exits with 1');
    assert.match(run.stderr, /^src\/window\/bad-import\.ts:2 imports '\.\.\/engine\/chromium\/cdp\.js' \(src\/engine\/chromium\/cdp\.ts\): breaks layer rule "engine-folders-private": /m);
    assert.match(run.stderr, /Instead: import the neutral module in src\/engine\//);
    assert.match(run.stderr, /layers: 1 import\(s\) break the rules/);
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
});

test('each rule bites, by folder', () => {
  // Protocol packages, code or types, only in an engine's folder.
  assert.deepEqual(broken('src/window/w.ts', `import type { Protocol } from 'devtools-protocol';`), ['protocol-in-engine-folders@1']);
  assert.deepEqual(broken('src/window/w.ts', `type M = typeof import('devtools-protocol/types/protocol-mapping.js');`), ['protocol-in-engine-folders@1']);
  assert.deepEqual(broken('src/engine/page.ts', `import type * as Bidi from 'webdriver-bidi-protocol';`), ['protocol-in-engine-folders@1']);
  assert.deepEqual(broken('src/engine/firefox/delegate.ts', `import type * as Bidi from 'webdriver-bidi-protocol';\nimport type { Page } from '../page.js';`), []);
  // Engine folders: private to src/engine/, and apart from each other.
  assert.deepEqual(broken('src/window/w.ts', `export { launchChromium } from '../engine/chromium/engine.js';`), ['engine-folders-private@1']);
  assert.deepEqual(broken('src/window/w.ts', `import type { Page } from '../engine/page.js';`), []);
  assert.deepEqual(broken('src/engine/launch.ts', `const { launchFirefox } = await import('./firefox/engine.js');`), []);
  assert.deepEqual(broken('src/engine/firefox/x.ts', `import { CdpSession } from '../chromium/connection.js';`), ['engines-apart@1']);
  // ipc/ at the bottom, bundled into the page too.
  assert.deepEqual(broken('src/ipc/x.ts', `import { wire } from './wire.js';\nimport type { PageIpc } from '../types/ipc.js';\nimport { eventOrTimeout } from '../wait.js';\nimport { stringify } from 'devalue';`), []);
  assert.deepEqual(broken('src/ipc/x.ts', `\n\nimport { logger } from '../log.js';`), ['ipc-at-the-bottom@3']);
  assert.deepEqual(broken('src/ipc/x.ts', `import { readFileSync } from 'node:fs';\nimport { EventEmitter } from 'events';`), ['ipc-at-the-bottom@1', 'ipc-at-the-bottom@2']);
  assert.deepEqual(broken('src/ipc/x.ts', `import type { Window } from '../window/window.js';`), ['ipc-at-the-bottom@1', 'window-is-the-api@1']);
  // The page bootstrap: only ipc/ and itself.
  assert.deepEqual(broken('src/page/bootstrap.ts', `import { Endpoint } from '../ipc/endpoint.js';\nimport { x } from './x.js';`), []);
  assert.deepEqual(broken('src/page/bootstrap.ts', `import { APP_ORIGIN } from '../window/open.js';`), ['page-bootstrap-alone@1', 'window-is-the-api@1']);
  // The CLI through seams; nothing imports the CLI.
  assert.deepEqual(broken('src/cli/x.ts', `import { packageVersion } from '../assets.js';\nimport { RELOAD_MESSAGE } from '../dev-reload.js';\nimport { open } from '../index.js';\nimport { surveyBrowsers } from '../browser/find.js';`), []);
  assert.deepEqual(broken('src/cli/x.ts', `import { packageVersion } from '../window/assets.js';`), ['cli-through-seams@1']);
  assert.deepEqual(broken('src/cli/x.ts', `const launch = await import('../engine/launch.js');`), ['cli-through-seams@1']);
  assert.deepEqual(broken('src/window/w.ts', `import { RELOAD } from '../cli/dev.js';`), ['cli-on-top@1']);
  // desktop/ (one instance, app events) works without a window or a browser.
  assert.deepEqual(broken('src/desktop/x.ts', `import { logger } from '../log.js';\nimport { on } from './app-events.js';\nimport { createServer } from 'node:net';`), []);
  assert.deepEqual(broken('src/desktop/x.ts', `import type { Page } from '../engine/page.js';\nimport { findBrowser } from '../browser/find.js';`), ['desktop-below-the-window@1', 'desktop-below-the-window@2']);
  assert.deepEqual(broken('src/desktop/x.ts', `import { open } from '../window/open.js';`), ['window-is-the-api@1', 'desktop-below-the-window@1']);
  // Comments and strings are not imports.
  assert.deepEqual(broken('src/window/w.ts', `// import x from '../engine/chromium/cdp.js';\nconst s = "import x from '../cli/dev.js'";`), []);
});
