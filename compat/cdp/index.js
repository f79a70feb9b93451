// An app that drives its own window over the Chrome DevTools Protocol, as Gluon apps do with
// Window.cdp: it asks the browser what it is, reads the page with Runtime.evaluate, clicks a
// button with Input.dispatchMouseEvent, and takes a screenshot of the result.
import * as Gluon from '@gluon-framework/gluon';

const Window = await Gluon.open('page/index.html', { windowSize: [640, 360] });

// A page value by value, the way Gluon's own page.eval reads Runtime.evaluate's reply.
const evaluate = async (expression) => {
  const reply = await Window.cdp.send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true });
  if (reply.exceptionDetails) throw new Error(reply.result?.description ?? reply.exceptionDetails.text);
  return reply.result.value;
};

const click = async (x, y) => {
  await Window.cdp.send('Input.dispatchMouseEvent', { type: 'mousePressed', x, y, button: 'left', clickCount: 1 });
  await Window.cdp.send('Input.dispatchMouseEvent', { type: 'mouseReleased', x, y, button: 'left', clickCount: 1 });
};

await Window.page.loaded;
const browser = await Window.cdp.send('Browser.getVersion');
const title = await evaluate('document.title');
await click(60, 120);
await click(60, 120);
const count = await evaluate('new Promise((resolve) => setTimeout(() => resolve(Number(document.getElementById("count").textContent)), 50))');
let failure = '';
try {
  await evaluate('missingFunction()');
} catch (error) {
  failure = String(error.message).split('\n')[0];
}
const { data } = await Window.cdp.send('Page.captureScreenshot', { format: 'png' });
const png = Buffer.from(data, 'base64');

if (process.env.COMPAT_REPORT) {
  console.log(JSON.stringify({
    product: browser.product,
    version: browser.product.split('/')[1],
    userAgent: browser.userAgent,
    title,
    count,
    failure,
    screenshot: { png: png.subarray(1, 4).toString('latin1'), width: png.readUInt32BE(16), height: png.readUInt32BE(20) },
    viewport: await evaluate('[innerWidth, innerHeight]'),
    backend: { product: Window.versions.product.version },
  }));
  Window.close();
}
