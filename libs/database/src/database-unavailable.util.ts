/** Node socket errors that mean the server could not be reached or the connection broke. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/** SQLSTATEs of a server that is going away, starting, or full (class 08 is checked by prefix). */
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '53300']);
/** What node-postgres and its pool say, without a code, when a connection ends or cannot be had. */
const UNAVAILABLE_MESSAGES = [
  /connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /connection (is )?closed/i,
  /client has encountered a connection error/i,
  /terminating connection/i,
];

/**
 * Whether an error from a store call means the database could not be reached (down, restarting, connection cut,
 * pool exhausted) rather than anything about the statement or its data. Callers use it to wait out an outage
 * instead of spending a message's retry budget, which a 15 s outage would otherwise exhaust; anything it does not
 * recognise counts as an ordinary failure.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  let cause: unknown = err;
  for (let depth = 0; cause && depth < 4; depth++) {
    const e = cause as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown };
    const code = typeof e.code === 'string' ? e.code : '';
    if (SOCKET_CODES.has(code) || UNAVAILABLE_STATES.has(code) || code.startsWith('08')) return true;
    if (typeof e.message === 'string' && UNAVAILABLE_MESSAGES.some((re) => re.test(e.message as string))) return true;
    cause = e.driverError ?? e.cause;
  }
  return false;
}
