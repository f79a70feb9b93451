// open(''): the window shows this app's own folder (its index.html), as in Gluon.
import * as Gluon from '@gluon-framework/gluon';

const Window = await Gluon.open('', { windowSize: [480, 320] });
await Window.page.loaded;
const shown = await Window.page.eval(`(async () => ({
  title: document.title,
  heading: document.querySelector('h1')?.textContent,
  sibling: await (await fetch('greeting.txt')).text(),
}))()`);

if (process.env.COMPAT_REPORT) {
  console.log(JSON.stringify(shown));
  await Window.close();
}
