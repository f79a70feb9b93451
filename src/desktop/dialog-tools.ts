// The command-line dialog tools: what each is run with (an argv array, never a shell) and how its
// answer is read back. zenity and kdialog on Linux; osascript on macOS, whose AppleScript text is
// fixed and gets the app's strings as `on run argv` arguments; PowerShell on Windows, whose script
// is fixed and gets them as JSON in an environment variable. No option is ever spliced into code.
import { runCommand, type CommandResult } from './command.js';
import type { FileFilter, MessageRequest, OpenDialogReturnValue, OpenRequest, SaveDialogReturnValue, SaveRequest } from './dialog.js';

/** The error for a tool that ended in a way that is not an answer (`why`: what it answered instead). */
function failed(tool: string, result: CommandResult, why?: string): Error {
  // What it printed on stderr explains an exit code; next to an answer it is only noise (GLib warnings).
  const said = why ? '' : result.stderr.trim().split('\n').filter(Boolean).slice(-3).join(' / ');
  why ??= `exit code ${result.code ?? result.signal}`;
  return new Error(`${tool} dialog failed (${why})${said ? `: ${said}` : ''}`);
}

/** The output with exactly one trailing newline taken off (a path may itself end in one). */
const chompOne = (text: string): string => (text.endsWith('\n') ? text.slice(0, -1) : text);

/** GLib and Qt tools print file names in the locale's charset: give them a UTF-8 one if it is not. */
function utf8Locale(env: Record<string, string | undefined>): Record<string, string> {
  const ctype = env.LC_ALL || env.LC_CTYPE || env.LANG || '';
  return /utf-?8/i.test(ctype) ? {} : { LC_ALL: 'C.UTF-8' };
}

function absolutePaths(tool: string, paths: string[], result: CommandResult): string[] {
  const bad = paths.find((path) => !path.startsWith('/'));
  if (bad !== undefined) throw failed(tool, result, `it answered ${JSON.stringify(bad.slice(0, 80))}, which is not an absolute path`);
  return paths;
}

/** `name (*.a *.b)` patterns, '*' for all files. */
const patterns = (filter: FileFilter): string[] => filter.extensions.map((e) => (e === '*' ? '*' : `*.${e}`));

// zenity (GTK). Multiple paths are joined by "/./", which no canonical path (what GTK answers)
// contains, so file names with newlines or any other character split back exactly.
export const ZENITY_SEPARATOR = '/./';

/** GTK button labels read '_' as a mnemonic: doubled, it shows as itself. */
const zenityLabel = (label: string): string => label.replace(/_/g, '__');

/** zenity's options that attach the dialog to the app window (transient for it, and modal). */
const zenityParent = (parent: number | undefined): string[] => (parent === undefined ? [] : [`--attach=${parent}`, '--modal']);

function zenityFileArgs(request: OpenRequest | SaveRequest, save: boolean): string[] {
  const args = ['--file-selection', ...zenityParent(request.parent)];
  if (request.title !== undefined) args.push(`--title=${request.title}`);
  const { folder, name } = request.start;
  if (folder) args.push(`--filename=${name ? `${folder.replace(/\/$/, '')}/${name}` : `${folder.replace(/\/$/, '')}/`}`);
  for (const filter of request.filters) args.push(`--file-filter=${filter.name.replace(/\|/g, ' ')} | ${patterns(filter).join(' ')}`);
  if (save) args.push('--save', '--confirm-overwrite');
  return args;
}

async function zenityFiles(command: string, args: string[], env: Record<string, string | undefined>): Promise<{ canceled: boolean; paths: string[] }> {
  const result = await runCommand(command, args, { env: utf8Locale(env) });
  const out = result.stdout.toString('utf8');
  if (result.code === 1 && out === '') return { canceled: true, paths: [] };
  if (result.code !== 0) throw failed('zenity', result);
  const text = chompOne(out);
  if (text === '') return { canceled: true, paths: [] };
  const paths = args.includes('--multiple') ? text.split(ZENITY_SEPARATOR) : [text];
  return { canceled: false, paths: absolutePaths('zenity', paths, result) };
}

