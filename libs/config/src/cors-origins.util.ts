/** Parses CORS_ORIGINS: origins separated by commas or spaces (`https://app.example.com`); empty: CORS off. */
export function parseOrigins(text: string | undefined): string[] {
  return (text ?? '').split(/[\s,]+/).filter((entry) => entry !== '');
}

/** Whether an entry is an origin as browsers send it: scheme, host and optional port, nothing else. */
export function isOrigin(entry: string): boolean {
  try {
    const url = new URL(entry);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === entry;
  } catch {
    return false;
  }
}
