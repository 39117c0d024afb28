import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The local broker: BROKER_URL if set, else RabbitMQ on loopback with the default user. */
export function brokerServerUrl(): string {
  return process.env.BROKER_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
}

/** The broker's URL with another virtual host (`/` is the default one). */
export function vhostUrl(vhost: string, base = brokerServerUrl()): string {
  const url = new URL(base);
  url.pathname = `/${encodeURIComponent(vhost)}`;
  return url.toString();
}

/**
 * Drops and re-creates a RabbitMQ virtual host, so a benchmark or fault run has exchanges and queues of its own:
 * nothing another run left behind is consumed, and nothing this run does touches the default vhost that other
 * tests and a developer's services use. Uses `rabbitmqctl` on this machine (the broker must be local, and the
 * caller allowed to run it); answers the vhost's BROKER_URL.
 */
export async function recreateVhost(vhost: string): Promise<string> {
  const user = decodeURIComponent(new URL(brokerServerUrl()).username || 'guest');
  await run('rabbitmqctl', ['-q', 'delete_vhost', vhost]).catch(() => undefined);
  await run('rabbitmqctl', ['-q', 'add_vhost', vhost]).catch((err: Error) => {
    throw new Error(
      `cannot create RabbitMQ vhost ${vhost} with rabbitmqctl (the broker must run on this machine, and rabbitmqctl be allowed to reach it): ${err.message}`,
    );
  });
  await run('rabbitmqctl', ['-q', 'set_permissions', '-p', vhost, user, '.*', '.*', '.*']);
  return vhostUrl(vhost);
}

export async function deleteVhost(vhost: string): Promise<void> {
  await run('rabbitmqctl', ['-q', 'delete_vhost', vhost]).catch(() => undefined);
}

/**
 * A vhost name of this test run's own, `conveyor_<label>_<pid>`: two runs on one broker (two checkouts, CI) never
 * share one, and one run's files never share one with each other.
 */
export function runVhostName(label: string): string {
  return `conveyor_${label}_${process.pid}`;
}

/** This run's vhost for the tests that share one (each in a namespace of its own): made by globalSetup. */
export const TEST_VHOST_NAME = runVhostName('test');
