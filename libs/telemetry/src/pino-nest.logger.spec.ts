import { Logger } from '@nestjs/common';
import { withJobId } from './job-context.util';
import { resolveLogFormat, type LogFormat, type ServiceLogLevel } from './pino-logger.factory';
import { PinoNestLogger } from './pino-nest.logger';
import { startTelemetry, stopTelemetry } from './telemetry.sdk';
import { withSpan } from './trace-context.util';

/** A logger writing into an array instead of stdout, as a terminal (isTTY) or a pipe would receive it. */
function capture(options: { level?: ServiceLogLevel; format?: LogFormat; isTTY?: boolean } = {}) {
  const chunks: string[] = [];
  const logger = new PinoNestLogger({
    service: 'gateway',
    level: options.level ?? 'verbose',
    format: options.format ?? 'auto',
    out: { write: (chunk: string) => chunks.push(chunk), isTTY: options.isTTY ?? false },
  });
  const records = () =>
    chunks
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, any>);
  return { logger, chunks, records };
}

describe('PinoNestLogger', () => {
  beforeAll(() => startTelemetry('spec', { OTEL_TRACES_EXPORTER: 'none' }));
  afterAll(() => stopTelemetry());
  afterEach(() => Logger.overrideLogger(true as never));

  describe('levels', () => {
    it("writes each Nest method at pino's level: log as info, verbose as trace", () => {
      const { logger, records } = capture({ level: 'verbose' });
      logger.fatal('f');
      logger.error('e');
      logger.warn('w');
      logger.log('l');
      logger.debug('d');
      logger.verbose('v');
      expect(records().map((r) => [r.level, r.msg])).toEqual([
        ['fatal', 'f'],
        ['error', 'e'],
        ['warn', 'w'],
        ['info', 'l'],
        ['debug', 'd'],
        ['trace', 'v'],
      ]);
    });

    it.each<[ServiceLogLevel, string[]]>([
      ['error', ['error']],
      ['warn', ['error', 'warn']],
      ['log', ['error', 'warn', 'info']],
      ['debug', ['error', 'warn', 'info', 'debug']],
      ['verbose', ['error', 'warn', 'info', 'debug', 'trace']],
    ])('LOG_LEVEL=%s writes that level and the more severe ones only', (level, written) => {
      const { logger, records } = capture({ level });
      logger.error('x');
      logger.warn('x');
      logger.log('x');
      logger.debug('x');
      logger.verbose('x');
      expect(records().map((r) => r.level)).toEqual(written);
    });

    it('follows the level list Nest hands it', () => {
      const { logger, records } = capture({ level: 'verbose' });
      logger.setLogLevels(['error', 'warn']);
      logger.log('dropped');
      logger.warn('kept');
      expect(records().map((r) => r.msg)).toEqual(['kept']);
    });

    it('announces a line whatever the level, as one info record', () => {
      const { logger, records } = capture({ level: 'error' });
      logger.log('dropped');
      logger.announce('conveyor gateway listening on http://127.0.0.1:8000', 'Bootstrap');
      expect(records()).toEqual([expect.objectContaining({ level: 'info', msg: 'conveyor gateway listening on http://127.0.0.1:8000', context: 'Bootstrap' })]);
    });
  });

  describe('fields', () => {
    it('gives every line time, level, service, context and msg', () => {
      const { logger, records } = capture();
      logger.log('job accepted', 'JobsService');
      const [record] = records();
      expect(record).toEqual({ time: expect.any(String), level: 'info', service: 'gateway', context: 'JobsService', msg: 'job accepted' });
      expect(new Date(record!.time).toISOString()).toBe(record!.time);
    });

    it("takes the context of `new Logger(X.name)` once it is Nest's logger", () => {
      const { logger, records } = capture();
      Logger.overrideLogger(logger);
      new Logger('ModelRouter').warn('deployment cooling down');
      new Logger('ModelRouter').error('call failed');
      expect(records()).toEqual([
        expect.objectContaining({ level: 'warn', context: 'ModelRouter', msg: 'deployment cooling down' }),
        expect.objectContaining({ level: 'error', context: 'ModelRouter', msg: 'call failed' }),
      ]);
      expect(records()[1]).not.toHaveProperty('err');
    });

    it("keeps an error's stack, whether Nest passes it as text or as the Error", () => {
      const { logger, records } = capture();
      const err = new Error('boom');
      logger.error('handler failed', err.stack, 'JobRunner');
      logger.error(err, 'JobRunner');
      const [fromText, fromError] = records();
      expect(fromText).toEqual(expect.objectContaining({ context: 'JobRunner', msg: 'handler failed', err: expect.objectContaining({ stack: err.stack }) }));
      expect(fromError).toEqual(
        expect.objectContaining({ context: 'JobRunner', msg: 'boom', err: expect.objectContaining({ type: 'Error', stack: err.stack }) }),
      );
    });

    it('adds trace_id and span_id of the active span, and nothing outside one', async () => {
      const { logger, records } = capture();
      const ids = await withSpan('consume', 'consumer', {}, async (span) => {
        logger.log('inside');
        return span.spanContext();
      });
      logger.log('outside');
      const [inside, outside] = records();
      expect(inside).toEqual(expect.objectContaining({ trace_id: ids.traceId, span_id: ids.spanId }));
      expect(inside!.trace_id).toMatch(/^[0-9a-f]{32}$/);
      expect(outside).not.toHaveProperty('trace_id');
      expect(outside).not.toHaveProperty('span_id');
    });

    it('adds job_id of the job being handled, across awaits, and nothing outside one', async () => {
      const { logger, records } = capture();
      await withJobId('0190a0b1-0000-7000-8000-000000000001', async () => {
        await new Promise((resolve) => setImmediate(resolve));
        logger.warn('slow upstream');
      });
      logger.warn('no job');
      const [inJob, outside] = records();
      expect(inJob!.job_id).toBe('0190a0b1-0000-7000-8000-000000000001');
      expect(outside).not.toHaveProperty('job_id');
    });
  });

  describe('secrets', () => {
    it.each(['authorization', 'x-api-key', 'api_key', 'apiKey', 'password', 'secret', 'key', 'token', 'access_token'])(
      'redacts a field named %s, at the top level and nested',
      (field) => {
        const { logger, chunks, records } = capture();
        logger.log({ [field]: 'the-secret-1', headers: { [field]: 'the-secret-2' }, request: { headers: { [field]: 'the-secret-3' } } }, 'Http');
        expect(chunks.join('')).not.toContain('the-secret');
        const { data } = records()[0]!;
        expect(data[field]).toBe('[REDACTED]');
        expect(data.headers[field]).toBe('[REDACTED]');
        expect(data.request.headers[field]).toBe('[REDACTED]');
      },
    );

    it('redacts secret fields of extra arguments too', () => {
      const { logger, chunks, records } = capture();
      logger.warn('upstream refused', { headers: { 'x-api-key': 'the-secret' }, status: 401 }, 'ModelRouter');
      expect(chunks.join('')).not.toContain('the-secret');
      expect(records()[0]).toEqual(expect.objectContaining({ context: 'ModelRouter', details: [{ headers: { 'x-api-key': '[REDACTED]' }, status: 401 }] }));
    });

    it('scrubs secrets from the message text and from stacks', () => {
      const { logger, chunks, records } = capture();
      logger.warn('connection to amqp://conveyor:broker-pw@rabbit:5672 lost', 'AmqpBrokerClient');
      logger.log('saw Bearer tok-alice-secret and whsec_c2VjcmV0c2VjcmV0 on /v1/jobs/1/stream?api_key=tok-bob-secret', 'Http');
      logger.error(new Error('connect postgres://app:db-pw@db:5432/conveyor failed'), 'Database');
      const text = chunks.join('');
      for (const secret of ['broker-pw', 'tok-alice-secret', 'c2VjcmV0c2VjcmV0', 'tok-bob-secret', 'db-pw']) expect(text).not.toContain(secret);
      expect(records()[0]!.msg).toBe('connection to amqp://conveyor:[REDACTED]@rabbit:5672 lost');
    });
  });

  describe('format', () => {
    it.each<[LogFormat, boolean, 'json' | 'pretty']>([
      ['auto', false, 'json'],
      ['auto', true, 'pretty'],
      ['json', true, 'json'],
      ['pretty', false, 'pretty'],
    ])('LOG_FORMAT=%s with a terminal=%s is %s', (format, isTty, expected) => {
      expect(resolveLogFormat(format, isTty)).toBe(expected);
      const { logger, chunks } = capture({ format, isTTY: isTty });
      expect(logger.format).toBe(expected);
      logger.warn('first line', 'JobsService');
      const written = chunks.join('');
      if (expected === 'json') expect(JSON.parse(written)).toEqual(expect.objectContaining({ msg: 'first line', context: 'JobsService' }));
      else {
        expect(() => JSON.parse(written)).toThrow();
        expect(written).toMatch(/WARN.*\[JobsService\] first line/);
      }
    });

    it('writes pretty text scrubbed too', () => {
      const { logger, chunks } = capture({ format: 'pretty' });
      logger.warn('lost amqp://u:broker-pw@h');
      expect(chunks.join('')).not.toContain('broker-pw');
    });
  });
});
