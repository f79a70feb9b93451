// The origin of a URL, for comparing where a request or a navigation goes.

/** `url`'s origin (`https://host[:port]`), or '' for a URL that does not parse. */
export function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '';
  }
}
