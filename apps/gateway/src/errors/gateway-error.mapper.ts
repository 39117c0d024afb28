import type { OpenAiErrorBody, OpenAiErrorType } from '@conveyor/contracts';
import { GatewayErrorCode, GatewayException } from './gateway.exception';

export interface MappedError {
  status: number;
  body: OpenAiErrorBody;
  headers: Record<string, string>;
}

const RETRY_AFTER_S = '2';

/** The one place a gateway error becomes an HTTP status, headers and OpenAI's error body. */
export function mapGatewayException(err: GatewayException): MappedError {
  const [status, type, fixed] = classify(err.code);
  const headers = err.retryAfterS !== undefined && 'retry-after' in fixed ? { ...fixed, 'retry-after': String(err.retryAfterS) } : fixed;
  return { status, headers, body: { error: { message: err.message, type, param: err.param, code: err.code } } };
}

function classify(code: GatewayErrorCode): [number, OpenAiErrorType, Record<string, string>] {
  switch (code) {
    case GatewayErrorCode.MissingApiKey:
    case GatewayErrorCode.InvalidApiKey:
      return [401, 'authentication_error', { 'www-authenticate': 'Bearer' }];
    case GatewayErrorCode.InvalidRequest:
    case GatewayErrorCode.InvalidJson:
      return [400, 'invalid_request_error', {}];
    case GatewayErrorCode.UnsupportedMediaType:
      return [415, 'invalid_request_error', {}];
    case GatewayErrorCode.PayloadTooLarge:
      return [413, 'invalid_request_error', {}];
    case GatewayErrorCode.JobNotFound:
    case GatewayErrorCode.WebhookNotFound:
    case GatewayErrorCode.RouteNotFound:
      return [404, 'not_found_error', {}];
    // OpenAI answers an unknown model with 404 and type invalid_request_error; clients match on that.
    case GatewayErrorCode.ModelNotFound:
      return [404, 'invalid_request_error', {}];
    case GatewayErrorCode.RateLimited:
      return [429, 'rate_limit_error', { 'retry-after': RETRY_AFTER_S }];
    case GatewayErrorCode.BlockedDestination:
      return [422, 'invalid_request_error', {}];
    // A finished job's failure, for callers that waited on it: OpenAI's SDKs retry 5xx, which resubmits the work.
    case GatewayErrorCode.ProviderError:
    case GatewayErrorCode.JobFailed:
      return [502, 'server_error', {}];
    case GatewayErrorCode.DeadlineExceeded:
      return [504, 'server_error', {}];
    // 410, not 409: the SDKs retry 409, and resubmitting a job someone cancelled would undo the cancel.
    case GatewayErrorCode.JobCancelled:
      return [410, 'invalid_request_error', {}];
    case GatewayErrorCode.ProvidersUnavailable:
    case GatewayErrorCode.BrokerUnavailable:
    case GatewayErrorCode.DatabaseUnavailable:
      return [503, 'service_unavailable', { 'retry-after': RETRY_AFTER_S }];
    case GatewayErrorCode.Internal:
      return [500, 'server_error', {}];
  }
}

/** Fastify's own errors (body parsing, limits, routing) as gateway exceptions. */
export function fromFrameworkError(err: { code?: string; statusCode?: number; status?: number; message?: string }): GatewayException {
  const status = err.statusCode ?? err.status;
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new GatewayException(GatewayErrorCode.UnsupportedMediaType, 'Content-Type must be application/json.');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new GatewayException(GatewayErrorCode.PayloadTooLarge, 'Request body is too large.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new GatewayException(GatewayErrorCode.InvalidJson, 'Request body is empty; expected a JSON object.');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new GatewayException(GatewayErrorCode.InvalidJson, 'Content-Length does not match the body.');
  }
  if (status === 400) {
    const forbidden = /prototype|constructor/i.test(err.message ?? '');
    return new GatewayException(
      GatewayErrorCode.InvalidJson,
      forbidden ? 'Request body contains a forbidden key (__proto__ or constructor.prototype).' : 'Request body is not valid JSON.',
    );
  }
  if (status === 404) return new GatewayException(GatewayErrorCode.RouteNotFound, 'Unknown route.');
  if (status === 413) return new GatewayException(GatewayErrorCode.PayloadTooLarge, 'Request body is too large.');
  if (status === 415) return new GatewayException(GatewayErrorCode.UnsupportedMediaType, 'Content-Type must be application/json.');
  return new GatewayException(GatewayErrorCode.Internal, 'Internal server error.');
}
