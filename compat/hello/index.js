// A version-info window: the page lists what it runs on and tells the backend what it showed.
import * as Gluon from '@gluon-framework/gluon';

const Window = await Gluon.open('page/index.html', { windowSize: [640, 360] });

Window.ipc.on('shown', (rows) => {
  if (!process.env.COMPAT_REPORT) return;
  console.log(JSON.stringify({
    rows,
    backend: { gluon: process.versions.gluon, product: Window.versions.product, engine: Window.versions.engine, jsEngine: Window.versions.jsEngine },
  }));
  Window.close();
});
