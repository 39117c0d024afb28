import { fromClientError, fromFrameworkError, mapException } from './error.mapper';
import { ErrorCode, ConveyorException } from './conveyor.exception';

describe('mapException', () => {
  it.each([
    [ErrorCode.MissingApiKey, 401, 'authentication_error', { 'www-authenticate': 'Bearer' }],
    [ErrorCode.InvalidApiKey, 401, 'authentication_error', { 'www-authenticate': 'Bearer' }],
    [ErrorCode.InvalidRequest, 400, 'invalid_request_error', {}],
    [ErrorCode.InvalidJson, 400, 'invalid_request_error', {}],
    [ErrorCode.InvalidUrl, 400, 'invalid_request_error', {}],
    [ErrorCode.RequestTimeout, 408, 'invalid_request_error', { connection: 'close' }],
    [ErrorCode.UriTooLong, 414, 'invalid_request_error', {}],
    [ErrorCode.HeadersTooLarge, 431, 'invalid_request_error', { connection: 'close' }],
    [ErrorCode.UnsupportedMediaType, 415, 'invalid_request_error', {}],
    [ErrorCode.PayloadTooLarge, 413, 'invalid_request_error', {}],
    [ErrorCode.JobNotFound, 404, 'not_found_error', {}],
    [ErrorCode.RouteNotFound, 404, 'not_found_error', {}],
    [ErrorCode.ModelNotFound, 404, 'invalid_request_error', {}],
    [ErrorCode.BlockedDestination, 422, 'invalid_request_error', {}],
    [ErrorCode.WebhookNotFound, 404, 'not_found_error', {}],
    [ErrorCode.JobCancelled, 410, 'invalid_request_error', {}],
    [ErrorCode.JobExpired, 410, 'invalid_request_error', {}],
    [ErrorCode.BrokerUnavailable, 503, 'service_unavailable', { 'retry-after': '2' }],
    [ErrorCode.DatabaseUnavailable, 503, 'service_unavailable', { 'retry-after': '2' }],
    [ErrorCode.RateLimited, 429, 'rate_limit_error', { 'retry-after': '2' }],
    [ErrorCode.QuotaExceeded, 429, 'insufficient_quota', { 'x-should-retry': 'false' }],
    [ErrorCode.IdempotencyKeyInUse, 409, 'invalid_request_error', { 'retry-after': '1' }],
    [ErrorCode.IdempotencyKeyReused, 422, 'invalid_request_error', {}],
    [ErrorCode.PermissionDenied, 403, 'permission_error', {}],
    [ErrorCode.TenantNotFound, 404, 'not_found_error', {}],
    [ErrorCode.Internal, 500, 'server_error', {}],
  ])('maps %s to %i %s with headers %j', (code, status, type, headers) => {
    const mapped = mapException(new ConveyorException(code, 'Something went wrong.', 'some_param'));
    expect(mapped).toEqual({
      status,
      headers,
      body: { error: { message: 'Something went wrong.', type, param: 'some_param', code } },
    });
  });

  it('covers every ErrorCode', () => {
    for (const code of Object.values(ErrorCode)) {
      const { status } = mapException(new ConveyorException(code, 'x'));
      expect(status).toBeGreaterThanOrEqual(400);
    }
  });

  it('answers a null param when the error names no field', () => {
    expect(mapException(new ConveyorException(ErrorCode.Internal, 'x')).body.error.param).toBeNull();
  });

  it('maps jobNotFound to a 404 naming job_id', () => {
    const { status, body } = mapException(ConveyorException.jobNotFound('abc'));
    expect(status).toBe(404);
    expect(body.error).toEqual({ message: "No job found with id 'abc'.", type: 'not_found_error', param: 'job_id', code: 'job_not_found' });
  });

  it("maps modelNotFound to OpenAI's 404 model_not_found naming the model", () => {
    const { status, body } = mapException(ConveyorException.modelNotFound('gpt-9'));
    expect(status).toBe(404);
    expect(body.error).toEqual({
      message: "The model 'gpt-9' does not exist or you do not have access to it.",
      type: 'invalid_request_error',
      param: 'model',
      code: 'model_not_found',
    });
  });
});

