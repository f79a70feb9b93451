// Closes its browser and opens a new window at once, ROUNDS times in a row, the way Gluon apps
// do it: through the browser's own protocol (`Window.cdp.send('Browser.close')`), or with
// `Window.close()`, which returns nothing to wait for in Gluon. Each new window must come up and
// talk to the backend. REOPEN_WAY=cdp|close picks the way (default: cdp on Chromium, close on Firefox).
import * as Gluon from '@gluon-framework/gluon';

const ROUNDS = 5;
const ROUND_WAIT = 30_000;

/** Opens the page and resolves once it has said it is up over IPC. */
async function openAndHear() {
  const Window = await Gluon.open('page/index.html', { windowSize: [480, 320] });
  const heard = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the page did not say it was up within ${ROUND_WAIT / 1000} s`)), ROUND_WAIT);
    Window.ipc.on('up', (path) => {
      clearTimeout(timer);
      resolve(path);
    });
  });
  return { Window, heard };
}

let { Window } = await openAndHear();
const engine = Window.versions.engine.name;
const way = process.env.REOPEN_WAY || 'cdp';
const rounds = [];
for (let round = 1; round <= ROUNDS; round++) {
  const started = Date.now();
  try {
    if (way === 'cdp') await Window.cdp.send('Browser.close');
    else Window.close();
    const next = await openAndHear();
    Window = next.Window;
    rounds.push({ round, ok: true, heard: next.heard, ms: Date.now() - started });
  } catch (error) {
    rounds.push({ round, ok: false, error: String(error?.message ?? error), ms: Date.now() - started });
    break;
  }
}
if (!Window.closed) Window.close();
if (process.env.COMPAT_REPORT) console.log(JSON.stringify({ engine, way, rounds }));