export const runZenity = {
  args: {
    open(request: OpenRequest): string[] {
      const args = zenityFileArgs(request, false);
      if (request.directory) args.push('--directory');
      if (request.multiple) args.push('--multiple', `--separator=${ZENITY_SEPARATOR}`);
      return args;
    },
    save: (request: SaveRequest): string[] => zenityFileArgs(request, true),
    /**
     * One button of type info, warning or error: that dialog with the label on its OK button. Else:
     * the type's dialog with the first button as OK and the others as extra buttons (zenity prints
     * an extra button's label), or for 'question' and 'none' a question with every button an extra
     * one (--switch).
     */
    message(request: MessageRequest): string[] {
      const kind = request.type === 'info' || request.type === 'warning' || request.type === 'error' ? request.type : 'question';
      const args = [`--${kind}`, '--no-markup', ...zenityParent(request.parent)];
      if (request.title !== undefined) args.push(`--title=${request.title}`);
      args.push(`--text=${request.detail ? `${request.message}\n\n${request.detail}` : request.message}`); // --no-markup: shown as is
      const labels = request.buttons.map(zenityLabel);
      if (kind === 'question') {
        args.push('--switch', ...labels.map((label) => `--extra-button=${label}`));
      } else {
        args.push(`--ok-label=${labels[0]}`, ...labels.slice(1).map((label) => `--extra-button=${label}`));
      }
      return args;
    },
  },
  async open(command: string, request: OpenRequest, env: Record<string, string | undefined>): Promise<OpenDialogReturnValue> {
    const { canceled, paths } = await zenityFiles(command, runZenity.args.open(request), env);
    return { canceled, filePaths: paths };
  },
  async save(command: string, request: SaveRequest, env: Record<string, string | undefined>): Promise<SaveDialogReturnValue> {
    const { canceled, paths } = await zenityFiles(command, runZenity.args.save(request), env);
    return { canceled, filePath: paths[0] ?? '' };
  },
  async message(command: string, request: MessageRequest, env: Record<string, string | undefined>): Promise<number> {
    const args = runZenity.args.message(request);
    const result = await runCommand(command, args, { env: utf8Locale(env) });
    const pressed = chompOne(result.stdout.toString('utf8'));
    const switched = args.includes('--switch');
    if (result.code === 0 && !switched) return 0;
    if (result.code === 1 || (result.code === 0 && switched)) {
      if (pressed === '') return request.cancelId;
      const index = request.buttons.map(zenityLabel).indexOf(pressed, switched ? 0 : 1);
      if (index === -1) throw failed('zenity', result, `it answered ${JSON.stringify(pressed.slice(0, 80))}, which is not one of the buttons`);
      return index;
    }
    throw failed('zenity', result);
  },
};

// kdialog (KDE). Its multiple selection prints one path a line (--separate-output): a file name
// with a newline in it cannot be told apart there (the README says so).
const kdialogFilter = (filters: FileFilter[]): string => filters.map((f) => `${patterns(f).join(' ')}|${f.name.replace(/[|\n]/g, ' ')}`).join('\n');

/** kdialog's option that attaches the dialog to the app window. */
const kdialogParent = (parent: number | undefined): string[] => (parent === undefined ? [] : ['--attach', String(parent)]);

