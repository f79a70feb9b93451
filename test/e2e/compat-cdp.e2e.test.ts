// A Gluon-style app that drives its window with Window.cdp (compat/cdp), run through the npm alias:
// the same CDP calls work on Chromium (passed through) and Firefox (translated to WebDriver BiDi).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ENGINE, linkCompatApps, repoRoot, runCompatApp } from './helpers.js';

before(linkCompatApps);

test(`Gluon-style app: Browser.getVersion, Runtime.evaluate, Input.dispatchMouseEvent, Page.captureScreenshot over Window.cdp (${ENGINE})`, async () => {
  const source = await readFile(join(repoRoot, 'compat', 'cdp', 'index.js'), 'utf8');
  assert.match(source, /^import \* as Gluon from '@gluon-framework\/gluon';$/m);
  assert.doesNotMatch(source, /gluon-ts|\bbidi\b/, 'a Gluon app: CDP only, nothing of ours');
  const report = await runCompatApp('cdp');
  assert.match(report.product, ENGINE === 'chromium' ? /^(Headless)?Chrome\// : /^Firefox\//);
  assert.equal(report.version, report.backend.product);
  assert.match(report.userAgent, /^Mozilla\/5\.0 /);
  assert.equal(report.title, 'CDP app');
  assert.equal(report.count, 2, 'both clicks reached the button');
  assert.match(report.failure, /^ReferenceError: missingFunction is not defined/);
  assert.equal(report.screenshot.png, 'PNG');
  assert.deepEqual([report.screenshot.width, report.screenshot.height], report.viewport);
});
