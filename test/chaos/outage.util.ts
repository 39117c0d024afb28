import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { TcpProxy } from '../support/tcp-proxy.util';

const run = promisify(execFile);

/** A way to take RabbitMQ or PostgreSQL away from the services and bring it back. */
export interface Outage {
  readonly kind: string;
  begin(): Promise<void>;
  end(): Promise<void>;
}

/** Cuts the services' TCP proxy: the server itself keeps running, untouched (what `npm test` uses). */
export function proxyOutage(proxy: TcpProxy): Outage {
  return { kind: 'tcp proxy cut', begin: () => proxy.cut(), end: () => proxy.open().then(() => undefined) };
}

/** Stops and starts the real RabbitMQ application on this machine: every vhost and client sees it (full runs only). */
export function rabbitRestart(): Outage {
  return {
    kind: 'rabbitmqctl stop_app / start_app',
    begin: () => run('rabbitmqctl', ['-q', 'stop_app']).then(() => undefined),
    end: () =>
      run('rabbitmqctl', ['-q', 'start_app'])
        .then(() => run('rabbitmqctl', ['-q', 'await_startup']))
        .then(() => undefined),
  };
}

/** Stops and starts the real PostgreSQL 15 cluster (fast shutdown: sessions are cut, as in a crash). */
export function postgresRestart(version = process.env.CHAOS_PG_VERSION ?? '15'): Outage {
  const ctl = (action: string, ...extra: string[]) =>
    run('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', action, ...extra]).then(() => undefined);
  return { kind: `pg_ctlcluster ${version} main stop -m fast / start`, begin: () => ctl('stop', '-m', 'fast'), end: () => ctl('start') };
}
