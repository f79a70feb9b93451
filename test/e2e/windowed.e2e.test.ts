// A real app window (not headless) under a virtual X display: it opens, has no browser
// chrome (tab strip, address bar) above the page, and the IPC is there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fixture } from './helpers.js';

const hasXvfb = spawnSync('sh', ['-c', 'command -v xvfb-run'], { stdio: 'ignore' }).status === 0;

/** Runs a fixture app under a virtual display, not headless; its last output line, as JSON. */
function runWindowed(name: string, timeout: number): any {
  const env = { ...process.env };
  delete env.GLUON_HEADLESS;
  const result = spawnSync('xvfb-run', ['-a', '-s', '-screen 0 1280x800x24', process.execPath, fixture(name)], { env, encoding: 'utf8', timeout });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}');
}

test('a windowed app opens chrome-less under Xvfb at the asked size', { skip: !hasXvfb && 'xvfb-run is not installed (apt-get install xvfb)' }, () => {
  const geometry = runWindowed('windowed.mjs', 60000);
  assert.equal(geometry.hasGluon, true);
  assert.doesNotMatch(geometry.ua, /Headless/, 'a real, not headless, browser');
  assert.equal(geometry.outerWidth, 800);
  assert.equal(geometry.outerHeight, 600);
  assert.ok(geometry.outerHeight - geometry.innerHeight < 40, `no tab strip or address bar: ${geometry.outerHeight - geometry.innerHeight}px above the page`);
  assert.ok(geometry.pngBytes > 1000, 'the window rendered');
});

test('a second window of the app opens in the same browser, chrome-less too, at its own size', { skip: !hasXvfb && 'xvfb-run is not installed (apt-get install xvfb)' }, () => {
  const report = runWindowed('windowed-two.mjs', 90000);
  assert.equal(report.samePid, true);
  for (const name of ['first', 'second'] as const) {
    const g = report[name];
    assert.equal(g.hasGluon, true, name);
    assert.ok(g.outerHeight - g.innerHeight < 40, `${name}: no tab strip or address bar: ${g.outerHeight - g.innerHeight}px above the page`);
  }
  assert.deepEqual([report.second.outerWidth, report.second.outerHeight], [500, 400]);
});
