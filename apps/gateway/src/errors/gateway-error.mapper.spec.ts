import { fromFrameworkError, mapGatewayException } from './gateway-error.mapper';
import { GatewayErrorCode, GatewayException } from './gateway.exception';

describe('mapGatewayException', () => {
  it.each([
    [GatewayErrorCode.MissingApiKey, 401, 'authentication_error', { 'www-authenticate': 'Bearer' }],
    [GatewayErrorCode.InvalidApiKey, 401, 'authentication_error', { 'www-authenticate': 'Bearer' }],
    [GatewayErrorCode.InvalidRequest, 400, 'invalid_request_error', {}],
    [GatewayErrorCode.InvalidJson, 400, 'invalid_request_error', {}],
    [GatewayErrorCode.UnsupportedMediaType, 415, 'invalid_request_error', {}],
    [GatewayErrorCode.PayloadTooLarge, 413, 'invalid_request_error', {}],
    [GatewayErrorCode.JobNotFound, 404, 'not_found_error', {}],
    [GatewayErrorCode.RouteNotFound, 404, 'not_found_error', {}],
    [GatewayErrorCode.ModelNotFound, 404, 'invalid_request_error', {}],
    [GatewayErrorCode.BlockedDestination, 422, 'invalid_request_error', {}],
    [GatewayErrorCode.WebhookNotFound, 404, 'not_found_error', {}],
    [GatewayErrorCode.BrokerUnavailable, 503, 'service_unavailable', { 'retry-after': '2' }],
    [GatewayErrorCode.DatabaseUnavailable, 503, 'service_unavailable', { 'retry-after': '2' }],
    [GatewayErrorCode.RateLimited, 429, 'rate_limit_error', { 'retry-after': '2' }],
    [GatewayErrorCode.Internal, 500, 'server_error', {}],
  ])('maps %s to %i %s with headers %j', (code, status, type, headers) => {
    const mapped = mapGatewayException(new GatewayException(code, 'Something went wrong.', 'some_param'));
    expect(mapped).toEqual({
      status,
      headers,
      body: { error: { message: 'Something went wrong.', type, param: 'some_param', code } },
    });
  });

  it('covers every GatewayErrorCode', () => {
    for (const code of Object.values(GatewayErrorCode)) {
      const { status } = mapGatewayException(new GatewayException(code, 'x'));
      expect(status).toBeGreaterThanOrEqual(400);
    }
  });

  it('answers a null param when the error names no field', () => {
    expect(mapGatewayException(new GatewayException(GatewayErrorCode.Internal, 'x')).body.error.param).toBeNull();
  });

  it('maps jobNotFound to a 404 naming job_id', () => {
    const { status, body } = mapGatewayException(GatewayException.jobNotFound('abc'));
    expect(status).toBe(404);
    expect(body.error).toEqual({ message: "No job found with id 'abc'.", type: 'not_found_error', param: 'job_id', code: 'job_not_found' });
  });

  it("maps modelNotFound to OpenAI's 404 model_not_found naming the model", () => {
    const { status, body } = mapGatewayException(GatewayException.modelNotFound('gpt-9'));
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
    expect(ex.code).toBe(GatewayErrorCode.UnsupportedMediaType);
    expect(mapGatewayException(ex).status).toBe(415);
  });

  it('maps a body over the limit to 413', () => {
    const ex = fromFrameworkError({ code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413, message: 'Request body is too large' });
    expect(ex.code).toBe(GatewayErrorCode.PayloadTooLarge);
    expect(mapGatewayException(ex).status).toBe(413);
  });

  it('maps an empty JSON body and a wrong Content-Length to invalid_json', () => {
    expect(code({ code: 'FST_ERR_CTP_EMPTY_JSON_BODY', statusCode: 400 })).toBe(GatewayErrorCode.InvalidJson);
    expect(code({ code: 'FST_ERR_CTP_INVALID_CONTENT_LENGTH', statusCode: 400 })).toBe(GatewayErrorCode.InvalidJson);
  });

  it('maps a 400 JSON syntax error to invalid_json saying the body is not valid JSON', () => {
    const ex = fromFrameworkError({ statusCode: 400, message: 'Unexpected token } in JSON at position 10' });
    expect(ex.code).toBe(GatewayErrorCode.InvalidJson);
    expect(ex.message).toBe('Request body is not valid JSON.');
    expect(mapGatewayException(ex).status).toBe(400);
  });

  it("maps Fastify 5's FST_ERR_CTP_INVALID_JSON_BODY to invalid_json", () => {
    const ex = fromFrameworkError({
      code: 'FST_ERR_CTP_INVALID_JSON_BODY',
      statusCode: 400,
      message: "Body is not valid JSON but content-type is set to 'application/json'",
    });
    expect(ex.code).toBe(GatewayErrorCode.InvalidJson);
    expect(ex.message).toBe('Request body is not valid JSON.');
  });

  it('maps a 400 prototype-poisoning error to invalid_json naming the forbidden key', () => {
    const ex = fromFrameworkError({ statusCode: 400, message: 'Object contains forbidden prototype property' });
    expect(ex.code).toBe(GatewayErrorCode.InvalidJson);
    expect(ex.message).toMatch(/forbidden key/);
    expect(ex.message).toMatch(/__proto__/);
  });

  it('takes the status from `status` when `statusCode` is absent (Nest HttpException)', () => {
    expect(code({ status: 400, message: 'Bad Request' })).toBe(GatewayErrorCode.InvalidJson);
  });

  it('maps a 404 to not_found (unknown route)', () => {
    const ex = fromFrameworkError({ statusCode: 404, message: 'Route GET:/v2/nothing not found' });
    expect(ex.code).toBe(GatewayErrorCode.RouteNotFound);
    expect(mapGatewayException(ex).status).toBe(404);
  });

  it('maps bare 413 and 415 statuses without a Fastify code', () => {
    expect(code({ statusCode: 413 })).toBe(GatewayErrorCode.PayloadTooLarge);
    expect(code({ statusCode: 415 })).toBe(GatewayErrorCode.UnsupportedMediaType);
  });

  it('maps anything else to a 500 that does not echo the original message', () => {
    const ex = fromFrameworkError({ statusCode: 502, message: 'upstream secret detail' });
    expect(ex.code).toBe(GatewayErrorCode.Internal);
    expect(ex.message).toBe('Internal server error.');
    expect(code({})).toBe(GatewayErrorCode.Internal);
  });

  it('puts the exception\'s own wait in Retry-After when it has one', () => {
    const mapped = mapGatewayException(new GatewayException(GatewayErrorCode.RateLimited, 'Slow down.', null, 17));
    expect(mapped.status).toBe(429);
    expect(mapped.headers).toEqual({ 'retry-after': '17' });
  });
});
