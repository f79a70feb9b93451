// Window.idle: let a window use less while nobody looks at it. sleep() and hibernate() unload
// the page and show a still picture of it in its place; freeze() stops the page where it is;
// wake() undoes any of them; auto() hibernates a window left minimized and wakes it when it
// comes back. Engine-neutral: the still picture is a document served from a private origin
// (no Gluon, no IPC, no script), and freezing is the engine's (Chromium only).
import { randomBytes } from 'node:crypto';
import type { Page, ServedResponse } from '../engine/types.js';
import { logger } from '../log.js';
import { eventOrTimeout } from '../wait.js';
import { escapeHtml } from './html.js';

const log = logger('window');

/** Where the still picture of a sleeping page is served. `.invalid` never resolves (RFC 2606). */
export const IDLE_ORIGIN = 'https://idle.gluon.invalid';

export type IdleState = 'awake' | 'frozen' | 'asleep' | 'hibernating';

export interface IdleAutoOptions {
  /** Seconds a window stays minimized before it hibernates (default 5). */
  timeMinimizedToHibernate?: number;
}

export interface IdleApi {
  /**
   * Unloads the page (its state is lost) and shows a still picture of it instead, then asks the
   * browser to drop what memory it can (Chromium; on Firefox the same as sleep()).
   */
  hibernate(): Promise<void>;
  /** Unloads the page (its state is lost) and shows a still picture of it instead. */
  sleep(): Promise<void>;
  /** Stops the page where it is (timers, tasks, rendering); its state stays. Chromium only: Firefox rejects. */
  freeze(): Promise<void>;
  /** Undoes freeze(), or loads the page that sleep() / hibernate() unloaded again. */
  wake(): Promise<void>;
  /**
   * Hibernates the window once it has been minimized for a while (its still page is blank: nobody
   * sees it), and wakes it when it is shown again.
   */
  auto(enabled: boolean, options?: IdleAutoOptions): void;
  /** Where the window is now. */
  readonly state: IdleState;
}

const POLL_MS = 250;
/** How long a screenshot may take before the still page goes without one. */
const PICTURE_WAIT = 2000;

