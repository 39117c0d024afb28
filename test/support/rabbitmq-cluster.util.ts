import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './service-process.util';

const run = promisify(execFile);

/** The real scripts behind Debian's wrappers, which would switch to the rabbitmq user and its cookie and paths. */
const RABBITMQ_BIN = process.env.RABBITMQ_BIN ?? '/usr/lib/rabbitmq/bin';

export interface RabbitNode {
  /** Erlang node name, `conveyor-<run>-<n>@localhost`. */
  name: string;
  port: number;
  url: string;
  process: ChildProcess | null;
}

/**
 * A private RabbitMQ cluster of `size` nodes on this machine, from the installed rabbitmq-server: each node with
 * its own name, AMQP and distribution ports and data and log directories in a temporary directory, all sharing an
 * Erlang cookie of their own (the system broker's is never touched), joined with `rabbitmqctl join_cluster`.
 * Nodes are kept small: one scheduler thread each, no plugins, a low memory watermark.
 */
export class RabbitCluster {
  private constructor(
    readonly nodes: RabbitNode[],
    private readonly base: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  static async start(size: number, log: (message: string) => void = () => undefined): Promise<RabbitCluster> {
    const base = mkdtempSync(join(tmpdir(), 'conveyor-rabbit-'));
    const home = join(base, 'home');
    mkdirSync(home);
    writeFileSync(join(home, '.erlang.cookie'), randomBytes(20).toString('hex').toUpperCase());
    chmodSync(join(home, '.erlang.cookie'), 0o400);
    const envFile = join(base, 'rabbitmq-env.conf');
    writeFileSync(envFile, 'ERL_EPMD_ADDRESS=127.0.0.1\n');
    const plugins = join(base, 'enabled_plugins');
    writeFileSync(plugins, '[].\n');
    // The CLI is an Erlang node too, listening on one of 11 ports (35672 and up by default, shared with every other
    // rabbitmqctl on the machine, which a few hung ones can exhaust): this cluster's CLI calls get a range of their own.
    const ctlPorts = 40_000 + Math.floor(Math.random() * 200) * 50;
    const env = {
      PATH: process.env.PATH,
      HOME: home,
      LANG: 'C.UTF-8',
      RABBITMQ_CONF_ENV_FILE: envFile,
      RABBITMQ_ENABLED_PLUGINS_FILE: plugins,
      RABBITMQ_CTL_DIST_PORT_MIN: String(ctlPorts),
      RABBITMQ_CTL_DIST_PORT_MAX: String(ctlPorts + 49),
    };
    const run = randomBytes(3).toString('hex');
    const nodes: RabbitNode[] = [];
    for (let i = 1; i <= size; i++) {
      const port = await freePort();
      nodes.push({ name: `conveyor-${run}-${i}@localhost`, port, url: `amqp://guest:guest@127.0.0.1:${port}`, process: null });
    }
    const cluster = new RabbitCluster(nodes, base, env);
    try {
      const booted = await Promise.allSettled(nodes.map((n) => cluster.boot(n)));
      const failed = booted.find((b) => b.status === 'rejected');
      if (failed) throw failed.reason;
      log(`${size} RabbitMQ nodes up: ${nodes.map((n) => `${n.name} on ${n.port}`).join(', ')}`);
      for (const node of nodes.slice(1)) {
        await cluster.ctl(node, 'stop_app');
        await cluster.ctl(node, 'reset');
        await cluster.ctl(node, 'join_cluster', nodes[0]!.name);
        await cluster.ctl(node, 'start_app');
      }
      const status = await cluster.ctl(nodes[0]!, 'cluster_status', '--formatter', 'json');
      const running = (JSON.parse(status) as { running_nodes: string[] }).running_nodes;
      if (running.length !== size) throw new Error(`cluster formed with ${running.length} of ${size} nodes: ${status}`);
      log(`clustered: ${running.join(', ')}`);
      return cluster;
    } catch (err) {
      await cluster.destroy();
      throw err;
    }
  }

  /** BROKER_URL for the whole cluster: every node, comma-separated, in order. */
  get brokerUrl(): string {
    return this.nodes.map((n) => n.url).join(',');
  }

  /** `rabbitmqctl -n <node> …` with the cluster's cookie; answers stdout. */
  async ctl(node: RabbitNode, ...args: string[]): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      try {
        const { stdout } = await run(join(RABBITMQ_BIN, 'rabbitmqctl'), ['-q', '-n', node.name, ...args], { env: this.env, timeout: 150_000 });
        return stdout;
      } catch (err) {
        // The CLI is an Erlang node itself; now and then it cannot start its own distribution (a port taken).
        if (attempt >= 5 || !String((err as { stderr?: string }).stderr).includes('Distribution failed')) throw err;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  /** The node leading a quorum queue, asked of any running node. */
  async leaderOf(queue: string, via: RabbitNode = this.running()[0]!): Promise<RabbitNode> {
    const out = await this.ctl(via, 'list_queues', 'name', 'leader', 'members', '--formatter', 'json');
    const row = (JSON.parse(out) as Array<{ name: string; leader: string; members: string[] }>).find((q) => q.name === queue);
    if (!row) throw new Error(`no queue ${queue}`);
    return this.nodes.find((n) => n.name === row.leader)!;
  }

  /** The members of a quorum queue (the nodes it is replicated on). */
  async membersOf(queue: string, via: RabbitNode = this.running()[0]!): Promise<string[]> {
    const out = await this.ctl(via, 'list_queues', 'name', 'members', '--formatter', 'json');
    return (JSON.parse(out) as Array<{ name: string; members: string[] }>).find((q) => q.name === queue)?.members ?? [];
  }

  running(): RabbitNode[] {
    return this.nodes.filter((n) => n.process !== null);
  }

  /** Stops a node (the Erlang VM exits), as a node failure or a maintenance stop would. */
  async stop(node: RabbitNode): Promise<void> {
    const proc = node.process;
    await this.ctl(node, 'stop').catch(() => proc?.kill('SIGKILL'));
    if (proc && proc.exitCode === null) await new Promise((resolve) => proc.once('exit', resolve));
    node.process = null;
  }

  /** Starts a stopped node again, on its own data: it rejoins the cluster it left. */
  async restart(node: RabbitNode): Promise<void> {
    if (node.process) throw new Error(`${node.name} is running`);
    await this.boot(node);
  }

  async destroy(): Promise<void> {
    await Promise.all(
      this.nodes.map(async (n) => {
        const proc = n.process;
        if (!proc) return;
        await this.stop(n).catch(() => undefined);
        if (proc.exitCode === null && proc.signalCode === null) {
          proc.kill('SIGKILL');
          await new Promise((resolve) => proc.once('exit', resolve));
        }
      }),
    );
    rmSync(this.base, { recursive: true, force: true });
  }

  private async boot(node: RabbitNode): Promise<void> {
    const short = node.name.split('@')[0]!;
    const config = join(this.base, `${short}.conf`);
    writeFileSync(
      config,
      [`listeners.tcp.default = ${node.port}`, 'vm_memory_high_watermark.absolute = 768MB', 'disk_free_limit.absolute = 50MB', ''].join('\n'),
    );
    const child = spawn(join(RABBITMQ_BIN, 'rabbitmq-server'), [], {
      env: {
        ...this.env,
        RABBITMQ_NODENAME: node.name,
        RABBITMQ_NODE_PORT: String(node.port),
        RABBITMQ_DIST_PORT: String(await freePort()),
        RABBITMQ_CONFIG_FILE: config,
        RABBITMQ_MNESIA_BASE: join(this.base, 'mnesia'),
        RABBITMQ_LOG_BASE: join(this.base, 'log'),
        RABBITMQ_PID_FILE: join(this.base, `${short}.pid`),
        RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '+S 1:1 +sbwt none +sbwtdcpu none +sbwtdio none',
      },
      stdio: ['ignore', openSync(join(this.base, `${short}.out`), 'a'), openSync(join(this.base, `${short}.out`), 'a')],
    });
    node.process = child;
    child.once('exit', () => (node.process = null));
    // `wait` waits for the pid file, then for the node to be up (await_startup needs a node already reachable).
    await this.ctl(node, 'wait', join(this.base, `${short}.pid`), '--timeout', '120');
  }
}
