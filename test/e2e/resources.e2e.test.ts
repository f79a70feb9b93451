// Window.resources (css with remove/modify, js with remove) and the onLoad option: applied to
// the page there now and to every later load, top-level frame only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINE, sharedBrowser, waitFor } from './helpers.js';

/** These tests look at pages, not at how a browser starts or ends: their windows share one browser. */
const open = sharedBrowser();

const h1Color = 'getComputedStyle(document.querySelector("h1")).color';
const resourceStyles = 'document.querySelectorAll("style[data-gluon-resource]").length';

test(`resources.css applies now and on every load; modify and remove do too (${ENGINE})`, async () => {
  const win = await open('app');
  try {
    await win.page.loaded;
    await waitFor(win, `${h1Color} === 'rgb(1, 2, 3)'`); // the app's own style.css
    const css = await win.resources.css('h1 { color: rgb(10, 20, 30) !important; }');
    assert.equal(await win.page.eval(h1Color), 'rgb(10, 20, 30)', 'applied to the page already there');
    await win.page.reload();
    await waitFor(win, `${h1Color} === 'rgb(10, 20, 30)'`);
    assert.equal(await win.page.eval(resourceStyles), 1);

    await css.modify('h1 { color: rgb(40, 50, 60) !important; }');
    assert.equal(await win.page.eval(h1Color), 'rgb(40, 50, 60)', 'modified in the page');
    await win.page.reload();
    await waitFor(win, `${h1Color} === 'rgb(40, 50, 60)'`);
    assert.equal(await win.page.eval(resourceStyles), 1, 'one style element, not one per version');

    await css.remove();
    await waitFor(win, `${h1Color} === 'rgb(1, 2, 3)'`);
    await win.page.reload();
    await waitFor(win, `document.readyState === 'complete'`);
    assert.equal(await win.page.eval(h1Color), 'rgb(1, 2, 3)', 'gone from later loads');
    assert.equal(await win.page.eval(resourceStyles), 0);
    await assert.rejects(css.modify('h1 {}'), /removed/);
    await assert.rejects(win.resources.css(42 as any), TypeError);
  } finally {
    await win.close();
  }
});

test(`resources.js runs now and after every load, as a string or a function, until removed; not in iframes (${ENGINE})`, async () => {
  const win = await open('app');
  try {
    // Added at once, while the first document is on its way: it must still run once in it.
    const counter = await win.resources.js('window.runs = (window.runs ?? 0) + 1; window.sawGluon = typeof Gluon === "object";');
    await win.page.loaded;
    await waitFor(win, 'window.runs === 1');
    const fn = await win.resources.js(() => {
      (window as any).fromFunction = document.querySelector('h1')?.textContent;
    });
    assert.equal(await win.page.eval('window.runs'), 1);
    assert.equal(await win.page.eval('window.sawGluon'), true);
    assert.equal(await win.page.eval('window.fromFunction'), 'Fixture app');
    await win.page.reload();
    await waitFor(win, 'window.runs === 1 && window.fromFunction === "Fixture app"');

    await counter.remove();
    await win.page.reload();
    await waitFor(win, 'window.fromFunction === "Fixture app"');
    assert.equal(await win.page.eval('window.runs'), undefined, 'a removed script no longer runs');

    // A page with a same-origin iframe: the code runs in the top frame only.
    const mark = await win.resources.js('window.marked = true;');
    await win.page.eval('location.href = "/frames.html"');
    await waitFor(win, 'document.title === "Frames" && document.querySelector("#same").contentDocument?.readyState === "complete"', 10_000);
    await waitFor(win, 'window.marked === true');
    assert.equal(await win.page.eval('document.querySelector("#same").contentWindow.marked'), undefined);
    await mark.remove();
    await fn.remove();
  } finally {
    await win.close();
  }
});

test(`open's onLoad runs in the page after each load, with window.Gluon there (${ENGINE})`, async () => {
  const win = await open('app', {
    onLoad: () => {
      (window as any).onLoadRuns = ((window as any).onLoadRuns ?? 0) + 1;
      (window as any).onLoadSaw = { title: document.title, gluon: typeof (window as any).Gluon === 'object' };
    },
  });
  try {
    await win.page.loaded;
    await waitFor(win, 'window.onLoadRuns === 1');
    assert.deepEqual(await win.page.eval('window.onLoadSaw'), { title: 'Fixture app', gluon: true });
    await win.page.reload();
    await waitFor(win, 'window.onLoadRuns === 1 && window.onLoadSaw.title === "Fixture app"');
  } finally {
    await win.close();
  }
  const withString = await open('app', { onLoad: 'window.onLoadString = document.title;' });
  try {
    await waitFor(withString, 'window.onLoadString === "Fixture app"');
  } finally {
    await withString.close();
  }
  await assert.rejects(open('app', { onLoad: 42 as any }), /onLoad.*expected a string or a function/);
});
