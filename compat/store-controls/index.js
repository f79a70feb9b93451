// The shared store both ways, an event with a reply, and the window's controls.
import * as Gluon from '@gluon-framework/gluon';

const Window = await Gluon.open('page/index.html', { windowSize: [700, 500] });
Window.ipc.store.theme = 'dark';
Window.ipc.store.user = { name: 'ada', visits: 1 };

const report = {};
Window.ipc.on('page ready', async (seen) => {
  report.pageSawStore = seen;
  // The page writes to the store too; the backend reads it back.
  report.pageWrote = await Window.ipc.send('write store', 'light');
  report.backendSees = Window.ipc.store.theme;

  // The page hears of a window change a moment after the browser made it: the value once
  // `ready` holds in the page (or after 3 s).
  const settled = (ready, value) => Window.page.eval(`new Promise((resolve) => {
    const end = Date.now() + 3000;
    const check = () => (${ready}) || Date.now() > end ? resolve(${value}) : setTimeout(check, 20);
    check();
  })`);
  await Window.controls.minimize();
  report.minimized = await settled('document.visibilityState === "hidden"', 'document.visibilityState');
  await Window.controls.show({ width: 520, height: 400 });
  report.shown = await settled('document.visibilityState === "visible" && outerWidth === 520', '[document.visibilityState, outerWidth, outerHeight]');
  await Window.controls.maximize();
  report.maximizedWider = await settled('outerWidth > 520', 'outerWidth > 520');

  if (process.env.COMPAT_REPORT) {
    console.log(JSON.stringify(report));
    Window.close();
  }
});
