// Hello: the smallest gluon-ts app, one call each way.
//
// The backend opens ui/ (served under the app's private origin) and exposes one function,
// hello(message). The page calls it as soon as it loads, shows the answer, and calls it again
// for each message typed in its form. Each call prints a line here, which proves the round trip:
//   hello: the page said "hi from Chromium 140"
//
//   node examples/hello/app.js          (GLUON_HEADLESS=1 for no window)
import * as Gluon from 'gluon-ts';

const Window = await Gluon.open('ui', { windowSize: [520, 320] });

// Exposed right after open(): it is in place before the page's first script runs.
Window.ipc.hello = (message) => {
  console.log(`hello: the page said ${JSON.stringify(message)}`);
  return `Hello from Node ${process.versions.node}! You said: "${message}"`;
};

// Nothing else to do: the app ends when its window is closed (or on Ctrl+C).