export const runKdialog = {
  args: {
    open(request: OpenRequest): string[] {
      const args: string[] = kdialogParent(request.parent);
      if (request.title !== undefined) args.push('--title', request.title);
      const { folder, name } = request.start;
      const start = folder ? (name ? `${folder}/${name}` : folder) : process.cwd();
      if (request.directory) args.push('--getexistingdirectory', start);
      else args.push('--getopenfilename', start, kdialogFilter(request.filters));
      if (request.multiple && !request.directory) args.push('--multiple', '--separate-output');
      return args;
    },
    save(request: SaveRequest): string[] {
      const args: string[] = kdialogParent(request.parent);
      if (request.title !== undefined) args.push('--title', request.title);
      const { folder, name } = request.start;
      args.push('--getsavefilename', folder ? (name ? `${folder}/${name}` : `${folder}/`) : process.cwd(), kdialogFilter(request.filters));
      return args;
    },
    /** One button: a message box; two: yes/no; three: yes/no/cancel (kdialog has no more). */
    message(request: MessageRequest): string[] {
      const { buttons, type } = request;
      if (buttons.length > 3) throw new Error(`kdialog shows at most 3 buttons, ${buttons.length} were asked for (install zenity for more)`);
      const text = request.detail ? `${request.message}\n\n${request.detail}` : request.message;
      const args: string[] = kdialogParent(request.parent);
      if (request.title !== undefined) args.push('--title', request.title);
      const warn = type === 'warning' || type === 'error';
      if (buttons.length === 1) args.push(type === 'error' ? '--error' : type === 'warning' ? '--sorry' : '--msgbox', text, '--ok-label', buttons[0]!);
      else if (buttons.length === 2) args.push(warn ? '--warningyesno' : '--yesno', text, '--yes-label', buttons[0]!, '--no-label', buttons[1]!);
      else args.push(warn ? '--warningyesnocancel' : '--yesnocancel', text, '--yes-label', buttons[0]!, '--no-label', buttons[1]!, '--cancel-label', buttons[2]!);
      return args;
    },
  },
  async open(command: string, request: OpenRequest, env: Record<string, string | undefined>): Promise<OpenDialogReturnValue> {
    const args = runKdialog.args.open(request);
    const result = await runCommand(command, args, { env: utf8Locale(env) });
    if (result.code === 1) return { canceled: true, filePaths: [] };
    if (result.code !== 0) throw failed('kdialog', result);
    const text = chompOne(result.stdout.toString('utf8'));
    if (text === '') return { canceled: true, filePaths: [] };
    return { canceled: false, filePaths: absolutePaths('kdialog', args.includes('--multiple') ? text.split('\n') : [text], result) };
  },
  async save(command: string, request: SaveRequest, env: Record<string, string | undefined>): Promise<SaveDialogReturnValue> {
    const result = await runCommand(command, runKdialog.args.save(request), { env: utf8Locale(env) });
    if (result.code === 1) return { canceled: true, filePath: '' };
    if (result.code !== 0) throw failed('kdialog', result);
    const text = chompOne(result.stdout.toString('utf8'));
    return text === '' ? { canceled: true, filePath: '' } : { canceled: false, filePath: absolutePaths('kdialog', [text], result)[0]! };
  },
  async message(command: string, request: MessageRequest, env: Record<string, string | undefined>): Promise<number> {
    const result = await runCommand(command, runKdialog.args.message(request), { env: utf8Locale(env) });
    const n = request.buttons.length;
    if (result.code === 0) return 0;
    if (n === 1 && result.code === 1) return request.cancelId;
    if (n >= 2 && result.code === 1) return 1;
    if (n === 3 && result.code === 2) return 2;
    throw failed('kdialog', result);
  },
};

// osascript (macOS). The script is one of a few fixed texts (chosen by flags); every string of
// the app comes in argv. It prints "ok" or "canceled", then each path, joined by NUL characters.
const NUL = '\0';

/** The AppleScript that prints the chosen paths; `picker` is a fixed command with argv items. */
const appleScriptFor = (picker: string): string =>
  [
    'on run argv',
    '  try',
    `    set picked to ${picker}`,
    '  on error number -128',
    '    return "canceled"',
    '  end try',
    '  if class of picked is not list then set picked to {picked}',
    '  set answer to "ok"',
    '  repeat with chosen in picked',
    '    set answer to answer & (character id 0) & (POSIX path of chosen)',
    '  end repeat',
    '  return answer',
    'end run',
  ].join('\n');

/** osascript's answer: ok/canceled then paths; a folder's trailing slash is taken off, as Electron has it. */
function osascriptPaths(result: CommandResult): { canceled: boolean; paths: string[] } {
  if (result.code !== 0) throw failed('osascript', result);
  const [status, ...paths] = chompOne(result.stdout.toString('utf8')).split(NUL);
  if (status === 'canceled') return { canceled: true, paths: [] };
  if (status !== 'ok') throw failed('osascript', result, `it answered ${JSON.stringify(String(status).slice(0, 80))}`);
  return { canceled: false, paths: absolutePaths('osascript', paths, result).map((p) => (p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p)) };
}

