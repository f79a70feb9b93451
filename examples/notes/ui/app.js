// The page side of the Notes demo. `window.Gluon` is set up by gluon-ts before this runs:
//   Gluon.ipc.listNotes() / saveNote() / deleteNote() / systemInfo()  -> functions the backend exposed
//   Gluon.ipc.send('search', query)                                   -> event the backend answers
//   Gluon.ipc.on('tick', stats => 'ok')                               -> event from the backend
//   Gluon.ipc.store.theme / .noteCount                                -> shared store
//   Gluon.versions                                                    -> gluon, node, browser...

const $ = (selector) => document.querySelector(selector);
const els = {
  list: $('#note-list'),
  emptyList: $('#empty-list'),
  count: $('#note-count'),
  search: $('#search'),
  newNote: $('#new-note'),
  form: $('#editor-form'),
  title: $('#title'),
  body: $('#body'),
  meta: $('#meta'),
  error: $('#error'),
  dirty: $('#dirty'),
  save: $('#save'),
  del: $('#delete'),
  theme: $('#theme-toggle'),
  info: $('#info'),
  sysinfo: $('#sysinfo'),
  sysinfoList: $('#sysinfo-list'),
  sysinfoClose: $('#sysinfo-close'),
  stats: $('#backend-stats'),
  dot: $('#link-dot'),
  versions: $('#versions'),
};

const state = {
  /** Every note, most recent first, as the backend last listed them. */
  notes: [],
  /** What the list shows: all notes, or the backend's search results. */
  shown: [],
  query: '',
  /** The note in the editor; null while writing a new one. */
  current: null,
  dirty: false,
  busy: false,
};

// ------------------------------------------------------------------ helpers
const numberFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });

