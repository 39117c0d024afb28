import type { OpenAiErrorBody, OpenAiErrorType } from '@conveyor/contracts';
import { ConveyorException, ErrorCode } from './conveyor.exception';

export interface MappedError {
  status: number;
  body: OpenAiErrorBody;
  headers: Record<string, string>;
}

const RETRY_AFTER_S = '2';

/** The longest path parameter the router accepts: ids are UUIDs (36 characters), with room to spare. */
export const MAX_PARAM_LENGTH = 128;

export function requestTimeout(): ConveyorException {
  return new ConveyorException(ErrorCode.RequestTimeout, 'The request took too long to arrive or to answer, and was cut.');
}

/** An HTTP parse error at the socket (Node's `clientError`): what it is, in our terms. */
export function fromClientError(err: { code?: string }): ConveyorException {
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT' || err.code === 'HPE_HEADER_OVERFLOW') return fromFrameworkError(err);
  return new ConveyorException(ErrorCode.InvalidRequest, 'Malformed HTTP request.');
}

/** The one place an error becomes an HTTP status, headers and OpenAI's error body. */
export function mapException(err: ConveyorException): MappedError {
  const [status, type, fixed] = classify(err.code);
  const retry: Record<string, string> = err.retryAfterS !== undefined && 'retry-after' in fixed ? { 'retry-after': String(err.retryAfterS) } : {};
  const headers = { ...fixed, ...retry, ...err.headers };
  return { status, headers, body: { error: { message: err.message, type, param: err.param, code: err.code } } };
}

function classify(code: ErrorCode): [number, OpenAiErrorType, Record<string, string>] {
  switch (code) {
    case ErrorCode.MissingApiKey:
    case ErrorCode.InvalidApiKey:
      return [401, 'authentication_error', { 'www-authenticate': 'Bearer' }];
    case ErrorCode.InvalidRequest:
    case ErrorCode.InvalidJson:
    case ErrorCode.InvalidUrl:
      return [400, 'invalid_request_error', {}];
    // The connection is closed after these: what is left of the request cannot be read reliably.
    case ErrorCode.RequestTimeout:
      return [408, 'invalid_request_error', { connection: 'close' }];
    case ErrorCode.UriTooLong:
      return [414, 'invalid_request_error', {}];
    case ErrorCode.HeadersTooLarge:
      return [431, 'invalid_request_error', { connection: 'close' }];
    case ErrorCode.UnsupportedMediaType:
      return [415, 'invalid_request_error', {}];
    case ErrorCode.PayloadTooLarge:
      return [413, 'invalid_request_error', {}];
    case ErrorCode.JobNotFound:
    case ErrorCode.WebhookNotFound:
    case ErrorCode.TenantNotFound:
    case ErrorCode.ApiKeyNotFound:
    case ErrorCode.DeadLetterNotFound:
    case ErrorCode.RouteNotFound:
      return [404, 'not_found_error', {}];
    // OpenAI answers an unknown model with 404 and type invalid_request_error; clients match on that.
    case ErrorCode.ModelNotFound:
      return [404, 'invalid_request_error', {}];
    case ErrorCode.RateLimited:
      return [429, 'rate_limit_error', { 'retry-after': RETRY_AFTER_S }];
    // A budget resets at midnight or the month's start: retrying sooner is useless, so the SDKs are told not to.
    case ErrorCode.QuotaExceeded:
      return [429, 'insufficient_quota', { 'x-should-retry': 'false' }];
    // 409 is what the SDKs retry: the first request will have finished by then.
    case ErrorCode.IdempotencyKeyInUse:
      return [409, 'invalid_request_error', { 'retry-after': '1' }];
    case ErrorCode.IdempotencyKeyReused:
      return [422, 'invalid_request_error', {}];
    case ErrorCode.PermissionDenied:
    case ErrorCode.TenantDisabled:
      return [403, 'permission_error', {}];
    case ErrorCode.TenantExists:
    case ErrorCode.DeadLetterSettled:
    case ErrorCode.JobNotReplayable:
      return [409, 'invalid_request_error', {}];
    case ErrorCode.BlockedDestination:
      return [422, 'invalid_request_error', {}];
    // A finished job's failure, for callers that waited on it: OpenAI's SDKs retry 5xx, which resubmits the work.
    case ErrorCode.ProviderError:
    case ErrorCode.JobFailed:
      return [502, 'server_error', {}];
    case ErrorCode.DeadlineExceeded:
    case ErrorCode.WaitTimeout:
      return [504, 'server_error', {}];
    // 410, not 409: the SDKs retry 409, and resubmitting a job someone cancelled (or let expire) would undo that choice.
    case ErrorCode.JobCancelled:
    case ErrorCode.JobExpired:
      return [410, 'invalid_request_error', {}];
    case ErrorCode.ProvidersUnavailable:
    case ErrorCode.BrokerUnavailable:
    case ErrorCode.DatabaseUnavailable:
      return [503, 'service_unavailable', { 'retry-after': RETRY_AFTER_S }];
    case ErrorCode.Internal:
      return [500, 'server_error', {}];
  }
}

/**
 * Fastify's and Node's own errors (URL, router, body parsing, limits, socket-level parse errors and timeouts) as
 * Conveyor exceptions. Their messages are never passed on: several quote the offending input, however large.
 */
export function fromFrameworkError(err: { code?: string; statusCode?: number; status?: number; message?: string }): ConveyorException {
  const status = err.statusCode ?? err.status;
  switch (err.code) {
    case 'FST_ERR_BAD_URL':
      return new ConveyorException(ErrorCode.InvalidUrl, 'The request URL is malformed (invalid percent-encoding).');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new ConveyorException(ErrorCode.UriTooLong, `A path parameter is longer than ${MAX_PARAM_LENGTH} characters.`);
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return requestTimeout();
    case 'HPE_HEADER_OVERFLOW':
      return new ConveyorException(ErrorCode.HeadersTooLarge, 'The request headers are too large.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ConveyorException(ErrorCode.UnsupportedMediaType, 'Content-Type must be application/json.');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ConveyorException(ErrorCode.PayloadTooLarge, 'Request body is too large.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ConveyorException(ErrorCode.InvalidJson, 'Request body is empty; expected a JSON object.');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ConveyorException(ErrorCode.InvalidJson, 'Content-Length does not match the body.');
  }
  if (status === 400) {
    const forbidden = /prototype|constructor/i.test(err.message ?? '');
    return new ConveyorException(
      ErrorCode.InvalidJson,
      forbidden ? 'Request body contains a forbidden key (__proto__ or constructor.prototype).' : 'Request body is not valid JSON.',
    );
  }
  if (status === 404) return new ConveyorException(ErrorCode.RouteNotFound, 'Unknown route.');
  if (status === 408) return requestTimeout();
  if (status === 414) return new ConveyorException(ErrorCode.UriTooLong, 'The request URI is too long.');
  if (status === 431) return new ConveyorException(ErrorCode.HeadersTooLarge, 'The request headers are too large.');
  if (status === 413) return new ConveyorException(ErrorCode.PayloadTooLarge, 'Request body is too large.');
  if (status === 415) return new ConveyorException(ErrorCode.UnsupportedMediaType, 'Content-Type must be application/json.');
  return new ConveyorException(ErrorCode.Internal, 'Internal server error.');
}
