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

  await Window.controls.minimize();
  report.minimized = await Window.page.eval('document.visibilityState');
  await Window.controls.show({ width: 520, height: 400 });
  report.shown = await Window.page.eval('[document.visibilityState, outerWidth, outerHeight]');
  await Window.controls.maximize();
  report.maximizedWider = await Window.page.eval('outerWidth > 520');

  if (process.env.COMPAT_REPORT) {
    console.log(JSON.stringify(report));
    Window.close();
  }
});
