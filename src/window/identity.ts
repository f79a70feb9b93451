// The app's identity on the desktop: its name (open()'s `name`, else the `name` of the app's
// package.json, else the one `gluon-ts build` wrote into the bundle), the window class the
// browser is started with so that taskbars group the app's windows as the app's (X11 WM_CLASS),
// and its icon (a PNG: the window's icon, and the page's favicon where the browser takes the
// window's icon from it). Engine-neutral: the engines turn AppIdentity into their switches.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { appPackageAbove } from '../desktop/app-name.js';
import { onDomReady } from './resources.js';
import type { AppIdentity } from '../engine/types.js';
import { pngSize } from '../browser/icon.js';
import { windowClassFor } from '../browser/profile.js';

/** Reads the icon at `path` (resolved from `baseDir`) and checks it is a PNG. */
export function readIcon(path: string, baseDir: string): NonNullable<AppIdentity['icon']> & { bytes: Buffer } {
  const full = resolve(baseDir, path);
  let bytes: Buffer;
  try {
    bytes = readFileSync(full);
  } catch (error) {
    throw new Error(`open(url, { icon }): cannot read ${full} (${(error as NodeJS.ErrnoException).code ?? String(error)}). Give the path of a PNG file, absolute or relative to the calling module's folder.`);
  }
  return { path: full, bytes, ...pngSize(bytes, `open(url, { icon }): ${full}`) };
}

/**
 * The init script that makes the icon the favicon of each of the window's documents: a
 * `<link rel="icon" data-gluon-icon>` first in the head, sized as the image is, so the browser
 * prefers it over the page's own. Chromium takes an app window's icon from its favicon.
 */
export function faviconScript(icon: { bytes: Uint8Array; width: number; height: number }): string {
  const href = `data:image/png;base64,${Buffer.from(icon.bytes).toString('base64')}`;
  return onDomReady(`
    if (document.querySelector('link[data-gluon-icon]')) return;
    const link = document.createElement('link');
    link.rel = 'icon';
    link.type = 'image/png';
    link.sizes = ${JSON.stringify(`${icon.width}x${icon.height}`)};
    link.href = ${JSON.stringify(href)};
    link.setAttribute('data-gluon-icon', '');
    const head = document.head ?? document.documentElement;
    head.insertBefore(link, head.firstChild);`);
}

/** AppIdentity with the icon's bytes (for the favicon). */
export type ResolvedIdentity = AppIdentity & { icon?: NonNullable<AppIdentity['icon']> & { bytes: Buffer } };

/**
 * The app's identity from open()'s `name` and `icon`, else from the app's package.json (the one
 * above the app's entry script, else above the calling module), else from what `gluon-ts build`
 * wrote into the bundle (`built`). Undefined when there is neither a name nor an icon.
 */
export function resolveIdentity(o: { name?: unknown; icon?: unknown; baseDir: string; entryDir?: string; built?: { name?: string } }): ResolvedIdentity | undefined {
  if (o.name !== undefined && (typeof o.name !== 'string' || !o.name.trim())) {
    throw new TypeError(`open(url, { name }): name must be a non-empty string (the app's name, as in its package.json), got ${JSON.stringify(o.name)}`);
  }
  if (o.icon !== undefined && (typeof o.icon !== 'string' || !o.icon)) {
    throw new TypeError(`open(url, { icon }): icon must be the path of a PNG file, got ${JSON.stringify(o.icon)}`);
  }
  const pkg = (o.entryDir ? appPackageAbove(o.entryDir) : undefined) ?? appPackageAbove(o.baseDir);
  const name = (o.name as string | undefined)?.trim() ?? o.built?.name ?? pkg?.name;
  const icon = typeof o.icon === 'string' ? readIcon(o.icon, o.baseDir) : pkg?.icon ? readIcon(pkg.icon, pkg.folder) : undefined;
  if (name === undefined && icon === undefined) return undefined;
  return { name, windowClass: name === undefined ? undefined : windowClassFor(name), icon };
}
