// A script the page loads while it loads (a script it inserts holds `load` back). Once what the
// backend sent right after open() has reached the page, it adds the listener for it: the event
// arrived before its listener and waited for it.
if (!probed && ++loads < 100) {
  document.head.append(Object.assign(document.createElement('script'), { src: `late.js?${loads}` }));
} else {
  report.arrivedBeforeListener = probed;
  report.loadsBeforeListener = loads;
  Gluon.ipc.on('early hello', ({ n }) => n + 1);
}
