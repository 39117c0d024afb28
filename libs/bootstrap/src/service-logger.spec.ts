import { ConfigException } from '@conveyor/config';
import { PinoNestLogger } from '@conveyor/telemetry';
import { logStartFailure } from './service-logger';

function capture() {
  const chunks: string[] = [];
  const logger = new PinoNestLogger({ service: 'inference', level: 'error', format: 'json', out: { write: (c: string) => chunks.push(c) } });
  return {
    logger,
    records: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, any>),
  };
}

describe('logStartFailure', () => {
  it('logs invalid settings as one fatal record that keeps the whole list, without a stack', () => {
    const { logger, records } = capture();
    logStartFailure(logger, new ConfigException(['PORT: Invalid input', 'WORKER_CONCURRENCY: Too small', 'BROKER_URL: required for this service']));
    expect(records()).toEqual([
      expect.objectContaining({
        level: 'fatal',
        service: 'inference',
        context: 'Bootstrap',
        msg: 'Invalid configuration:\n  - PORT: Invalid input\n  - WORKER_CONCURRENCY: Too small\n  - BROKER_URL: required for this service',
      }),
    ]);
    expect(records()[0]).not.toHaveProperty('err');
  });

  it('logs any other failure as one fatal record with its stack', () => {
    const { logger, records } = capture();
    const err = new Error('cannot connect to amqp://conveyor:pw-123456@rabbit:5672: ECONNREFUSED');
    logStartFailure(logger, err);
    const [record] = records();
    expect(record).toEqual(
      expect.objectContaining({
        level: 'fatal',
        context: 'Bootstrap',
        err: expect.objectContaining({ stack: expect.stringContaining('Error: cannot connect') }),
      }),
    );
    expect(record!.msg).toBe('cannot connect to amqp://conveyor:[REDACTED]@rabbit:5672: ECONNREFUSED');
  });
});
