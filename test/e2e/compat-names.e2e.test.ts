// Issue G item 6, as a Gluon app meets it: an app may expose any name but Gluon's own API
// (page, with, expose... included) and the page calls it through Gluon.ipc; gluon-ts's additions
// sit beside ipc (Window.ipcPage, Window.ipcWith, Gluon.ipcExpose, Gluon.ipcWith) and work in the
// same run. The app (compat/names) imports '@gluon-framework/gluon' only.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINE, linkCompatApps, runCompatApp } from './helpers.js';

before(linkCompatApps);

test(`Gluon-style app: functions named page, with, expose and others are the app's, both ways (${ENGINE})`, async () => {
  const report = await runCompatApp('names');
  assert.deepEqual(report.fromPage, {
    page: 'page 2',
    with: { with: 2 },
    once: 'once',
    off: 'off',
    emit: 'emitted 2',
    ipcPage: 'an app function named ipcPage',
    ipcWith: 'an app function named ipcWith',
    expose: 'exposed 2',
    unexpose: 'unexposed',
    ipcWithPage: 'page 3',
    sendIsTheEventApi: null,
  });
  assert.equal(report.backendReadsBack, 'function');
  assert.deepEqual(report.toPage, {
    send: "the page's send got hi",
    with: "the page's with",
    store: "the page's store",
    timed: "the page's with",
    sendWithOptions: 2,
  });
});