describe('fromFrameworkError', () => {
  const code = (err: Parameters<typeof fromFrameworkError>[0]) => fromFrameworkError(err).code;

  it('maps an unsupported Content-Type to 415', () => {
    const ex = fromFrameworkError({ code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', statusCode: 415, message: 'Unsupported Media Type' });
    expect(ex.code).toBe(ErrorCode.UnsupportedMediaType);
    expect(mapException(ex).status).toBe(415);
  });

  it('maps a body over the limit to 413', () => {
    const ex = fromFrameworkError({ code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413, message: 'Request body is too large' });
    expect(ex.code).toBe(ErrorCode.PayloadTooLarge);
    expect(mapException(ex).status).toBe(413);
  });

  it('maps an empty JSON body and a wrong Content-Length to invalid_json', () => {
    expect(code({ code: 'FST_ERR_CTP_EMPTY_JSON_BODY', statusCode: 400 })).toBe(ErrorCode.InvalidJson);
    expect(code({ code: 'FST_ERR_CTP_INVALID_CONTENT_LENGTH', statusCode: 400 })).toBe(ErrorCode.InvalidJson);
  });

  it('maps a 400 JSON syntax error to invalid_json saying the body is not valid JSON', () => {
    const ex = fromFrameworkError({ statusCode: 400, message: 'Unexpected token } in JSON at position 10' });
    expect(ex.code).toBe(ErrorCode.InvalidJson);
    expect(ex.message).toBe('Request body is not valid JSON.');
    expect(mapException(ex).status).toBe(400);
  });

  it("maps Fastify 5's FST_ERR_CTP_INVALID_JSON_BODY to invalid_json", () => {
    const ex = fromFrameworkError({
      code: 'FST_ERR_CTP_INVALID_JSON_BODY',
      statusCode: 400,
      message: "Body is not valid JSON but content-type is set to 'application/json'",
    });
    expect(ex.code).toBe(ErrorCode.InvalidJson);
    expect(ex.message).toBe('Request body is not valid JSON.');
  });

  it('maps a 400 prototype-poisoning error to invalid_json naming the forbidden key', () => {
    const ex = fromFrameworkError({ statusCode: 400, message: 'Object contains forbidden prototype property' });
    expect(ex.code).toBe(ErrorCode.InvalidJson);
    expect(ex.message).toMatch(/forbidden key/);
    expect(ex.message).toMatch(/__proto__/);
  });

  it('takes the status from `status` when `statusCode` is absent (Nest HttpException)', () => {
    expect(code({ status: 400, message: 'Bad Request' })).toBe(ErrorCode.InvalidJson);
  });

  it('maps a 404 to not_found (unknown route)', () => {
    const ex = fromFrameworkError({ statusCode: 404, message: 'Route GET:/v2/nothing not found' });
    expect(ex.code).toBe(ErrorCode.RouteNotFound);
    expect(mapException(ex).status).toBe(404);
  });

  it('maps bare 413 and 415 statuses without a Fastify code', () => {
    expect(code({ statusCode: 413 })).toBe(ErrorCode.PayloadTooLarge);
    expect(code({ statusCode: 415 })).toBe(ErrorCode.UnsupportedMediaType);
  });

  it.each([
    ['FST_ERR_BAD_URL', 400, ErrorCode.InvalidUrl],
    ['FST_ERR_MAX_PARAM_LENGTH', 414, ErrorCode.UriTooLong],
    ['ERR_HTTP_REQUEST_TIMEOUT', 408, ErrorCode.RequestTimeout],
    ['HPE_HEADER_OVERFLOW', 431, ErrorCode.HeadersTooLarge],
  ])('maps %s to %i %s without quoting the input', (fstCode, status, expected) => {
    const ex = fromFrameworkError({ code: fstCode, statusCode: status, message: `'/v1/jobs/${'a'.repeat(10_000)}' is bad` });
    expect(ex.code).toBe(expected);
    expect(mapException(ex).status).toBe(status);
    expect(ex.message.length).toBeLessThan(200);
  });

  it('maps a socket-level parse error to a 400 and keeps timeouts and header overflows apart', () => {
    expect(fromClientError({ code: 'HPE_INVALID_METHOD' }).code).toBe(ErrorCode.InvalidRequest);
    expect(fromClientError({ code: 'ERR_HTTP_REQUEST_TIMEOUT' }).code).toBe(ErrorCode.RequestTimeout);
    expect(fromClientError({ code: 'HPE_HEADER_OVERFLOW' }).code).toBe(ErrorCode.HeadersTooLarge);
  });

  it('maps anything else to a 500 that does not echo the original message', () => {
    const ex = fromFrameworkError({ statusCode: 502, message: 'upstream secret detail' });
    expect(ex.code).toBe(ErrorCode.Internal);
    expect(ex.message).toBe('Internal server error.');
    expect(code({})).toBe(ErrorCode.Internal);
  });

  it("adds the exception's own headers (a rate limit's state) to the mapped ones", () => {
    const mapped = mapException(new ConveyorException(ErrorCode.RateLimited, 'Slow down.', null, 3, { 'x-ratelimit-remaining-requests': '0' }));
    expect(mapped.headers).toEqual({ 'retry-after': '3', 'x-ratelimit-remaining-requests': '0' });
  });

  it("puts the exception's own wait in Retry-After when it has one", () => {
    const mapped = mapException(new ConveyorException(ErrorCode.RateLimited, 'Slow down.', null, 17));
    expect(mapped.status).toBe(429);
    expect(mapped.headers).toEqual({ 'retry-after': '17' });
  });
});
