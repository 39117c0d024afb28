/** Every way a gateway request can fail. The mapper turns each into an HTTP status and OpenAI's error shape. */
export enum GatewayErrorCode {
  MissingApiKey = 'missing_api_key',
  InvalidApiKey = 'invalid_api_key',
  InvalidRequest = 'invalid_request',
  InvalidJson = 'invalid_json',
  UnsupportedMediaType = 'unsupported_media_type',
  PayloadTooLarge = 'payload_too_large',
  JobNotFound = 'job_not_found',
  RouteNotFound = 'not_found',
  JobNotCancellable = 'job_not_cancellable',
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
  ) {
    super(message);
    this.name = 'GatewayException';
  }

  static jobNotFound(id: string): GatewayException {
    return new GatewayException(GatewayErrorCode.JobNotFound, `No job found with id '${id.slice(0, 64)}'.`, 'job_id');
  }
}
