/**
 * The console page's Content-Security-Policy, in place of the API's allow-nothing one: scripts and styles from this
 * origin only (Mantine also sets inline styles and one style element of CSS variables, hence 'unsafe-inline' for
 * styles, never for scripts), images and fonts from here or inline data, requests to this origin (the API and its
 * streams), no framing, no plugins, no forms posting anywhere.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** The page itself is revalidated on every load, so a new build is picked up at once. */
export const PAGE_CACHE_CONTROL = 'no-cache';
/** Assets carry a hash of their content in their name: any change is a new name, so they are cached for good. */
export const ASSET_CACHE_CONTROL = 'public, max-age=31536000, immutable';
