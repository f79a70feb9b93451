// A private D-Bus session bus for one test: its own dbus-daemon, stopped by the test (only that
// one). The test points DBUS_SESSION_BUS_ADDRESS at `address` for what it runs.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A session bus with no service files: only what the test itself puts on it is there (the
 * machine's own services, a real portal for one, are not started on demand).
 */
const CONFIG = `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir=DIR</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`;

/** Why a private bus cannot be started here, or false (CI must have it: there, never a reason). */
export function privateBusMissing(): string | false {
  if (process.env.CI) return false;
  return spawnSync('dbus-daemon', ['--version'], { stdio: 'ignore' }).status === 0 ? false : 'needs dbus-daemon (Debian: apt-get install dbus)';
}

export interface PrivateBus {
  /** The bus address, for DBUS_SESSION_BUS_ADDRESS. */
  address: string;
  /** Stops this bus's daemon. */
  stop(): Promise<void>;
}

export async function startPrivateBus(): Promise<PrivateBus> {
  const dir = mkdtempSync(join(tmpdir(), 'gluon-bus-'));
  writeFileSync(join(dir, 'bus.conf'), CONFIG.replace('DIR', dir));
  const daemon = spawn('dbus-daemon', ['--config-file', join(dir, 'bus.conf'), '--nofork', '--print-address'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  daemon.stderr!.on('data', (chunk) => (err += chunk));
  const address = await new Promise<string>((resolve, reject) => {
    daemon.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    let out = '';
    daemon.stdout!.on('data', (chunk) => {
      out += chunk;
      if (out.includes('\n')) resolve(out.split('\n')[0]!.trim());
    });
    daemon.once('error', reject);
    daemon.once('exit', (code) => reject(new Error(`dbus-daemon exited (${code}) before it gave an address: ${err}`)));
  });
  return {
    address,
    async stop() {
      if (daemon.exitCode === null && daemon.signalCode === null) {
        const ended = new Promise((resolve) => daemon.once('exit', resolve));
        daemon.kill();
        await ended;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
