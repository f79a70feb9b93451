// A Gluon-style local app reached at Gluon's URLs: the entry at `/`, an extension-less link as
// name.html, a folder's link as its index.html, and a 404 for what is not there.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINE, linkCompatApps, runCompatApp } from './helpers.js';

before(linkCompatApps);

test(`Gluon-style app: the entry at /, <a href="about"> as about.html, a folder as its index.html (${ENGINE})`, async () => {
  const report = await runCompatApp('local-urls');
  assert.deepEqual(report.arrivals, [
    { path: '/', title: 'Home' },
    { path: '/about', title: 'About' },
    { path: '/docs', title: 'Docs' },
  ]);
  assert.equal(report.missing, 404);
});
