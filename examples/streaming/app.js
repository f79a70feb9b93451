// Streaming: progress from a long backend task, with a Cancel button.
//
// The backend exposes longTask(steps), an async generator: the page calls it, gets an
// AsyncIterable and reads the progress objects with `for await`, moving a progress bar. Cancel
// breaks out of that loop, which stops the generator here: its `finally` runs, and `this.signal`
// aborts the step it was waiting on. The backend prints how it ended:
//   streaming: done, 20 steps            (the page read every step and said so)
//   streaming: cancelled at step 7 of 20 (the page stopped reading; the generator was stopped)
//
//   node examples/streaming/app.js [--cancel-at=N]      (GLUON_HEADLESS=1 for no window)
// --cancel-at=N makes the page press its own Cancel button once it has shown step N (for tests).
import * as Gluon from 'gluon-ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';

// strict: false lets gluon-ts's own options (--firefox, --browser=...) through.
const { values } = parseArgs({ options: { 'cancel-at': { type: 'string' } }, strict: false });
const cancelAt = Number(values['cancel-at'] ?? 0);

const Window = await Gluon.open('ui', { windowSize: [560, 300] });
Window.ipc.store.cancelAt = Number.isInteger(cancelAt) && cancelAt > 0 ? cancelAt : null;

// A function, not an arrow: `this.signal` fires when the page stops reading (or goes away).
Window.ipc.longTask = async function* (steps) {
  let sent = 0;
  try {
    for (let step = 1; step <= steps; step++) {
      await sleep(150, undefined, { signal: this.signal }); // one step of real work would go here
      sent = step;
      yield { step, steps, percent: Math.round((step / steps) * 100) };
    }
  } finally {
    // Runs when the task ends, and when the page cancels it (break, an abort, a reload).
    if (sent < steps) console.log(`streaming: cancelled at step ${sent} of ${steps}`);
  }
};

// The page says when it has read the whole stream.
Window.ipc.on('finished', ({ steps }) => console.log(`streaming: done, ${steps} steps`));
