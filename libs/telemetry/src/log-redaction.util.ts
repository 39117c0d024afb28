/** What a redacted value is replaced with, in fields and in text alike. */
export const REDACTED = '[REDACTED]';

/**
 * Field names whose values are never written: HTTP credentials as Node spells headers (lower case), and the names
 * our settings and provider SDKs use for secrets.
 */
const SECRET_FIELDS = [
  'authorization',
  'Authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'api-key',
  'api_key',
  'apiKey',
  'x-goog-api-key',
  'password',
  'passwd',
  'secret',
  'secretKey',
  'secret_key',
  'client_secret',
  'key',
  'token',
  'access_token',
  'refresh_token',
  'accessToken',
  'refreshToken',
];

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * pino `redact` paths for the fields above: at the top level, and wherever the logger puts values a caller hands
 * it (`data`, an object logged as the message; `details`, extra arguments) up to three levels down. Rooted there
 * rather than at `*`: a top-level wildcard makes redaction walk every line's fields, twenty times the cost of a
 * line, while these cost nothing on a line that has neither.
 */
export function redactPaths(): string[] {
  const paths: string[] = [];
  for (const field of SECRET_FIELDS) {
    const member = IDENTIFIER.test(field) ? `.${field}` : `["${field}"]`;
    paths.push(IDENTIFIER.test(field) ? field : member, `data${member}`, `data.*${member}`, `data.*.*${member}`, `details.*${member}`, `details.*.*${member}`);
  }
  return paths;
}

/**
 * Secrets as they appear in free text: the password of a URL (`amqp://user:pass@`, `postgres://user:pass@`), a
 * bearer token (8 characters at least, like our keys, so prose such as "bearer token" stays), a key in a query string (`?api_key=`, EventSource's way in; `?key=`, Gemini's), a Standard Webhooks
 * signing secret, and provider API keys (`sk-…`, which some upstream errors echo). One alternation, so a line is
 * scanned once. No class crosses a quote or a backslash, so scrubbing a serialized JSON line keeps it valid JSON;
 * placeholders in angle brackets (`amqp://<user>:<password>@`, `Bearer <key>`) are help text, and stay.
 */
const SECRET_TEXT =
  /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:@/"\\<>]*:)[^\s@/"\\]+@|\b(Bearer\s+)[A-Za-z0-9\-._~+/]{8,}=*|([?&](?:api_key|apikey|access_token|token|key)=)[^&\s#"'\\]+|\bwhsec_[A-Za-z0-9+/=]+|\bsk-[A-Za-z0-9_-]{16,}/gi;

/** `text` with every secret SECRET_TEXT knows replaced. */
export function scrubSecrets(text: string): string {
  return text.replace(SECRET_TEXT, (match: string, urlHead?: string, bearer?: string, param?: string) => {
    if (urlHead) return `${urlHead}${REDACTED}@`;
    if (bearer) return `${bearer}${REDACTED}`;
    if (param) return `${param}${REDACTED}`;
    return /^whsec_/i.test(match) ? `whsec_${REDACTED}` : REDACTED;
  });
}
