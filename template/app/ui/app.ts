// The page: a normal web page. window.Gluon is there before this runs, typed by AppIpc.
// `gluon-ts dev` and `gluon-ts build` bundle this file to app.js.
import type { PageGluon } from 'gluon-ts/page';
import type { AppIpc } from '../api.js';

declare const Gluon: PageGluon<AppIpc>;

const $ = (id: string) => document.getElementById(id)!;

// Exposed to the backend, which calls it as Window.ipcPage.heading().
Gluon.ipcExpose({ heading: () => document.querySelector('h1')!.textContent ?? '' });

$('greeting').textContent = await Gluon.ipc.greet('page');
const info = await Gluon.ipc.systemInfo();
$('info').textContent = `${info.platform}, Node ${info.node}, ${info.browser}`;

let times = 0;
$('click').addEventListener('click', async () => {
  $('clicks').textContent = await Gluon.ipc.send('clicked', { times: ++times });
});

$('count').addEventListener('click', async () => {
  const progress = $('progress') as HTMLProgressElement;
  for await (const n of await Gluon.ipc.count(20)) progress.value = n;
});
