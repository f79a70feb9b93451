// Window.resources and the onLoad option: CSS and JS that the app adds to its page, applied to
// the document there now and to every later one (reloads, navigations), in the top-level frame
// only, once its DOM is parsed. Engine-neutral: each is one engine init script, which engines
// also run in the current document.
import type { Page } from '../engine/types.js';
import { IDLE_ORIGIN } from './idle.js';

export interface CssResource {
  /** Takes the CSS out of the current page and of later loads. */
  remove(): Promise<void>;
  /** Replaces the CSS with `newCode`, in the current page and in later loads. */
  modify(newCode: string): Promise<void>;
}

export interface JsResource {
  /** Later loads no longer run the code (what already ran stays done). */
  remove(): Promise<void>;
}

export interface ResourcesApi {
  /** Adds CSS to the current page and to every later load. */
  css(code: string): Promise<CssResource>;
  /** Runs code (a string, or a function that is sent as its source) in the current page and after every later load. */
  js(code: string | (() => unknown)): Promise<JsResource>;
}

/** Source that runs `body` in the top-level document once its DOM is parsed (at once if it already is). */
export function onDomReady(body: string): string {
  return `(() => {
  if (window.top !== window || location.origin === ${JSON.stringify(IDLE_ORIGIN)}) return;
  const run = () => {
${body}
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', run, { once: true });
  else run();
})();`;
}

/** A function's source as a call, or the string as it is. */
export function codeOf(code: string | (() => unknown), what: string): string {
  if (typeof code === 'function') return `(${code.toString()})();`;
  if (typeof code === 'string') return code;
  throw new TypeError(`${what}: expected a string or a function, got ${code === null ? 'null' : typeof code}`);
}

let nextId = 1;

/** `fn` run on the first call only; every call gets that run's promise. */
function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= fn());
}

export function createResources(engine: Page): ResourcesApi {
  return {
    async css(code) {
      if (typeof code !== 'string') throw new TypeError(`resources.css(code): expected a string, got ${typeof code}`);
      const id = `gluon-css-${nextId++}`;
      const selector = JSON.stringify(`style[data-gluon-resource="${id}"]`);
      const apply = (css: string) => onDomReady(`
    let style = document.querySelector(${selector});
    if (!style) {
      style = document.createElement('style');
      style.setAttribute('data-gluon-resource', ${JSON.stringify(id)});
      (document.head ?? document.documentElement).appendChild(style);
    }
    style.textContent = ${JSON.stringify(css)};`);
      let remove = await engine.addInitScript(apply(code));
      let removed = false;
      return {
        remove: once(async () => {
          removed = true;
          await remove();
          await engine.evaluate(onDomReady(`document.querySelector(${selector})?.remove();`), { awaitPromise: false }).catch(() => {});
        }),
        async modify(newCode) {
          if (typeof newCode !== 'string') throw new TypeError(`modify(newCode): expected a string, got ${typeof newCode}`);
          if (removed) throw new Error('modify(): this CSS was removed; add it again with resources.css()');
          const previous = remove;
          remove = await engine.addInitScript(apply(newCode));
          await previous();
        },
      };
    },
    async js(code) {
      const remove = await engine.addInitScript(onDomReady(codeOf(code, 'resources.js(code)')));
      return { remove: once(remove) };
    },
  };
}