export function createIdle(engine: Page, o: {
  /** Settles once the app's first document is there. */
  navigated: Promise<void>;
  /** Lets one top-level navigation to `url` through the window's navigation policy. */
  allowOnce(url: string): void;
}): IdleApi {
  let state: IdleState = 'awake';
  let wakeUrl = '';
  /** The still pictures being shown, by path (one at a time; kept for a reload of the picture). */
  const pictures = new Map<string, string>();
  let serving: Promise<void> | undefined;
  // One change at a time, in the order asked.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.catch(() => {}).then(() => {
      if (engine.closed) throw new Error('Window.idle: the window is closed');
      return work();
    });
    queue = run;
    return run;
  };

  /** `picture`: false for a minimized window, whose page no browser draws (nobody sees it anyway). */
  const unload = async (next: 'asleep' | 'hibernating', picture = true) => {
    if (state === 'asleep' || state === 'hibernating') {
      if (next === 'hibernating' && state === 'asleep') await engine.releaseMemory();
      if (next === 'hibernating') state = next;
      return;
    }
    await o.navigated;
    if (state === 'frozen') {
      await engine.setFrozen(false);
      state = 'awake';
    }
    const [url, title, png] = await Promise.all([
      engine.evaluate<string>('location.href'),
      engine.evaluate<string>('document.title'),
      picture ? stillPicture() : undefined,
    ]);
    serving ??= engine.serve(IDLE_ORIGIN, async ({ url: asked }): Promise<ServedResponse> => {
      const html = pictures.get(new URL(asked).pathname);
      return html === undefined
        ? { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body: Buffer.from('Not found') }
        : {
            status: 200,
            headers: {
              'Content-Type': 'text/html; charset=utf-8',
              'Content-Security-Policy': "default-src 'none'; img-src data:; style-src 'unsafe-inline'",
              'Cache-Control': 'no-store',
            },
            body: Buffer.from(html),
          };
    });
    await serving;
    const path = `/${randomBytes(8).toString('hex')}`;
    pictures.clear();
    pictures.set(path, `<!doctype html><meta charset="utf-8"><title>${escapeHtml(title)}</title>` +
      '<style>html,body{margin:0;height:100%;overflow:hidden;background:#fff}img{display:block;width:100vw;height:100vh;object-fit:fill}</style>' +
      (png ? `<img alt="" src="data:image/png;base64,${Buffer.from(png).toString('base64')}">` : ''));
    o.allowOnce(IDLE_ORIGIN + path);
    await engine.navigate(IDLE_ORIGIN + path);
    wakeUrl = url;
    state = next;
    if (next === 'hibernating') await engine.releaseMemory();
    log(`the page is ${next}; wake() loads ${url} again`);
  };

  /** A screenshot, or none if the browser draws no frame in time (Chromium does not draw a minimized window). */
  const stillPicture = async (): Promise<Uint8Array | undefined> => {
    const shot = await eventOrTimeout<Uint8Array | undefined>((done) => void engine.screenshot().then(done, () => done(undefined)), PICTURE_WAIT, undefined);
    if (!shot) log('idle: no picture of the page (the window is not drawn); the still page stays blank');
    return shot;
  };

  const wake = async () => {
    if (state === 'frozen') {
      await engine.setFrozen(false);
      state = 'awake';
    } else if (state === 'asleep' || state === 'hibernating') {
      o.allowOnce(wakeUrl);
      await engine.navigate(wakeUrl);
      state = 'awake';
      pictures.clear();
      log('the page is awake');
    }
  };

  // auto(): the window's state, asked a few times a second while it is on.
  let timer: ReturnType<typeof setInterval> | undefined;
  let minimizedSince: number | undefined;
  let autoSlept = false;
  let polling = false;
  let hibernateAfter = 5000;
  const poll = async () => {
    if (polling || engine.closed) return;
    polling = true;
    try {
      const minimized = (await engine.getWindow()).state === 'minimized';
      if (!minimized) {
        minimizedSince = undefined;
        if (autoSlept) {
          autoSlept = false;
          await serial(wake);
        }
      } else {
        minimizedSince ??= Date.now();
        if (state === 'awake' && Date.now() - minimizedSince >= hibernateAfter) {
          autoSlept = true;
          await serial(() => unload('hibernating', false));
        }
      }
    } catch (error) {
      if (!engine.closed) log('idle.auto:', String(error));
    } finally {
      polling = false;
    }
  };
  const stopAuto = () => {
    clearInterval(timer);
    timer = undefined;
  };
  engine.on('close', stopAuto);

  return {
    hibernate: () => serial(() => unload('hibernating')),
    sleep: () => serial(() => unload('asleep')),
    freeze: () => serial(async () => {
      if (state !== 'awake') return;
      await o.navigated;
      await engine.setFrozen(true);
      state = 'frozen';
    }),
    wake: () => serial(wake),
    auto: (enabled, options = {}) => {
      if (typeof options !== 'object' || options === null) throw new TypeError('idle.auto(enabled, options): options must be an object');
      const seconds = options.timeMinimizedToHibernate ?? 5;
      if (typeof seconds !== 'number' || !(seconds >= 0) || !Number.isFinite(seconds)) {
        throw new TypeError(`idle.auto(enabled, options): timeMinimizedToHibernate must be a number of seconds >= 0, got ${String(seconds)}`);
      }
      hibernateAfter = seconds * 1000;
      stopAuto();
      autoSlept = false;
      minimizedSince = undefined;
      if (!enabled || engine.closed) return;
      // Never keeps Node alive on its own.
      timer = setInterval(() => void poll(), POLL_MS);
      timer.unref?.();
    },
    get state() {
      return state;
    },
  };
}
