// An app that names its functions freely: `page`, `with`, `expose` and a few more that Gluon
// leaves to apps. The page calls each through Gluon.ipc and gets its result; gluon-ts's own
// additions (Window.ipcPage, Window.ipcWith, Gluon.ipcExpose, Gluon.ipcWith) work in the same run.
import * as Gluon from '@gluon-framework/gluon';

const Window = await Gluon.open('page/index.html', { windowSize: [600, 400] });

Window.ipc.page = (n) => `page ${n}`;
Window.ipc.with = (options) => ({ with: options });
Window.ipc.once = () => 'once';
Window.ipc.off = () => 'off';
Window.ipc.emit = (type) => `emitted ${type}`;
Window.ipc.ipcPage = () => 'an app function named ipcPage';
Window.ipc.ipcWith = () => 'an app function named ipcWith';
// Gluon's own method names on the backend: exposed through expose(), as in Gluon.
Window.ipc.expose('expose', (what) => `exposed ${what}`);
Window.ipc.expose({ unexpose: () => 'unexposed' });

Window.ipc.on('page report', async (fromPage) => {
  const report = {
    fromPage,
    backendReadsBack: typeof Window.ipc.page,
    // gluon-ts's additions, beside ipc: the page's functions, with and without options.
    toPage: {
      send: await Window.ipcPage.send('hi'),
      with: await Window.ipcPage.with(),
      store: await Window.ipcPage.store(),
      timed: await Window.ipcWith({ timeout: 5000 }).page.with(),
      sendWithOptions: await Window.ipcWith({ timeout: 5000 }).send('an event', 1),
    },
  };
  console.log(JSON.stringify(report));
  await Window.close();
});
