// File viewer: a page that shows the images of a local folder, served by gluon-ts itself.
//
// The backend opens ui/. Every file under it is served under the app's own origin, so the page
// shows an image with a plain <img src="images/sun.svg">: no file:// URLs, no server to run.
// The backend exposes listImages(folder), which lists the images of a folder inside ui/ (the
// user picks it in the page; the first one comes from the command line, default images/), and
// hears the page's 'shown' event once the images have loaded, with their real sizes:
//   file-viewer: the page shows 3 images (checkers.png 32x24, mountains.svg 160x96, sun.svg 96x96)
//
//   node examples/file-viewer/app.js [folder inside ui/]      (GLUON_HEADLESS=1 for no window)
import * as Gluon from 'gluon-ts';
import { readdir, stat } from 'node:fs/promises';
import { extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const UI = fileURLToPath(new URL('ui', import.meta.url));
const IMAGE_TYPES = new Set(['.apng', '.avif', '.bmp', '.gif', '.ico', '.jpeg', '.jpg', '.png', '.svg', '.webp']);
// The first argument that is not an option (gluon-ts reads options such as --firefox itself).
const firstFolder = process.argv.slice(2).find((arg) => !arg.startsWith('-')) ?? 'images';

const Window = await Gluon.open('ui', { windowSize: [760, 560] });
Window.ipc.store.folder = firstFolder; // the page reads it synchronously, from its first script

// [{ name, url, bytes }] for the images of `folder` (relative to ui/), sorted by name.
Window.ipc.listImages = async (folder) => {
  const dir = resolve(UI, folder);
  const path = relative(UI, dir);
  if (path === '..' || path.startsWith(`..${sep}`) || isAbsolute(path)) {
    throw new RangeError(`"${folder}" is not inside ui/: only files under the opened folder are served`);
  }
  const entries = await readdir(dir, { withFileTypes: true }); // a missing folder rejects the page's call
  const names = entries.filter((e) => e.isFile() && IMAGE_TYPES.has(extname(e.name).toLowerCase())).map((e) => e.name).sort();
  return Promise.all(names.map(async (name) => ({
    name,
    url: [...path.split(sep).filter(Boolean), name].map(encodeURIComponent).join('/'), // relative to the page
    bytes: (await stat(join(dir, name))).size,
  })));
};

// The page reports what it could show: [{ name, width, height }], width 0 for an image that failed.
Window.ipc.on('shown', ({ folder, images }) => {
  const shown = images.filter((image) => image.width > 0);
  const failed = images.filter((image) => image.width === 0).map((image) => image.name);
  const sizes = shown.map((image) => `${image.name} ${image.width}x${image.height}`).join(', ');
  console.log(`file-viewer: the page shows ${shown.length} images${sizes ? ` (${sizes})` : ''} from ui/${folder}` +
    (failed.length ? `; ${failed.length} failed to load: ${failed.join(', ')}` : ''));
});
