import { BenchUpstream } from '../../bench/upstream/mock-upstream.server';
import { Cluster, type ClusterSpec } from '../support/cluster.util';
import { TcpProxy } from '../support/tcp-proxy.util';
import { installAuditTriggers } from './audit-triggers.util';

/** Named paces of the bench upstream (its `model` string), one catalogue model each. */
export type Paces = Record<string, string>;

/** A catalogue with one model per pace, each served by the bench upstream as an OpenAI-compatible deployment. */
export function benchCatalog(upstreamUrl: string, paces: Paces): unknown {
  return {
    models: Object.entries(paces).map(([name, pace]) => ({
      name,
      deployments: [{ id: `bench-${name}`, provider: 'openai', upstream_model: pace, base_url: `${upstreamUrl}/v1`, api_key_env: 'MOCK_KEY' }],
    })),
    groups: [],
  };
}

export interface ChaosClusterSpec extends Omit<ClusterSpec, 'catalog' | 'brokerUrl' | 'databaseUrl'> {
  paces: Paces;
  /** Put a cuttable TCP proxy between every service and RabbitMQ / PostgreSQL. */
  brokerProxy?: boolean;
  /** A broker of its own (BROKER_URL, e.g. a private cluster's nodes) instead of a vhost on the local RabbitMQ. */
  broker?: string;
  databaseProxy?: boolean;
}

/**
 * A cluster for one fault scenario: its own bench upstream, a catalogue of its paces, optional TCP proxies for
 * outages, and the audit's write counters installed before any job is submitted. `close` tears it all down.
 */
export class ChaosCluster {
  private constructor(
    readonly cluster: Cluster,
    readonly upstream: BenchUpstream,
    readonly brokerProxy: TcpProxy | null,
    readonly databaseProxy: TcpProxy | null,
  ) {}

  static async start(spec: ChaosClusterSpec): Promise<ChaosCluster> {
    const upstream = await BenchUpstream.start();
    const brokerProxy = spec.brokerProxy ? await TcpProxy.start(hostPort(process.env.BROKER_URL ?? 'amqp://127.0.0.1:5672', 5672)) : null;
    const databaseProxy = spec.databaseProxy ? await TcpProxy.start(hostPort(process.env.DATABASE_URL ?? 'postgres://127.0.0.1:5432', 5432)) : null;
    try {
      const { paces, brokerProxy: _b, databaseProxy: _d, broker, ...rest } = spec;
      const cluster = await Cluster.start({
        ...rest,
        catalog: benchCatalog(upstream.url, paces),
        env: { MOCK_KEY: 'chaos-mock-key', DEFAULT_MODEL: Object.keys(paces)[0]!, ...spec.env },
        ownBroker: broker,
        brokerUrl: brokerProxy ? (url) => viaProxy(url, brokerProxy.port) : undefined,
        databaseUrl: databaseProxy ? (url) => viaProxy(url, databaseProxy.port) : undefined,
      });
      await installAuditTriggers(cluster.directDatabaseUrl);
      return new ChaosCluster(cluster, upstream, brokerProxy, databaseProxy);
    } catch (err) {
      await Promise.all([upstream.close(), brokerProxy?.cut(), databaseProxy?.cut()]);
      throw err;
    }
  }

  get gatewayUrl(): string {
    return this.cluster.gatewayUrl;
  }

  get databaseUrl(): string {
    return this.cluster.directDatabaseUrl;
  }

  async close(): Promise<void> {
    await this.cluster.destroy().catch(() => undefined);
    await Promise.all([this.upstream.close(), this.brokerProxy?.cut(), this.databaseProxy?.cut()]);
  }
}

function hostPort(url: string, defaultPort: number): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname || '127.0.0.1', port: Number(u.port || defaultPort) };
}

function viaProxy(url: string, port: number): string {
  const u = new URL(url);
  u.hostname = '127.0.0.1';
  u.port = String(port);
  return u.toString();
}
