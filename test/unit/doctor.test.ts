// `gluon-ts doctor` on machines faked through find.ts's injectable file checks: one with no
// browser at all, one with only a Firefox. The real machine is covered by cli.e2e.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { surveyBrowsers } from '../../src/browser/find.js';
import { doctorReport, doctorText } from '../../src/cli/doctor.js';

const linux = { platform: 'linux' as const, homedir: '/home/ada', argv: [] as string[] };

test('doctor on a machine with no browser: none found, where each was looked for, how to install one of each engine', async () => {
  const survey = await surveyBrowsers({ ...linux, env: { PATH: '/usr/bin:/bin' }, exists: async () => false });
  const text = doctorText(survey, survey.browsers.map(() => undefined));
  assert.match(text, /Browsers found: none\./);
  assert.match(text, /An app cannot open: No supported browser found/);
  assert.match(text, /Not found \(\d+\): Chrome, Chromium, Edge, .*Firefox/);
  assert.match(text, /Looked on PATH; at known install paths; as flatpak apps/);
  assert.match(text, /Missing: no Chromium-family browser .*\n  Debian\/Ubuntu: sudo apt-get install chromium/);
  assert.match(text, /Missing: no Firefox-family browser, .*\n  Debian\/Ubuntu: sudo apt-get install firefox-esr/);
  const report = doctorReport(survey, []);
  assert.deepEqual(report.browsers, []);
  assert.deepEqual(report.missingEngines, ['chromium', 'firefox']);
  assert.equal(report.default, null);
  assert.ok(report.notFound.every((b) => b.searched.some((line) => line.includes('/usr/bin') || line.startsWith('on PATH'))));
});

test('doctor on a machine with only Firefox ESR: it is listed with its version and chosen; Chromium is missing', async () => {
  const path = '/usr/bin/firefox-esr';
  const survey = await surveyBrowsers({ ...linux, env: { PATH: '/usr/bin' }, exists: async (candidate) => candidate === path });
  const versions = survey.browsers.map((b) => (b.path ? 'Mozilla Firefox 153.7.0esr' : undefined));
  const text = doctorText(survey, versions);
  assert.match(text, /Browsers found \(1\):\n  Firefox ESR  firefox  Mozilla Firefox 153\.7\.0esr  \/usr\/bin\/firefox-esr/);
  assert.match(text, /An app opens in: Firefox ESR \(\/usr\/bin\/firefox-esr\)/);
  assert.match(text, /Missing: no Chromium-family browser/);
  assert.doesNotMatch(text, /Missing: no Firefox-family/);
  assert.deepEqual(doctorReport(survey, versions).missingEngines, ['chromium']);
});
