// Window.cdp: raw protocol commands and events (CDP on Chromium, BiDi on Firefox).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINE, openFixture, sleep, until } from './helpers.js';

/** The console event of each engine's protocol, and the logged text it carries. */
const CONSOLE_EVENT = ENGINE === 'chromium' ? 'Runtime.consoleAPICalled' : 'log.entryAdded';
const textOf = (message: any): string =>
  ENGINE === 'chromium' ? String(message.params?.args?.[0]?.value) : String(message.params?.text);

test(`cdp.on hooks protocol events; once and unhook work; a throwing handler is reported, not fatal (${ENGINE})`, async () => {
  const win = await openFixture('app');
  try {
    await win.page.loaded;
    // BiDi sends only the events a session subscribed to.
    if (ENGINE === 'firefox') await win.cdp.send('session.subscribe', { events: [CONSOLE_EVENT] });
    const marked = (list: any[]) => list.map(textOf).filter((text) => text.startsWith('mark '));
    const all: any[] = [];
    const first: any[] = [];
    const unhook = win.cdp.on(CONSOLE_EVENT, (message) => all.push(message));
    win.cdp.on(CONSOLE_EVENT, (message) => first.push(message), true);
    await win.page.eval('console.log("mark one"); console.log("mark two")');
    await until(() => marked(all).length >= 2, 'two console events');
    assert.deepEqual(marked(all), ['mark one', 'mark two']);
    assert.equal(all[0].method, CONSOLE_EVENT);
    assert.deepEqual(marked(first), ['mark one'], 'once: the first event only');

    unhook();
    const warned = new Promise<Error>((resolve) => process.once('warning', resolve));
    const unhookThrowing = win.cdp.on(CONSOLE_EVENT, () => {
      throw new Error('handler bug');
    });
    await win.page.eval('console.log("mark three")');
    const warning = await warned;
    assert.match(warning.message, /cdp\.on\('.+'\) handler threw: Error: handler bug/);
    await sleep(200);
    assert.deepEqual(marked(all), ['mark one', 'mark two'], 'an unhooked handler hears nothing more');
    unhookThrowing();
    win.ipc.ping = () => 'pong';
    assert.equal(await win.page.eval('Gluon.ipc.ping()'), 'pong', 'the window still works');
    assert.throws(() => win.cdp.on(42 as any, () => {}), TypeError);
  } finally {
    await win.close();
  }
});