export const runOsascript = {
  /** argv: 1 prompt, 2 start folder, 3 proposed name, 4... extensions. */
  args: {
    open(request: OpenRequest): string[] {
      let picker = request.directory ? 'choose folder' : 'choose file';
      if (request.prompt !== undefined) picker += ' with prompt (item 1 of argv)';
      const types = request.directory ? [] : request.filters.flatMap((f) => f.extensions);
      if (types.length && !types.includes('*')) picker += ' of type (items 4 thru -1 of argv)';
      if (request.start.folder) picker += ' default location (POSIX file (item 2 of argv))';
      if (request.showHidden) picker += ' with invisibles';
      if (request.multiple) picker += ' with multiple selections allowed';
      return ['-e', appleScriptFor(picker), request.prompt ?? '', request.start.folder ?? '', request.start.name ?? '', ...(types.includes('*') ? [] : types)];
    },
    save(request: SaveRequest): string[] {
      let picker = 'choose file name';
      if (request.prompt !== undefined) picker += ' with prompt (item 1 of argv)';
      if (request.start.name) picker += ' default name (item 3 of argv)';
      if (request.start.folder) picker += ' default location (POSIX file (item 2 of argv))';
      return ['-e', appleScriptFor(picker), request.prompt ?? '', request.start.folder ?? '', request.start.name ?? ''];
    },
    /** argv: 1 message, 2 detail, 3... buttons. display alert shows 3 buttons at most. */
    message(request: MessageRequest): string[] {
      const { buttons } = request;
      if (buttons.length > 3) throw new Error(`osascript's display alert shows at most 3 buttons, ${buttons.length} were asked for`);
      const as = request.type === 'error' ? 'critical' : request.type === 'warning' ? 'warning' : 'informational';
      const script = [
        'on run argv',
        '  try',
        `    set answer to display alert (item 1 of argv) message (item 2 of argv) as ${as} buttons (items 3 thru -1 of argv) default button ${request.defaultId + 1} cancel button ${request.cancelId + 1}`,
        '  on error number -128',
        '    return "canceled"',
        '  end try',
        '  return "ok" & (character id 0) & (button returned of answer)',
        'end run',
      ].join('\n');
      return ['-e', script, request.message, request.detail ?? '', ...buttons];
    },
  },
  async open(command: string, request: OpenRequest): Promise<OpenDialogReturnValue> {
    const { canceled, paths } = osascriptPaths(await runCommand(command, runOsascript.args.open(request)));
    return { canceled, filePaths: paths };
  },
  async save(command: string, request: SaveRequest): Promise<SaveDialogReturnValue> {
    const { canceled, paths } = osascriptPaths(await runCommand(command, runOsascript.args.save(request)));
    return { canceled, filePath: paths[0] ?? '' };
  },
  async message(command: string, request: MessageRequest): Promise<number> {
    const result = await runCommand(command, runOsascript.args.message(request));
    if (result.code !== 0) throw failed('osascript', result);
    const [status, label] = chompOne(result.stdout.toString('utf8')).split(NUL);
    if (status === 'canceled') return request.cancelId; // the cancel button, or Escape
    const index = status === 'ok' && label !== undefined ? request.buttons.indexOf(label) : -1;
    if (index === -1) throw failed('osascript', result, `it answered ${JSON.stringify(chompOne(result.stdout.toString('utf8')).slice(0, 80))}`);
    return index;
  },
};

// PowerShell (Windows) with Windows Forms. The script text is fixed; the request comes as JSON in
// GLUON_DIALOG. Paths come back one a line in base64 of UTF-8, so no console code page can bend them.
export const POWERSHELL_ENV = 'GLUON_DIALOG';

