// Gluon.extensions: browser extensions that every later open() installs in its browser, an
// unpacked folder for Chromium-family browsers and an .xpi file for Firefox-family ones.
// Each entry may give one or both; a path may also come as a promise (a download, say).
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';

export interface Extension {
  /** An unpacked Chromium extension: the folder with its manifest.json. */
  chromium?: string | Promise<string>;
  /** A Firefox extension: the path of its .xpi file. */
  firefox?: string | Promise<string>;
}

const added = new Set<Extension>();

function check(extension: Extension, what: string): void {
  if (!extension || typeof extension !== 'object' || (extension.chromium === undefined && extension.firefox === undefined)) {
    throw new TypeError(`extensions.${what}(...extensions): each extension is { chromium?: folder, firefox?: xpi file }, got ${JSON.stringify(extension)}`);
  }
}

export const extensions = {
  /** Adds extensions for every window opened from now on. */
  add(...list: Extension[]): void {
    for (const extension of list) check(extension, 'add');
    for (const extension of list) added.add(extension);
  },
  /** Removes extensions added before (the same objects), for windows opened from now on. */
  remove(...list: Extension[]): void {
    for (const extension of list) added.delete(extension);
  },
};

/** The paths an engine installs: each checked, so a bad one fails open() saying which and why. */
export async function extensionPaths(engine: 'chromium' | 'firefox'): Promise<string[]> {
  const paths: string[] = [];
  for (const extension of added) {
    const given = await extension[engine];
    if (given === undefined) continue;
    if (typeof given !== 'string' || !given) throw new TypeError(`Gluon.extensions: the ${engine} path of an extension is not a string: ${String(given)}`);
    const path = resolve(given);
    const info = await stat(path).catch(() => undefined);
    if (engine === 'chromium') {
      const manifest = info?.isDirectory() ? await stat(resolve(path, 'manifest.json')).catch(() => undefined) : undefined;
      if (!manifest) throw new Error(`Gluon.extensions: ${path} is not an unpacked Chromium extension (a folder with a manifest.json).`);
    } else if (!info?.isFile()) {
      throw new Error(`Gluon.extensions: ${path} is not a file: a Firefox extension is given as the path of its .xpi file.`);
    }
    paths.push(path);
  }
  return paths;
}
