import Anthropic from '@anthropic-ai/sdk';
import { ApiError as GoogleApiError } from '@google/genai';
import OpenAI from 'openai';
import { ProviderError } from './llm-provider.port';
import { googleRetryDelayMs, retryAfterMs } from './retry-after.util';

/** Who failed, and what must never appear in the message. */
export interface FailureContext {
  provider: string;
  signal: AbortSignal;
  /** The adapter's API key(s): upstreams sometimes echo them, and messages end up in logs and on the job. */
  secrets: readonly string[];
}

interface Failure {
  message: string;
  retryable: boolean;
  status?: number;
  retryAfterMs?: number;
}

/** Upstream error types (OpenAI's and Anthropic's `error.type`) that no retry can fix. */
const PERMANENT_TYPES = new Set(['invalid_request_error', 'authentication_error', 'permission_error', 'not_found_error', 'billing_error']);

/**
 * The one place where SDK and transport errors become Conveyor's: an abort by the caller's signal becomes an
 * AbortError (so cancellation is never mistaken for a failure and retried), and everything else a ProviderError
 * whose `retryable` follows the upstream's status — 408, 409, 429 and 5xx (529 included) retry, other 4xx do
 * not — with the status and any Retry-After kept for the router. Errors without a status (a reset connection,
 * a stream cut or garbled mid-way, a timeout) are transient by nature, so they retry.
 */
export function classifyProviderError(err: unknown, ctx: FailureContext): Error {
  if (ctx.signal.aborted) return abortError(ctx.signal);
  const failure = describe(err);
  const message = scrubSecrets(`${ctx.provider}: ${failure.message}`, ctx.secrets);
  return new ProviderError(message, failure.retryable, { status: failure.status, retryAfterMs: failure.retryAfterMs });
}

/** The error to throw when the caller's signal aborted: the caller's own AbortError, or one wrapping its reason. */
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  const message = reason instanceof Error ? reason.message : 'The operation was aborted';
  return new DOMException(message, { name: 'AbortError', cause: reason });
}

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

function describe(err: unknown): Failure {
  if (err instanceof ProviderError) return { message: err.message, retryable: err.retryable, status: err.status, retryAfterMs: err.retryAfterMs };
  if (err instanceof OpenAI.APIConnectionTimeoutError || err instanceof Anthropic.APIConnectionTimeoutError) {
    return { message: 'request timed out', retryable: true };
  }
  if (err instanceof OpenAI.APIError || err instanceof Anthropic.APIError) return describeStainless(err);
  if (err instanceof GoogleApiError) return describeGoogle(err);
  if (err instanceof SyntaxError) return { message: `malformed stream: ${err.message}`, retryable: true };
  if (err instanceof Error) return { message: withCause(err), retryable: true };
  return { message: String(err), retryable: true };
}

/** OpenAI's and Anthropic's SDKs share one generator (Stainless), hence one error shape. */
function describeStainless(err: InstanceType<typeof OpenAI.APIError> | InstanceType<typeof Anthropic.APIError>): Failure {
  if (err.status !== undefined) {
    return { message: err.message, retryable: isRetryableStatus(err.status), status: err.status, retryAfterMs: retryAfterMs(err.headers) };
  }
  // No status: a connection failure, or an `error` event inside a stream that had already answered 200.
  const type = typeof err.type === 'string' ? err.type : undefined;
  if (type === undefined) return { message: withCause(err), retryable: true };
  return { message: `${type}: ${err.message}`, retryable: !PERMANENT_TYPES.has(type) };
}

/** @google/genai puts the status on the error and the whole JSON error body in its message. */
function describeGoogle(err: InstanceType<typeof GoogleApiError>): Failure {
  const body = parseJsonTail(err.message);
  const upstream = (body as { error?: { message?: unknown } } | undefined)?.error?.message;
  const message = `${err.status} ${typeof upstream === 'string' ? upstream : err.message}`;
  return { message, retryable: isRetryableStatus(err.status), status: err.status, retryAfterMs: googleRetryDelayMs(body) };
}

function parseJsonTail(text: string): unknown {
  const start = text.indexOf('{');
  if (start < 0) return undefined;
  try {
    return JSON.parse(text.slice(start)) as unknown;
  } catch {
    return undefined;
  }
}

/** undici reports a reset as `TypeError: terminated` with the useful part ("other side closed") in `cause`. */
function withCause(err: Error): string {
  const cause = err.cause instanceof Error ? err.cause.message : undefined;
  return cause && cause !== err.message ? `${err.message} (${cause})` : err.message;
}

/**
 * Replaces every occurrence of each secret. Very short values (an empty key for a local server, a placeholder
 * like "x") are skipped: they are not secrets, and replacing them would shred the message.
 */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  return secrets.filter((s) => s.length >= 8).reduce((acc, secret) => acc.split(secret).join('[redacted]'), text);
}
