/** Every way a request can fail. The mapper turns each into an HTTP status and OpenAI's error shape. */
export enum ErrorCode {
  MissingApiKey = 'missing_api_key',
  InvalidApiKey = 'invalid_api_key',
  InvalidRequest = 'invalid_request',
  InvalidJson = 'invalid_json',
  /** A request line whose path cannot be decoded. */
  InvalidUrl = 'invalid_url',
  /** A path parameter longer than any id (the router's maxParamLength). */
  UriTooLong = 'uri_too_long',
  /** The request did not arrive, or was not answered, within its time limit. */
  RequestTimeout = 'request_timeout',
  /** The request head is larger than the server accepts. */
  HeadersTooLarge = 'request_headers_too_large',
  UnsupportedMediaType = 'unsupported_media_type',
  PayloadTooLarge = 'payload_too_large',
  JobNotFound = 'job_not_found',
  ModelNotFound = 'model_not_found',
  RouteNotFound = 'not_found',
  RateLimited = 'rate_limit_exceeded',
  /** Past a token or cost budget (OpenAI's code and type for an exhausted quota). */
  QuotaExceeded = 'insufficient_quota',
  /** An Idempotency-Key whose first request is still being accepted. */
  IdempotencyKeyInUse = 'idempotency_key_in_use',
  /** An Idempotency-Key reused with a different request. */
  IdempotencyKeyReused = 'idempotency_key_reused',
  /** A valid key of the wrong scope: a tenant key on an admin route, or an admin key on a tenant route. */
  PermissionDenied = 'permission_denied',
  TenantNotFound = 'tenant_not_found',
  /** An admin disabled the caller's tenant: its keys are refused (its accepted jobs run on). */
  TenantDisabled = 'tenant_disabled',
  /** The admin API: a tenant that exists already. */
  TenantExists = 'tenant_exists',
  ApiKeyNotFound = 'api_key_not_found',
  DeadLetterNotFound = 'dead_letter_not_found',
  /** A dead letter already replayed (it cannot be discarded) or discarded (it cannot be replayed). */
  DeadLetterSettled = 'dead_letter_settled',
  /** A dead letter whose job is no longer failed (it ended otherwise, or has no row): replaying it would run it twice. */
  JobNotReplayable = 'job_not_replayable',
  /** A webhook URL the SSRF guard refuses (scheme, or a loopback/private/link-local/… destination). */
  BlockedDestination = 'blocked_destination',
  WebhookNotFound = 'webhook_not_found',
  /** A job answered synchronously (`/openai/v1`, `stream: true`) ended badly; see job-failure.mapper. */
  ProviderError = 'provider_error',
  ProvidersUnavailable = 'providers_unavailable',
  DeadlineExceeded = 'deadline_exceeded',
  /** A caller waited as long as it may for a job that goes on running (seed 002's `/v1/query`). */
  WaitTimeout = 'wait_timeout',
  JobCancelled = 'job_cancelled',
  /** The job's `expires_at` passed while it was still queued: it never ran. */
  JobExpired = 'job_expired',
  JobFailed = 'job_failed',
  BrokerUnavailable = 'broker_unavailable',
  DatabaseUnavailable = 'database_unavailable',
  Internal = 'internal_error',
}

/** The one exception type of every HTTP surface. `param` names the offending request field, OpenAI style. */
export class ConveyorException extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly param: string | null = null,
    /** Seconds the caller should wait before trying again (429, 503). */
    readonly retryAfterS?: number,
    /** More response headers (the rate limit's state on a 429). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'ConveyorException';
  }

  /** OpenAI's own wording and code for a model the caller cannot use. */
  static modelNotFound(model: string): ConveyorException {
    return new ConveyorException(ErrorCode.ModelNotFound, `The model '${model.slice(0, 256)}' does not exist or you do not have access to it.`, 'model');
  }

  static jobNotFound(id: string): ConveyorException {
    return new ConveyorException(ErrorCode.JobNotFound, `No job found with id '${id.slice(0, 64)}'.`, 'job_id');
  }
}