function formatBytes(bytes) {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${numberFormat.format(value)} ${units[unit]}`;
}

function formatDuration(seconds) {
  const s = Math.floor(seconds);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n) => String(n).padStart(2, '0');
  if (d) return `${d}d ${h}h ${pad(m)}m`;
  if (h) return `${h}:${pad(m)}:${pad(s % 60)}`;
  return `${m}:${pad(s % 60)}`;
}

/** Dates arrive from the backend as real Date objects. */
function relativeTime(date) {
  const diff = (Date.now() - date.getTime()) / 1000;
  if (diff < 45) return 'just now';
  if (diff < 3600) return `${Math.round(diff / 60)} min ago`;
  const today = new Date();
  const startOfToday = new Date(today.getFullYear(), today.getMonth(), today.getDate());
  if (date >= startOfToday) return date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  if (date >= new Date(startOfToday - 86400_000)) return 'Yesterday';
  const sameYear = date.getFullYear() === today.getFullYear();
  return date.toLocaleDateString(undefined, sameYear ? { month: 'short', day: 'numeric' } : { dateStyle: 'medium' });
}

function wordCount(text) {
  return (text.match(/\S+/g) ?? []).length;
}

/** Appends `text` to `parent`, wrapping matches of the current query in <mark>. */
function appendHighlighted(parent, text) {
  const words = state.query.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) {
    parent.textContent = text;
    return;
  }
  const pattern = new RegExp(words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'gi');
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    parent.append(text.slice(last, match.index));
    const mark = document.createElement('mark');
    mark.textContent = match[0];
    parent.append(mark);
    last = match.index + match[0].length;
  }
  parent.append(text.slice(last));
}

/** Snippet of the body; while searching, starts near the first match. */
function snippet(body) {
  const flat = body.replace(/\s+/g, ' ').trim();
  const words = state.query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length) {
    const at = Math.min(...words.map((w) => flat.toLowerCase().indexOf(w)).filter((i) => i >= 0));
    if (Number.isFinite(at) && at > 40) return '…' + flat.slice(at - 30, at + 150);
  }
  return flat.slice(0, 180) || 'No additional text';
}

// -------------------------------------------------------------------- theme
function applyTheme(theme) {
  document.documentElement.dataset.theme = theme === 'dark' ? 'dark' : 'light';
}

function toggleTheme() {
  const next = document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark';
  document.body.classList.add('themed');
  applyTheme(next);
  Gluon.ipc.store.theme = next; // the backend sees it, logs it and saves it
}

// --------------------------------------------------------------------- list
function renderList() {
  els.list.replaceChildren();
  for (const note of state.shown) {
    const item = document.createElement('li');
    item.className = 'note-item';
    item.setAttribute('role', 'option');
    item.dataset.id = note.id;
    item.setAttribute('aria-selected', String(note.id === state.current?.id));

    const row = document.createElement('div');
    row.className = 'note-row';
    const title = document.createElement('span');
    title.className = 'note-title';
    appendHighlighted(title, note.title);
    const date = document.createElement('time');
    date.className = 'note-date';
    date.dateTime = note.updated.toISOString();
    date.textContent = relativeTime(note.updated);
    date.title = note.updated.toLocaleString();
    row.append(title, date);

    const text = document.createElement('div');
    text.className = 'note-snippet';
    appendHighlighted(text, snippet(note.body));

    item.append(row, text);
    item.addEventListener('click', () => selectNote(note.id));
    els.list.append(item);
  }
  const searching = state.query !== '';
  els.emptyList.hidden = state.shown.length > 0;
  els.emptyList.textContent = searching ? `Nothing matches “${state.query}”.` : 'No notes yet. Press + to write one.';
  els.list.dataset.query = state.query;
  els.count.textContent = String(Gluon.ipc.store.noteCount ?? state.notes.length);
}

async function refresh() {
  state.notes = await Gluon.ipc.listNotes();
  if (state.query) await runSearch(state.query);
  else state.shown = state.notes;
  renderList();
}

let searchSeq = 0;
async function runSearch(query) {
  const seq = ++searchSeq;
  const results = query ? await Gluon.ipc.send('search', query) : state.notes;
  if (seq !== searchSeq) return; // a newer search is on its way
  state.query = query;
  state.shown = results;
  renderList();
}

// ------------------------------------------------------------------- editor
function fillEditor(note) {
  state.current = note;
  els.title.value = note?.title ?? '';
  els.body.value = note?.body ?? '';
  setDirty(false);
  showError(null);
  resetDelete();
  els.del.disabled = !note;
  updateMeta();
  for (const item of els.list.children) item.setAttribute('aria-selected', String(item.dataset.id === note?.id));
}

function updateMeta() {
  const note = state.current;
  const words = wordCount(els.body.value);
  const count = `${words} ${words === 1 ? 'word' : 'words'}`;
  if (!note) {
    els.meta.textContent = `New note · ${count}`;
    return;
  }
  els.meta.textContent = `Edited ${relativeTime(note.updated)} · Created ${note.created.toLocaleDateString(undefined, { dateStyle: 'medium' })} · ${count}`;
}

function setDirty(dirty) {
  state.dirty = dirty;
  els.dirty.textContent = dirty ? 'Unsaved changes' : state.current ? 'All changes saved' : '';
}

function showError(error) {
  els.error.hidden = !error;
  els.error.replaceChildren();
  if (!error) return;
  // The backend threw; the page receives an Error with the same name and message.
  const name = document.createElement('code');
  name.textContent = `${error.name}:`;
  els.error.append(name, ` ${error.message}`);
}

/** Saves the editor; returns false (with the backend's error shown) if it did not. */
async function save() {
  if (state.busy) return false;
  state.busy = true;
  els.save.disabled = true;
  try {
    const saved = await Gluon.ipc.saveNote({
      id: state.current?.id,
      title: els.title.value,
      body: els.body.value,
    });
    await refresh();
    fillEditor(saved);
    return true;
  } catch (error) {
    showError(error);
    return false;
  } finally {
    state.busy = false;
    els.save.disabled = false;
  }
}

async function selectNote(id) {
  if (id === state.current?.id) return;
  if (state.dirty && !(await save())) return; // keep the unsaved text rather than lose it
  const note = state.notes.find((n) => n.id === id);
  if (note) fillEditor(note);
}

async function newNote() {
  if (state.dirty && !(await save())) return;
  fillEditor(null);
  els.title.focus();
}

let deleteTimer;
function resetDelete() {
  clearTimeout(deleteTimer);
  els.del.classList.remove('confirm');
  els.del.textContent = 'Delete';
}

async function deleteCurrent() {
  if (!state.current) return;
  if (!els.del.classList.contains('confirm')) {
    // First click arms the button; a second one within 3 s deletes.
    els.del.classList.add('confirm');
    els.del.textContent = 'Click to confirm';
    deleteTimer = setTimeout(resetDelete, 3000);
    return;
  }
  resetDelete();
  try {
    await Gluon.ipc.deleteNote(state.current.id);
    state.dirty = false;
    await refresh();
    fillEditor(state.shown[0] ?? null);
  } catch (error) {
    showError(error);
  }
}

// --------------------------------------------------------------- system info
async function showSystemInfo() {
  els.sysinfo.removeAttribute('data-loaded');
  els.sysinfoList.replaceChildren();
  els.sysinfo.showModal();
  try {
    const info = await Gluon.ipc.systemInfo();
    const rows = [
      ['Operating system', info.os],
      ['Processor', info.cpu],
      ['Memory', `${formatBytes(info.freeMemory)} free of ${formatBytes(info.totalMemory)}`],
      ['System uptime', formatDuration(info.systemUptime)],
      ['Backend running since', `${info.startedAt.toLocaleTimeString()} (${formatDuration(info.backendUptime)})`],
      ['Node.js', `${info.node} (V8 ${info.v8})`],
      ['Browser', info.browser],
      ['Browser JS engine', info.jsEngine],
      ['gluon-ts', Gluon.versions.gluon],
      ['Notes file', info.dataFile],
    ];
    for (const [label, value] of rows) {
      const dt = document.createElement('dt');
      dt.textContent = label;
      const dd = document.createElement('dd');
      dd.textContent = value;
      els.sysinfoList.append(dt, dd);
    }
  } catch (error) {
    const dd = document.createElement('dd');
    dd.textContent = `${error.name}: ${error.message}`;
    els.sysinfoList.append(dd);
  }
  els.sysinfo.dataset.loaded = '1';
}

// ---------------------------------------------------------- backend ticks
let ticks = 0;
Gluon.ipc.on('tick', (stats) => {
  ticks++;
  els.stats.textContent =
    `Backend up ${formatDuration(stats.uptime)}  ·  ${formatBytes(stats.freeMemory)} free of ${formatBytes(stats.totalMemory)}` +
    `  ·  backend RSS ${formatBytes(stats.rss)}`;
  els.stats.title = `Last tick ${stats.at.toLocaleTimeString()}`;
  els.dot.classList.add('live');
  els.dot.classList.remove('pulse');
  void els.dot.offsetWidth; // restart the animation
  els.dot.classList.add('pulse');
  document.body.dataset.ticks = String(ticks);
  if (ticks % 30 === 0 && !state.dirty && !state.busy) updateMeta(); // keep "Edited 3 min ago" fresh
  return 'ok';
});

// --------------------------------------------------------------------- wiring
function wire() {
  els.form.addEventListener('submit', (event) => {
    event.preventDefault();
    void save();
  });
  for (const input of [els.title, els.body]) {
    input.addEventListener('input', () => {
      setDirty(true);
      updateMeta();
    });
  }
  let searchTimer;
  els.search.addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => void runSearch(els.search.value.trim()), 120);
  });
  els.search.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      els.search.value = '';
      void runSearch('');
    }
  });
  els.newNote.addEventListener('click', () => void newNote());
  els.del.addEventListener('click', () => void deleteCurrent());
  els.theme.addEventListener('click', toggleTheme);
  els.info.addEventListener('click', () => void showSystemInfo());
  els.sysinfoClose.addEventListener('click', () => els.sysinfo.close());
  els.sysinfo.addEventListener('click', (event) => {
    if (event.target === els.sysinfo) els.sysinfo.close(); // click on the backdrop
  });
  document.addEventListener('keydown', (event) => {
    const mod = event.ctrlKey || event.metaKey;
    if (mod && event.key.toLowerCase() === 's') {
      event.preventDefault();
      void save();
    } else if (mod && event.key.toLowerCase() === 'n') {
      event.preventDefault();
      void newNote();
    } else if (mod && event.key.toLowerCase() === 'f') {
      event.preventDefault();
      els.search.focus();
    }
  });
}

async function start() {
  if (!window.Gluon) {
    document.body.innerHTML =
      '<p class="no-gluon">This page is the UI of the gluon-ts Notes demo. Start it with <code>node app.js</code>.</p>';
    return;
  }
  const v = Gluon.versions;
  els.versions.textContent = `gluon-ts ${v.gluon}  ·  Node ${v.node}  ·  ${v.product} ${v.browser}`;
  applyTheme(Gluon.ipc.store.theme); // the backend's store is here before this script runs
  wire();
  await refresh();
  fillEditor(state.shown[0] ?? null);
  document.body.dataset.ready = '1';
}

start().catch((error) => {
  els.stats.textContent = `Could not reach the backend: ${error.message}`;
});
