// Gluon.openAbout: a small "about this app" window (name, icon, version, description, links,
// and the versions of what it runs on), as a local app written to a temporary folder. Its
// links open in the user's default browser, and only the links the app listed.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logger } from '../log.js';
import { GLUON_API_VERSION, open, PACKAGE_VERSION, type OpenOptions } from './open.js';
import type { BrowserVersions, Window } from './window.js';
import { escapeHtml } from './html.js';

const log = logger('window');

export interface AboutLink {
  href: string;
  text: string;
}

export interface OpenAboutOptions {
  /** The app's name. */
  name: string;
  /** URL of the app's icon (https:, data:). */
  icon?: string;
  /** A description; HTML is kept as HTML. */
  description?: string;
  version?: string;
  /** Links, opened in the user's default browser. */
  links?: AboutLink[];
  /** A window's `versions`, to show what the app runs on. */
  gluonVersions?: BrowserVersions;
}

const LINK_EVENT = 'gluon-ts:open-link';

function aboutPage(o: OpenAboutOptions, links: AboutLink[]): string {
  const versions = o.gluonVersions
    ? `<p class="versions">gluon-ts ${escapeHtml(PACKAGE_VERSION)} (Gluon ${escapeHtml(GLUON_API_VERSION)} API) · Node ${escapeHtml(process.versions.node)} · ${escapeHtml(
        `${o.gluonVersions.product.name} ${o.gluonVersions.product.version}`,
      )}</p>`
    : '';
  return `<!doctype html>
<meta charset="utf-8">
<title>About ${escapeHtml(o.name)}</title>
<style>
  body { font: 14px system-ui, sans-serif; margin: 0; padding: 28px; text-align: center; background: #fafafa; color: #222; }
  img { width: 72px; height: 72px; object-fit: contain; }
  h1 { font-size: 22px; margin: 10px 0 2px; }
  .version, .versions { color: #666; margin: 2px 0 12px; }
  .versions { font-size: 12px; margin-top: 18px; }
  nav a { margin: 0 8px; }
</style>
${o.icon ? `<img src="${escapeHtml(o.icon)}" alt="">` : ''}
<h1>${escapeHtml(o.name)}</h1>
${o.version ? `<p class="version">${escapeHtml(o.version)}</p>` : ''}
${o.description ? `<div class="description">${o.description}</div>` : ''}
${links.length ? `<nav>${links.map((link, i) => `<a href="${escapeHtml(link.href)}" data-link="${i}">${escapeHtml(link.text)}</a>`).join('')}</nav>` : ''}
${versions}
<script>
  document.addEventListener('click', (event) => {
    const link = event.target.closest('a');
    if (!link) return;
    event.preventDefault();
    if (link.dataset.link !== undefined) Gluon.ipc.send(${JSON.stringify(LINK_EVENT)}, Number(link.dataset.link));
  });
</script>
`;
}

/** Opens `url` with the desktop's own opener (the default browser for web links). */
function openExternally(url: string): void {
  // Windows: the URL protocol handler directly (no shell, so no quoting of & and the like).
  const [command, args] = process.platform === 'darwin'
    ? ['open', [url]]
    : process.platform === 'win32'
      ? ['rundll32', ['url.dll,FileProtocolHandler', url]]
      : ['xdg-open', [url]];
  try {
    const child = spawn(command, args, { detached: true, stdio: 'ignore', windowsHide: true });
    child.on('error', (error) => process.emitWarning(`openAbout: could not open ${url} with ${command}: ${error.message}`, { code: 'GLUON_OPEN_LINK' }));
    child.unref();
  } catch (error) {
    process.emitWarning(`openAbout: could not open ${url} with ${command}: ${(error as Error).message}`, { code: 'GLUON_OPEN_LINK' });
  }
}

export async function openAbout(options: OpenAboutOptions, openOptions: OpenOptions = {}): Promise<Window> {
  if (!options || typeof options.name !== 'string' || !options.name) throw new TypeError('openAbout(options): options.name must be a non-empty string');
  const links = (options.links ?? []).filter((link) => {
    const ok = link && typeof link.text === 'string' && typeof link.href === 'string' && /^(https?:|mailto:)/i.test(link.href);
    if (!ok) process.emitWarning(`openAbout: left out a link that is not { href: 'https:...' | 'http:...' | 'mailto:...', text }: ${JSON.stringify(link)}`, { code: 'GLUON_ABOUT_LINK' });
    return ok;
  });
  const dir = await mkdtemp(join(tmpdir(), 'gluon-ts-about-'));
  const cleanUp = () => rm(dir, { recursive: true, force: true }).catch(() => {});
  let window: Window;
  try {
    await writeFile(join(dir, 'index.html'), aboutPage(options, links));
    // Its own temporary profile, so it opens beside the app's window.
    window = await open(dir, { windowSize: [420, 360], incognito: true, ...openOptions });
  } catch (error) {
    await cleanUp();
    throw error;
  }
  window.on('close', () => void cleanUp());
  window.ipc.on(LINK_EVENT, (index: unknown) => {
    const link = typeof index === 'number' ? links[index] : undefined;
    if (!link) return log('openAbout: ignored a link the app did not list');
    openExternally(link.href);
  });
  return window;
}
