// What both engines do to an init script's source so that it runs once per document. An init
// script reaches the document there when it is added (Chromium's runImmediately, Firefox's
// evaluate) and every later one; a document created while the script is being added can get
// it both ways. Not protocol code: the same page-side JavaScript for every engine.
import { randomBytes } from 'node:crypto';

export function oncePerDocument(source: string): string {
  const key = JSON.stringify(`gluon-ts:init:${randomBytes(8).toString('hex')}`);
  return `(() => {
  const done = Symbol.for(${key});
  if (globalThis[done]) return;
  Object.defineProperty(globalThis, done, { value: true });
${source}
})();`;
}
