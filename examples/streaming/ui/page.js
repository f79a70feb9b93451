// The page: reads the backend's stream of progress objects with `for await` and moves the bar.
// Cancel breaks out of the loop, which stops the backend's generator (its `finally` runs there).
const STEPS = 20;
const bar = document.querySelector('#bar');
const status = document.querySelector('#status');
const startButton = document.querySelector('#start');
const cancelButton = document.querySelector('#cancel');
// Set by the backend from --cancel-at=N: press Cancel by itself at step N (tests use it).
const cancelAt = Gluon.ipc.store.cancelAt;

let cancelRequested = false;
cancelButton.addEventListener('click', () => {
  cancelRequested = true;
  cancelButton.disabled = true;
  status.textContent = 'Cancelling…';
});

async function run() {
  cancelRequested = false;
  startButton.disabled = true;
  cancelButton.disabled = false;
  bar.value = 0;
  let last;
  try {
    for await (const progress of await Gluon.ipc.longTask(STEPS)) {
      last = progress;
      bar.value = progress.percent;
      status.textContent = `Step ${progress.step} of ${progress.steps} (${progress.percent}%)`;
      if (progress.step === cancelAt) cancelButton.click();
      if (cancelRequested) break; // leaving the loop cancels the stream on the backend
    }
    if (cancelRequested) {
      status.textContent = `Cancelled at step ${last?.step ?? 0} of ${STEPS}`;
    } else {
      status.textContent = `Done: ${last.steps} steps`;
      await Gluon.ipc.send('finished', { steps: last.step });
    }
  } catch (error) {
    status.textContent = `The task failed: ${error.message}`;
  } finally {
    cancelButton.disabled = true;
    startButton.disabled = false;
  }
}

startButton.addEventListener('click', run);
await run();
