// Finds the folder of the module that called into this package, so that
// open('ui/index.html') is resolved like an import: relative to the calling file.
import { dirname, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { appDirectory } from './assets.js';

let packageSrc: string | undefined;

export function callerDirectory(): string {
  if (appDirectory !== undefined) return appDirectory; // a built app: the package is inside its bundle
  packageSrc ??= dirname(dirname(fileURLToPath(import.meta.url))) + sep;
  const original = Error.prepareStackTrace;
  const limit = Error.stackTraceLimit;
  try {
    Error.stackTraceLimit = 50;
    Error.prepareStackTrace = (_error, frames) => frames;
    const frames = new Error().stack as unknown as NodeJS.CallSite[];
    for (const frame of frames) {
      let file = frame.getFileName?.() ?? null;
      if (!file || file.startsWith('node:')) continue;
      if (file.startsWith('file://')) file = fileURLToPath(file);
      if (file.startsWith(packageSrc)) continue;
      return dirname(file);
    }
  } finally {
    Error.prepareStackTrace = original;
    Error.stackTraceLimit = limit;
  }
  return process.cwd();
}
