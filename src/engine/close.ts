// Closing one window of a browser that has others, the same way on every engine.

/**
 * Asks the browser to close one window (`close`) and waits until `onGone` reports it gone, or
 * `ms` at most: a browser that never says so does not hold the caller up.
 */
export async function closeOneWindow(onGone: (gone: () => void) => () => void, close: () => Promise<unknown>, ms = 2000): Promise<void> {
  let off: (() => void) | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const gone = new Promise<void>((resolve) => {
    off = onGone(resolve);
    timer = setTimeout(resolve, ms);
  });
  try {
    await close().catch(() => {});
    await gone;
  } finally {
    off?.();
    clearTimeout(timer);
  }
}
