// A seam between `gluon-ts dev` (src/cli/dev.ts) and the library: the dev server runs the app
// with GLUON_DEV=1 and a Node IPC channel, and says "reload" on it when page files changed. Both
// sides take the names from here; src/index.ts wires the listener to the window layer, so the
// window code knows nothing of the CLI (scripts/check-layers.js keeps it so).

/** Set to '1' in the environment of an app run by `gluon-ts dev`. */
export const DEV_ENV = 'GLUON_DEV';

/** What the dev server sends the app when page files changed: every open window reloads. */
export const RELOAD_MESSAGE = { gluonDev: 'reload' } as const;

let listening = false;

/**
 * Under `gluon-ts dev`, calls `reloadWindows` on each reload message (the backend keeps running).
 * Elsewhere, or called again, it does nothing.
 */
export function listenForDevReload(reloadWindows: () => void): void {
  if (listening || process.env[DEV_ENV] !== '1' || typeof process.send !== 'function') return;
  listening = true;
  process.on('message', (message: any) => {
    if (message?.gluonDev === RELOAD_MESSAGE.gluonDev) reloadWindows();
  });
  // The channel must not keep the app alive once its windows are closed.
  (process.channel as { unref?: () => void } | undefined)?.unref?.();
}
