// Code and styles the backend adds to its page: onLoad, resources.css / resources.js.
import * as Gluon from '@gluon-framework/gluon';

const Window = await Gluon.open('page/index.html', {
  // Runs in the page after every load.
  onLoad: () => {
    document.body.dataset.onload = String(Number(document.body.dataset.onload ?? 0) + 1);
  },
});

const theme = await Window.resources.css('body { background: rgb(10, 20, 30); color: white; }');
const banner = await Window.resources.js(() => {
  const p = document.createElement('p');
  p.id = 'banner';
  p.textContent = 'added by the backend';
  document.body.append(p);
});

const look = () => Window.page.eval(() => ({
  background: getComputedStyle(document.body).backgroundColor,
  banners: document.querySelectorAll('#banner').length,
  onload: document.body.dataset.onload,
}));

await Window.page.loaded;
const first = await look();
await Window.page.reload();
await new Promise((resolve) => setTimeout(resolve, 500));
const afterReload = await look();
await theme.modify('body { background: rgb(200, 100, 0); }');
const modified = await look();
await theme.remove();
await banner.remove();
await Window.page.reload();
await new Promise((resolve) => setTimeout(resolve, 500));
const removed = await look();

if (process.env.COMPAT_REPORT) {
  console.log(JSON.stringify({ first, afterReload, modified, removed }));
  Window.close();
}
