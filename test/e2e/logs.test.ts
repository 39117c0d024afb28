import { Api } from '../support/http.util';
import { ServiceProcess, freePort } from '../support/service-process.util';
import { deleteVhost, recreateVhost, runVhostName } from '../support/vhost.util';

/** This file's own vhost, fresh for the run: nothing another run or file left behind is consumed here. */
const VHOST = runVhostName('e2e_logs');
let brokerUrl = '';
const READY = /listening on|running \d+ job|consuming/;
const KEY = 'tok-alice-logsecret';

/**
 * What a log collector receives from a service: the built gateway as a real process, its stdout a pipe (not a
 * terminal), so LOG_FORMAT's default must give JSON lines.
 */
describe('service logs (the built gateway over RabbitMQ and PostgreSQL, stdout a pipe)', () => {
  const started: ServiceProcess[] = [];

  beforeAll(async () => {
    brokerUrl = await recreateVhost(VHOST);
  });

  afterAll(async () => {
    await Promise.all(started.map((s) => s.stop()));
    await deleteVhost(VHOST);
  });

  /** Starts a gateway, sends it a few requests (keys in a header and in `?api_key=`), stops it, and parses its stdout. */
  const runGateway = async (env: Record<string, string>) => {
    const port = await freePort();
    const service = ServiceProcess.start('gateway', {
      BROKER_URL: brokerUrl,
      DATABASE_URL: process.env.TEST_DATABASE_URL!,
      DATABASE_MIGRATE: 'false',
      HOST: '127.0.0.1',
      PORT: String(port),
      API_KEYS: `${KEY}:tenant-alice`,
      ...env,
    });
    started.push(service);
    await service.waitForLog(READY, 60_000);
    const api = new Api(`http://127.0.0.1:${port}`, KEY);
    expect((await api.get('/v1/jobs/0190a0b1-0000-7000-8000-000000000000')).status).toBe(404);
    expect((await api.as(undefined).get(`/v1/jobs/0190a0b1-0000-7000-8000-000000000000/stream?api_key=${KEY}`)).status).toBe(404);
    expect((await api.as('tok-wrong-key-123').get('/v1/jobs')).status).toBe(401);
    expect(await service.stop()).toBe(0);
    const lines = service.stdout.split('\n').filter((l) => l.trim() !== '');
    return { port, lines, records: lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
  };

  const expectJsonLines = (lines: string[], records: Array<Record<string, unknown>>) => {
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      // No ANSI colour codes, raw or inside a JSON string (where the escape character reads \u001b).
      expect(line).not.toContain('\u001b[');
      expect(line).not.toContain('\\u001b[');
    }
    for (const record of records) {
      expect(record).toEqual(expect.objectContaining({ service: 'gateway', level: expect.any(String), msg: expect.any(String), time: expect.any(String) }));
    }
    expect(lines.join('\n')).not.toContain(KEY);
  };

  it('writes JSON lines only, and the ready line although LOG_LEVEL=warn', async () => {
    const { port, lines, records } = await runGateway({ LOG_LEVEL: 'warn' });
    expectJsonLines(lines, records);
    const ready = records.filter((r) => READY.test(String(r.msg)));
    expect(ready).toEqual([expect.objectContaining({ level: 'info', msg: `conveyor gateway listening on http://127.0.0.1:${port}` })]);
    // LOG_LEVEL=warn holds: the ready line is the only record below warn.
    expect(records.filter((r) => !['warn', 'error', 'fatal'].includes(String(r.level)))).toEqual(ready);
  });

  it("gives Nest's and our own lines their class as context at LOG_LEVEL=log", async () => {
    const { lines, records } = await runGateway({ LOG_LEVEL: 'log' });
    expectJsonLines(lines, records);
    const contexts = new Set(records.map((r) => r.context));
    for (const context of ['NestFactory', 'RoutesResolver', 'AmqpBrokerClient', 'ApiKeyBootstrap', 'Bootstrap', 'Shutdown'])
      expect(contexts).toContain(context);
    expect(lines.join('\n')).toMatch(/connected to amqp:\/\/[^"]*as conveyor-gateway/);
  });
});
