// Quiet-by-default logging. GLUON_DEBUG=ipc,cdp,browser,local,window (or `*`) turns
// namespaces on; lines go to stderr with the namespace and milliseconds since start.
const started = Date.now();
const enabled = new Set(
  String(process.env.GLUON_DEBUG ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean),
);

export type Logger = ((...parts: unknown[]) => void) & { enabled: boolean };

export function logger(namespace: string): Logger {
  const on = enabled.has('*') || enabled.has(namespace);
  const log = ((...parts: unknown[]) => {
    if (!on) return;
    const text = parts.map((part) => (typeof part === 'string' ? part : safeInspect(part))).join(' ');
    process.stderr.write(`[gluon:${namespace} +${Date.now() - started}ms] ${text}\n`);
  }) as Logger;
  log.enabled = on;
  return log;
}

function safeInspect(value: unknown): string {
  try {
    const text = JSON.stringify(value);
    return text && text.length > 500 ? `${text.slice(0, 500)}... (${text.length} chars)` : String(text);
  } catch {
    return String(value);
  }
}

/** Warns once per key (dangerous options). Always printed: it is about the app's safety. */
const warned = new Set<string>();
export function warnOnce(key: string, message: string): void {
  if (warned.has(key)) return;
  warned.add(key);
  process.emitWarning(message, { code: 'GLUON_DANGEROUS_OPTION' });
}
