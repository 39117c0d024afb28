/** Every way a gateway request can fail. The mapper turns each into an HTTP status and OpenAI's error shape. */
export enum GatewayErrorCode {
  MissingApiKey = 'missing_api_key',
  InvalidApiKey = 'invalid_api_key',
  InvalidRequest = 'invalid_request',
  InvalidJson = 'invalid_json',
  UnsupportedMediaType = 'unsupported_media_type',
  PayloadTooLarge = 'payload_too_large',
  JobNotFound = 'job_not_found',
  ModelNotFound = 'model_not_found',
  RouteNotFound = 'not_found',
  RateLimited = 'rate_limit_exceeded',
  /** A webhook URL the SSRF guard refuses (scheme, or a loopback/private/link-local/… destination). */
  BlockedDestination = 'blocked_destination',
  WebhookNotFound = 'webhook_not_found',
  /** A job answered synchronously (`/openai/v1`, `stream: true`) ended badly; see job-failure.mapper. */
  ProviderError = 'provider_error',
  ProvidersUnavailable = 'providers_unavailable',
  DeadlineExceeded = 'deadline_exceeded',
  JobCancelled = 'job_cancelled',
  JobFailed = 'job_failed',
  BrokerUnavailable = 'broker_unavailable',
  DatabaseUnavailable = 'database_unavailable',
  Internal = 'internal_error',
}

/** The gateway's one exception type. `param` names the offending request field, OpenAI style. */
export class GatewayException extends Error {
  constructor(
    readonly code: GatewayErrorCode,
    message: string,
    readonly param: string | null = null,
    /** Seconds the caller should wait before trying again (429, 503). */
    readonly retryAfterS?: number,
  ) {
    super(message);
    this.name = 'GatewayException';
  }

  /** OpenAI's own wording and code for a model the caller cannot use. */
  static modelNotFound(model: string): GatewayException {
    return new GatewayException(GatewayErrorCode.ModelNotFound, `The model '${model.slice(0, 256)}' does not exist or you do not have access to it.`, 'model');
  }

  static jobNotFound(id: string): GatewayException {
    return new GatewayException(GatewayErrorCode.JobNotFound, `No job found with id '${id.slice(0, 64)}'.`, 'job_id');
  }
}
