/**
 * What a delivery attempt that got no response is recorded as. Only the class: the attempt log and the dead
 * reason are shown to the tenant, and a driver message such as `connect ECONNREFUSED 10.0.0.5:22` would turn
 * webhooks into a scanner of the network behind the sender.
 */
export type AttemptErrorClass = 'timeout' | 'connection_failed' | 'tls_error' | 'protocol_error' | 'blocked_destination';

const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT']);
const TLS_CODES =
  /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|ERR_OSSL_|HOSTNAME_MISMATCH|ERR_TLS_CERT_ALTNAME_INVALID)/;

export function classifyAttemptError(err: { code?: string; message?: string }): AttemptErrorClass {
  const code = err.code ?? '';
  if (TIMEOUT_CODES.has(code)) return 'timeout';
  if (TLS_CODES.test(code) || /\b(ssl|tls|certificate)\b/i.test(err.message ?? '')) return 'tls_error';
  if (code.startsWith('HPE_')) return 'protocol_error';
  return 'connection_failed';
}
