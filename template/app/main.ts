// The backend: runs in Node, opens the window and answers the page.
// `npm start` runs it with live reload; `npm run build` makes it one file and one executable.
import * as Gluon from 'gluon-ts';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AppIpc } from './api.js';

async function main(): Promise<void> {
  // 'ui' is the page folder next to this file; any https:// URL works too.
  const Window = await Gluon.open<AppIpc>('ui', { windowSize: [820, 560] });
  const { ipc } = Window;

  ipc.greet = (name) => `Hello, ${name}! This answer came from Node ${process.version}.`;
  ipc.systemInfo = () => ({ platform: `${process.platform}/${process.arch}`, node: process.version, browser: `${Window.versions.product.name} ${Window.versions.product.version}` });
  ipc.count = async function* (to) {
    for (let n = 1; n <= to; n++) {
      await sleep(50, undefined, { signal: this.signal }); // stops if the page stops reading
      yield n;
    }
  };
  ipc.on('clicked', ({ times }) => {
    ipc.store.clicks = times;
    return times === 1 ? 'first click' : `${times} clicks`;
  });

  Window.on('close', () => console.log('window closed'));
  ipc.store.clicks = 0;
  console.log(`window open: ${await Window.ipcPage.heading()}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
