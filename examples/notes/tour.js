// The headless tour: with no window to look at, drive the real UI through the page
// (Window.page.eval) the way a person would -- fill the form, click Save, search,
// switch the theme -- and print what the page shows. Everything goes through the
// page's own code and the real IPC; nothing is faked.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

const DEMO_TITLE = 'Hello from the headless tour';

/**
 * @param {import('gluon-ts').Window} Window
 * @param {{ screenshotPath: string, stats: { okReplies: number }, getSavedTheme: () => string }} o
 */
export async function runTour(Window, { screenshotPath, stats, getSavedTheme }) {
  /** Runs fn(...args) in the page and returns its (awaited) result. */
  const inPage = (fn, ...args) => Window.page.eval(`(${fn})(...${JSON.stringify(args)})`);

  /** Polls check(...args) in the page until it returns something truthy; resolves to that. */
  const waitInPage = (label, check, ...args) =>
    Window.page.eval(`new Promise((resolve, reject) => {
      const check = ${check};
      const args = ${JSON.stringify(args)};
      const started = Date.now();
      const poll = () => {
        let value;
        try { value = check(...args); } catch {}
        if (value) return resolve(value);
        if (Date.now() - started > 8000) return reject(new Error(${JSON.stringify(`timed out waiting until ${label}`)}));
        setTimeout(poll, 40);
      };
      poll();
    })`);

  const type = (selector, value) =>
    inPage(
      (selector, value) => {
        const input = document.querySelector(selector);
        input.value = value;
        input.dispatchEvent(new Event('input', { bubbles: true }));
      },
      selector,
      value,
    );
  const click = (selector) => inPage((selector) => document.querySelector(selector).click(), selector);
  const listedTitles = () => inPage(() => [...document.querySelectorAll('#note-list .note-title')].map((el) => el.textContent));
  const quote = (titles) => titles.map((t) => `"${t}"`).join(', ');

  // 1. The first render: the page called listNotes() and drew the list.
  await Window.page.loaded;
  await waitInPage('the notes list is rendered', () => document.body.dataset.ready === '1');
  const first = await listedTitles();
  console.log(`• The page lists ${first.length} notes: ${quote(first)}`);

  // 2. Errors cross the IPC: save a note without a title.
  await click('#new-note');
  await waitInPage('the editor is empty', () => document.querySelector('#title').value === '' && document.querySelector('#meta').textContent.startsWith('New note'));
  await type('#body', 'Written by the headless tour.');
  await click('#save');
  const errorText = await waitInPage('an error is shown', () => !document.querySelector('#error').hidden && document.querySelector('#error').textContent);
  console.log(`• Saved with no title: the backend threw, the page shows "${errorText.replace(/\s+/g, ' ').trim()}"`);

  // 3. Create a note through the editor: type a title, press Save.
  await type('#title', DEMO_TITLE);
  await type(
    '#body',
    `This note was typed into the editor and saved with the Save button, by a script running the page in a headless browser.\n\n` +
      `Saved at ${new Date().toLocaleTimeString()}.`,
  );
  await click('#save');
  await waitInPage(
    'the new note is saved and selected',
    (title) =>
      document.querySelector('#note-list [aria-selected="true"] .note-title')?.textContent === title &&
      document.querySelector('#dirty').textContent === 'All changes saved',
    DEMO_TITLE,
  );
  const demoId = await inPage(() => document.querySelector('#note-list [aria-selected="true"]').dataset.id);
  const count = await inPage(() => document.querySelector('#note-count').textContent);
  console.log(`• Created "${DEMO_TITLE}" with the editor: the list shows ${count} notes (store.noteCount = ${Window.ipc.store.noteCount})`);

  // 4. Search: the page sends a 'search' event, the backend answers with matches.
  await type('#search', 'ipc');
  await waitInPage('the search results are shown', () => document.querySelector('#note-list').dataset.query === 'ipc');
  const found = await listedTitles();
  console.log(`• Search "ipc": ${found.length} match${found.length === 1 ? '' : 'es'}: ${quote(found)}`);
  await type('#search', '');
  await waitInPage('the search is cleared', () => document.querySelector('#note-list').dataset.query === '');

  // 5. Theme: the page writes store.theme, the backend notices and saves it.
  const themeBefore = await inPage(() => document.documentElement.dataset.theme);
  await click('#theme-toggle');
  const themeAfter = await waitInPage('the theme changes', (before) => document.documentElement.dataset.theme !== before && document.documentElement.dataset.theme, themeBefore);
  console.log(`• Theme button: ${themeBefore} → ${themeAfter} (the page set Gluon.ipc.store.theme)`);
  await waitInNode('the backend saves the theme', () => getSavedTheme() === themeAfter);
  await click('#theme-toggle');
  await waitInPage('the theme changes back', (before) => document.documentElement.dataset.theme === before, themeBefore);
  console.log(`• Theme button again: back to ${themeBefore}`);
  await waitInNode('the backend saves the theme', () => getSavedTheme() === themeBefore);

  // 6. System info, from the backend.
  await click('#info');
  await waitInPage('the system info is shown', () => document.querySelector('#sysinfo').dataset.loaded === '1');
  const info = await inPage(() =>
    Object.fromEntries([...document.querySelectorAll('#sysinfo dt')].map((dt) => [dt.textContent, dt.nextElementSibling.textContent])),
  );
  console.log(`• System info dialog: ${info['Operating system']}; ${info['Processor']}; Node ${info['Node.js']}; ${info['Browser']}`);
  await click('#sysinfo-close');
  await waitInPage('the dialog is closed', () => !document.querySelector('#sysinfo').open);

  // 7. The status bar, updated by the backend's 'tick' events.
  await waitInPage('two ticks have arrived', () => Number(document.body.dataset.ticks) >= 2);
  const status = await inPage(() => [...document.querySelectorAll('.statusbar > span')].map((el) => el.textContent.replace(/\s+/g, ' ').trim()));
  console.log(`• Status bar: "${status[0]}" | "${status[1]}"`);
  console.log(`  (the page answered ${stats.okReplies} 'tick' events with 'ok' so far)`);

  // 8. Edit the demo note (saveNote with its id this time) with what the tour saw.
  const summary = [
    `Typed into this editor and saved with the Save button by the headless tour, which drives the page the way you would.`,
    ``,
    `What it saw on the way:`,
    `✓ listNotes() drew ${first.length} notes in the list`,
    `✓ Save without a title: ${errorText.replace(/\s+/g, ' ').trim()}`,
    `✓ Search "ipc" (a 'search' event): ${found.length} match${found.length === 1 ? '' : 'es'}`,
    `✓ Theme ${themeBefore} → ${themeAfter} → ${themeBefore} via the shared store`,
    `✓ ${stats.okReplies} 'tick' events answered with 'ok'`,
    ``,
    `Updated at ${new Date().toLocaleTimeString()}.`,
  ].join('\n');
  await type('#body', summary);
  await click('#save');
  await waitInPage('the edit is saved', () => document.querySelector('#dirty').textContent === 'All changes saved');
  console.log(`• Edited the note and saved it again (saveNote with its id): still ${Window.ipc.store.noteCount} notes`);

  // 9. Screenshot of what the window shows now.
  await inPage(() => document.activeElement?.blur());
  const png = await Window.page.screenshot();
  await mkdir(dirname(screenshotPath), { recursive: true });
  await writeFile(screenshotPath, png);
  console.log(`• Screenshot saved: ${screenshotPath} (${png.length} bytes)`);

  // 10. Tidy up through the UI: Delete asks for a second click.
  await click('#delete');
  await click('#delete');
  await waitInPage('the demo note is gone', (id) => ![...document.querySelectorAll('#note-list .note-item')].some((el) => el.dataset.id === id), demoId);
  console.log(`• Deleted "${DEMO_TITLE}" again with the Delete button: ${Window.ipc.store.noteCount} notes left`);
}

async function waitInNode(label, check, timeout = 5000) {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeout) throw new Error(`timed out waiting until ${label}`);
    await new Promise((resolve) => setTimeout(resolve, 40));
  }
}
