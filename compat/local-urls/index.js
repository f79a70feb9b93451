// A local app with plain links, as Gluon serves one: the entry at `/`, `<a href="about">` as
// about.html, and a folder's link as its index.html. Each page tells the backend where it is.
import * as Gluon from '@gluon-framework/gluon';

const Window = await Gluon.open('page', { windowSize: [640, 360] });

const arrivals = [];
let next;
Window.ipc.on('arrived', (where) => {
  arrivals.push(where);
  next?.();
});
const arrival = (count) => new Promise((resolve) => {
  next = () => arrivals.length >= count && resolve();
  next();
});

await arrival(1); // the entry
await Window.page.eval(`document.getElementById('next').click()`);
await arrival(2); // about
await Window.page.eval(`document.getElementById('next').click()`);
await arrival(3); // docs (a folder)
const missing = await Window.page.eval(`fetch('nothing-here').then((res) => res.status)`);

if (process.env.COMPAT_REPORT) console.log(JSON.stringify({ arrivals, missing }));
Window.close();
