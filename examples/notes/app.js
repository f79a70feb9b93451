// Notes: the gluon-ts demo app.
//
// The backend (this file) keeps notes in a JSON file and talks to the page in ui/:
//   exposed functions  listNotes, saveNote, deleteNote, systemInfo
//   events             'tick' (backend -> page, every second), 'search' (page -> backend)
//   store              theme (written by the page, persisted here), noteCount (kept here)
//
//   node examples/notes/app.js [--headless] [--keep-open] [--data DIR] [--screenshot FILE] [--size WxH]
import * as Gluon from 'gluon-ts';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { NotesStore, isTheme } from './notes-store.js';
import { runTour } from './tour.js';

const USAGE = `Usage: node app.js [options]
  --headless         no window: run a short tour of the app through the page and exit
  --keep-open        with --headless: stay open after the tour until Ctrl+C
  --data DIR         where notes.json lives (default: <temp dir>/gluon-ts-notes-demo)
  --screenshot FILE  where the headless tour saves its screenshot (default: ./demo-screenshot.png)
  --size WxH         window size in CSS pixels (default: 900x640)`;

let args;
try {
  ({ values: args } = parseArgs({
    options: {
      headless: { type: 'boolean', default: false },
      'keep-open': { type: 'boolean', default: false },
      data: { type: 'string' },
      screenshot: { type: 'string' },
      size: { type: 'string', default: '900x640' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }));
} catch (error) {
  console.error(`${error.message}\n\n${USAGE}`);
  process.exit(2);
}
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
const size = /^(\d{3,4})x(\d{3,4})$/.exec(args.size);
if (!size) {
  console.error(`--size must look like 900x640, got '${args.size}'`);
  process.exit(2);
}
const windowSize = [Number(size[1]), Number(size[2])];

const noDisplay = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
const headless = args.headless || process.env.GLUON_HEADLESS === '1' || noDisplay;
const dataDir = resolve(args.data ?? join(os.tmpdir(), 'gluon-ts-notes-demo'));
const screenshotPath = resolve(args.screenshot ?? 'demo-screenshot.png');

// ------------------------------------------------------------------ the notes
const notes = new NotesStore(dataDir);
try {
  await notes.load();
} catch (error) {
  console.error(`Could not read the notes in ${dataDir}: ${error.message}`);
  process.exit(1);
}
console.log(`📝 Notes demo: ${notes.count} notes in ${notes.file}${notes.seeded ? ' (example notes added)' : ''}`);
if (headless) {
  console.log(
    noDisplay && !args.headless && process.env.GLUON_HEADLESS !== '1'
      ? 'No display found, so the demo runs headless (no window). To see the window, run it on a desktop, or under a virtual display: xvfb-run -a npm start'
      : 'Running headless as asked, so no window shows. To see it, leave out --headless / GLUON_HEADLESS=1 on a desktop, or use: xvfb-run -a npm start',
  );
}

// ----------------------------------------------------------------- the window
let Window;
try {
  Window = await Gluon.open('ui', { windowSize, headless });
} catch (error) {
  console.error(`Could not open the app window: ${error.message}`);
  process.exit(1);
}
const browser = Window.versions.product;
console.log(`Opened in ${browser.name} ${browser.version}${headless ? ' (headless)' : ''}.`);

// The store: written right after open(), so the page's first script already sees it.
Window.ipc.store.theme = notes.theme;
Window.ipc.store.noteCount = notes.count;

Window.ipc.expose({
  listNotes: async () => notes.list(),

  saveNote: async (note) => {
    const saved = await notes.save(note);
    Window.ipc.store.noteCount = notes.count;
    return saved;
  },

  deleteNote: async (id) => {
    const deleted = await notes.delete(id);
    Window.ipc.store.noteCount = notes.count;
    return deleted;
  },
});

// Same thing, the other way of exposing: assigning to Window.ipc.
Window.ipc.systemInfo = async () => {
  const cpus = os.cpus();
  return {
    os: `${os.type()} ${os.release()} (${os.platform()}/${os.arch()})`,
    host: os.hostname(),
    cpu: cpus.length ? `${cpus[0].model.trim()} × ${cpus.length}` : 'unknown',
    totalMemory: os.totalmem(),
    freeMemory: os.freemem(),
    systemUptime: os.uptime(),
    backendUptime: process.uptime(),
    node: process.versions.node,
    v8: process.versions.v8,
    browser: `${Window.versions.product.name} ${Window.versions.product.version}`,
    engine: `${Window.versions.engine.name} ${Window.versions.engine.version}`,
    jsEngine: `${Window.versions.jsEngine.name} ${Window.versions.jsEngine.version}`,
    dataFile: notes.file,
    startedAt: new Date(Date.now() - process.uptime() * 1000),
  };
};

Window.ipc.on('search', async (query) => notes.search(query));

// 'tick': backend stats every second; the page's listener replies 'ok'.
const stats = { ticks: 0, okReplies: 0 };
let tickBusy = false;
const ticker = setInterval(async () => {
  if (tickBusy || Window.closed) return;
  tickBusy = true;
  stats.ticks++;
  try {
    const reply = await Window.ipc.send('tick', {
      uptime: process.uptime(),
      freeMemory: os.freemem(),
      totalMemory: os.totalmem(),
      rss: process.memoryUsage().rss,
      at: new Date(),
    });
    if (reply === 'ok') stats.okReplies++;
  } catch {
    // The page is reloading or the window is closing: the next tick will do.
  } finally {
    tickBusy = false;
  }
}, 1000);

// store.theme is written by the page: log and persist each change it makes.
Window.ipc.store.onChange(async ({ key, value, remote }) => {
  if (key !== 'theme' || !remote || value === notes.theme) return;
  if (!isTheme(value)) {
    Window.ipc.store.theme = notes.theme; // not a theme we know: put the saved one back
    return;
  }
  await notes.setTheme(value);
  console.log(`  (backend: store.theme is now '${value}', saved to notes.json)`);
});

// ------------------------------------------------------------------ lifetime
let exiting = false;
async function shutDown(code, message) {
  if (exiting) return;
  exiting = true;
  clearInterval(ticker);
  if (message) console.log(message);
  if (!Window.closed) await Window.close().catch(() => {});
  await notes.writing.catch(() => {});
  process.exit(code);
}

Window.on('close', ({ reason }) => void shutDown(0, exiting ? undefined : `Window closed (${reason}). Bye!`));
process.on('SIGINT', () => void shutDown(0, '\nBye!'));
process.on('SIGTERM', () => void shutDown(0));

if (!headless) {
  console.log('The window is open: close it (or press Ctrl+C here) to quit.');
} else {
  try {
    await runTour(Window, { screenshotPath, stats, getSavedTheme: () => notes.theme });
  } catch (error) {
    console.error(`The headless tour failed: ${error.message}`);
    await shutDown(1);
  }
  if (args['keep-open']) console.log('Staying open (headless), as asked: press Ctrl+C to quit.');
  else await shutDown(0, 'Done: closing the window.');
}
