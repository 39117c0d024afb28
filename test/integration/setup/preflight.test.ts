import { createServer, type Server } from 'node:net';
import { databaseUrl } from '../../support/database.util';
import { unreachableServers } from '../../support/preflight.util';
import { brokerServerUrl } from '../../support/vhost.util';

/** A port nothing listens on: bound, then closed again. */
async function closedPort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// Runs on the real RabbitMQ and PostgreSQL of this machine (BROKER_URL / DATABASE_URL), and on closed ports.
describe('the test run preflight (global setup)', () => {
  it('answers nothing when the local RabbitMQ and PostgreSQL answer', async () => {
    expect(await unreachableServers(brokerServerUrl(), databaseUrl('postgres'))).toEqual([]);
  });

  it('answers one line per missing server, naming it, what to install and the setting, with no password', async () => {
    const port = await closedPort();
    const problems = await unreachableServers(`amqp://guest:s3cret@127.0.0.1:${port}`, `postgres://postgres:s3cret@127.0.0.1:${port}/postgres`);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(
      new RegExp(`^RabbitMQ is not reachable at amqp://guest:\\*\\*\\*@127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\): install RabbitMQ`),
    );
    expect(problems[0]).toContain('BROKER_URL');
    expect(problems[1]).toMatch(
      new RegExp(`^PostgreSQL is not reachable at postgres://postgres:\\*\\*\\*@127\\.0\\.0\\.1:${port}/postgres \\(ECONNREFUSED\\): install PostgreSQL`),
    );
    expect(problems[1]).toContain('DATABASE_URL');
    for (const line of problems) expect(line).not.toContain('s3cret');
    for (const line of problems) expect(line).not.toContain('\n');
  });

  it('names only the server that is missing', async () => {
    const port = await closedPort();
    const problems = await unreachableServers(brokerServerUrl(), `postgres://postgres@127.0.0.1:${port}/postgres`);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^PostgreSQL is not reachable/);
  });
});
