// Waiting for one thing to happen, but not for ever.

/**
 * Resolves with the first value `start` reports through `done`, or, after `ms`, with `late`
 * (rejects if `late` is an Error). `start` may return an unsubscribe function, called either way.
 * The timer never keeps Node alive.
 */
export function eventOrTimeout<T>(start: (done: (value: T) => void) => (() => void) | void, ms: number, late: T | Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let finished = false;
    let off: (() => void) | void = undefined;
    const finish = (settle: () => void) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      off?.();
      settle();
    };
    const timer = setTimeout(() => finish(() => (late instanceof Error ? reject(late) : resolve(late))), ms);
    timer.unref?.();
    off = start((value) => finish(() => resolve(value)));
    if (finished) off?.();
  });
}