const PS_PRELUDE = [
  "$ErrorActionPreference = 'Stop'",
  'Add-Type -AssemblyName System.Windows.Forms',
  'Add-Type -AssemblyName System.Drawing',
  '[System.Windows.Forms.Application]::EnableVisualStyles()',
  `$o = $env:${POWERSHELL_ENV} | ConvertFrom-Json`,
  'function Send($status, $paths) { $lines = @($status); foreach ($p in $paths) { $lines += [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($p)) }; [Console]::Out.Write(($lines -join "`n")) }',
];

const PS_FILE = {
  open: [
    'if ($o.directory) {',
    '  $d = New-Object System.Windows.Forms.FolderBrowserDialog',
    '  if ($o.title) { $d.Description = $o.title }',
    '  if ($o.folder) { $d.SelectedPath = $o.folder }',
    "  if ($d.ShowDialog() -eq 'OK') { Send 'ok' @($d.SelectedPath) } else { Send 'canceled' @() }",
    '} else {',
    '  $d = New-Object System.Windows.Forms.OpenFileDialog',
    '  if ($o.title) { $d.Title = $o.title }',
    '  if ($o.folder) { $d.InitialDirectory = $o.folder }',
    '  if ($o.name) { $d.FileName = $o.name }',
    '  if ($o.filter) { $d.Filter = $o.filter }',
    '  $d.Multiselect = [bool]$o.multiple',
    "  if ($d.ShowDialog() -eq 'OK') { Send 'ok' $d.FileNames } else { Send 'canceled' @() }",
    '}',
  ],
  save: [
    '$d = New-Object System.Windows.Forms.SaveFileDialog',
    '$d.OverwritePrompt = $true',
    'if ($o.title) { $d.Title = $o.title }',
    'if ($o.folder) { $d.InitialDirectory = $o.folder }',
    'if ($o.name) { $d.FileName = $o.name }',
    'if ($o.filter) { $d.Filter = $o.filter }',
    "if ($d.ShowDialog() -eq 'OK') { Send 'ok' @($d.FileName) } else { Send 'canceled' @() }",
  ],
  /** A small form of our own: MessageBox.Show has no free button labels. Prints the index, or -1 when closed. */
  message: [
    '$f = New-Object System.Windows.Forms.Form',
    'if ($o.title) { $f.Text = $o.title }',
    "$f.FormBorderStyle = 'FixedDialog'; $f.MaximizeBox = $false; $f.MinimizeBox = $false; $f.StartPosition = 'CenterScreen'; $f.TopMost = $true",
    "$f.AutoSize = $true; $f.AutoSizeMode = 'GrowAndShrink'; $f.Padding = New-Object System.Windows.Forms.Padding(12)",
    "$t = New-Object System.Windows.Forms.TableLayoutPanel; $t.AutoSize = $true; $t.ColumnCount = 2; $t.Dock = 'Fill'",
    '$icons = @{ info = [System.Drawing.SystemIcons]::Information; warning = [System.Drawing.SystemIcons]::Warning; error = [System.Drawing.SystemIcons]::Error; question = [System.Drawing.SystemIcons]::Question }',
    'if ($icons.ContainsKey($o.type)) { $i = New-Object System.Windows.Forms.PictureBox; $i.Image = $icons[$o.type].ToBitmap(); $i.SizeMode = \'AutoSize\'; $t.Controls.Add($i, 0, 0) }',
    '$l = New-Object System.Windows.Forms.Label; $l.Text = $o.text; $l.AutoSize = $true; $l.UseMnemonic = $false; $l.MaximumSize = New-Object System.Drawing.Size(480, 0); $t.Controls.Add($l, 1, 0)',
    "$p = New-Object System.Windows.Forms.FlowLayoutPanel; $p.AutoSize = $true; $p.Dock = 'Right'; $t.Controls.Add($p, 1, 1)",
    '$script:answer = -1',
    'for ($n = 0; $n -lt $o.buttons.Count; $n++) {',
    '  $b = New-Object System.Windows.Forms.Button; $b.Text = $o.buttons[$n]; $b.Tag = $n; $b.AutoSize = $true',
    '  $b.Add_Click({ $script:answer = $this.Tag; $f.Close() })',
    '  $p.Controls.Add($b)',
    '  if ($n -eq $o.defaultId) { $f.AcceptButton = $b; $f.Add_Shown({ $this.AcceptButton.Focus() }) }',
    '  if ($n -eq $o.cancelId) { $f.CancelButton = $b }',
    '}',
    '$f.Controls.Add($t)',
    '[void]$f.ShowDialog()',
    '[Console]::Out.Write([string]$script:answer)',
  ],
};

