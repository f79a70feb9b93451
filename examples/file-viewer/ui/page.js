// The page: asks the backend which images a folder holds, shows each with <img src> (gluon-ts
// serves the files of ui/ under the app's origin), and once they have loaded tells the backend
// what it shows, with each image's real size (naturalWidth is 0 for an image that did not load).
const form = document.querySelector('#form');
const status = document.querySelector('#status');
const gallery = document.querySelector('#gallery');

/** Resolves once `img` has loaded (true) or failed to (false). */
const loaded = (img) => new Promise((resolve) => {
  if (img.complete) return resolve(img.naturalWidth > 0);
  img.addEventListener('load', () => resolve(true), { once: true });
  img.addEventListener('error', () => resolve(false), { once: true });
});

async function show(folder) {
  gallery.replaceChildren();
  status.textContent = `Listing ui/${folder}…`;
  let images;
  try {
    images = await Gluon.ipc.listImages(folder);
  } catch (error) {
    status.textContent = error.message; // the backend's error, as it threw it
    return;
  }
  const results = await Promise.all(images.map(async ({ name, url, bytes }) => {
    const item = document.createElement('li');
    const figure = item.appendChild(document.createElement('figure'));
    const img = figure.appendChild(document.createElement('img'));
    const caption = figure.appendChild(document.createElement('figcaption'));
    img.alt = name;
    img.src = url;
    caption.textContent = name;
    gallery.append(item);
    const ok = await loaded(img);
    caption.textContent = ok
      ? `${name}: ${img.naturalWidth}×${img.naturalHeight} px, ${bytes} bytes`
      : `${name}: could not be loaded`;
    return { name, width: img.naturalWidth, height: img.naturalHeight };
  }));
  status.textContent = `${images.length} image${images.length === 1 ? '' : 's'} in ui/${folder}`;
  await Gluon.ipc.send('shown', { folder, images: results });
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  show(form.folder.value.trim() || '.');
});

form.folder.value = Gluon.ipc.store.folder ?? 'images'; // set by the backend before this runs
await show(form.folder.value);