/** The .NET filter string: `Name|*.a;*.b|...` ('|' in a name would end it early, so it becomes a space). */
const dotnetFilter = (filters: FileFilter[]): string => filters.map((f) => `${f.name.replace(/\|/g, ' ')}|${patterns(f).join(';')}`).join('|');

/** powershell.exe's arguments for a script: -EncodedCommand (UTF-16LE in base64), so no quoting rule touches it. */
export const powerShellArgs = (script: string[]): string[] => ['-NoProfile', '-NonInteractive', '-STA', '-ExecutionPolicy', 'Bypass', '-EncodedCommand', Buffer.from([...PS_PRELUDE, ...script].join('\n'), 'utf16le').toString('base64')];

function powerShellPaths(result: CommandResult): { canceled: boolean; paths: string[] } {
  if (result.code !== 0) throw failed('PowerShell', result);
  const [status, ...lines] = result.stdout.toString('utf8').trim().split(/\r?\n/);
  if (status === 'canceled') return { canceled: true, paths: [] };
  if (status !== 'ok' || lines.some((line) => !/^[A-Za-z0-9+/]*={0,2}$/.test(line))) throw failed('PowerShell', result, `it answered ${JSON.stringify(result.stdout.toString('utf8').slice(0, 80))}`);
  return { canceled: false, paths: lines.map((line) => Buffer.from(line, 'base64').toString('utf8')) };
}

export const runPowerShell = {
  /** The JSON given in GLUON_DIALOG. */
  env: {
    open: (request: OpenRequest) => ({ [POWERSHELL_ENV]: JSON.stringify({ title: request.title ?? '', folder: request.start.folder ?? '', name: request.start.name ?? '', filter: dotnetFilter(request.filters), multiple: request.multiple, directory: request.directory }) }),
    save: (request: SaveRequest) => ({ [POWERSHELL_ENV]: JSON.stringify({ title: request.title ?? '', folder: request.start.folder ?? '', name: request.start.name ?? '', filter: dotnetFilter(request.filters) }) }),
    message: (request: MessageRequest) => ({
      [POWERSHELL_ENV]: JSON.stringify({ title: request.title ?? '', text: request.detail ? `${request.message}\n\n${request.detail}` : request.message, type: request.type, buttons: request.buttons, defaultId: request.defaultId, cancelId: request.cancelId }),
    }),
  },
  async open(command: string, request: OpenRequest): Promise<OpenDialogReturnValue> {
    const { canceled, paths } = powerShellPaths(await runCommand(command, powerShellArgs(PS_FILE.open), { env: runPowerShell.env.open(request) }));
    return { canceled, filePaths: paths };
  },
  async save(command: string, request: SaveRequest): Promise<SaveDialogReturnValue> {
    const { canceled, paths } = powerShellPaths(await runCommand(command, powerShellArgs(PS_FILE.save), { env: runPowerShell.env.save(request) }));
    return { canceled, filePath: paths[0] ?? '' };
  },
  async message(command: string, request: MessageRequest): Promise<number> {
    const result = await runCommand(command, powerShellArgs(PS_FILE.message), { env: runPowerShell.env.message(request) });
    if (result.code !== 0) throw failed('PowerShell', result);
    const answer = result.stdout.toString('utf8').trim();
    const index = /^-?\d+$/.test(answer) ? Number(answer) : NaN;
    if (index === -1) return request.cancelId;
    if (!(index >= 0 && index < request.buttons.length)) throw failed('PowerShell', result, `it answered ${JSON.stringify(answer.slice(0, 80))}`);
    return index;
  },
};
