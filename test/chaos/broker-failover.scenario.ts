import { jobQueue, shardOf, DEFAULT_TOPOLOGY } from '@conveyor/messaging';
import { RabbitCluster } from '../support/rabbitmq-cluster.util';
import { auditFigures, auditJobs, countTerminal, openDatabase } from './audit.util';
import { ChaosCluster } from './chaos-cluster.util';
import { check, defaultRunId, quiet, resultOf, type CommonOptions, type ScenarioResult } from './chaos.types';
import { Ledger } from './ledger.util';
import { submitOne } from './load-driver.util';

export interface BrokerFailoverOptions extends CommonOptions {
  /** Submissions per second, before and after the stop. */
  rate: number;
  /** Load before the leader is stopped, and after. */
  beforeMs: number;
  afterMs: number;
  drainTimeoutMs: number;
}

/** Submits `rate` jobs a second until `until` passes, each answer filed in the ledger; resolves once all answered. */
async function pacedLoad(ledger: Ledger, gatewayUrl: string, rate: number, until: () => boolean): Promise<void> {
  const inFlight = new Set<Promise<unknown>>();
  while (!until()) {
    const submit = submitOne(ledger, { gatewayUrl, model: 'paced' }).finally(() => inFlight.delete(submit));
    inFlight.add(submit);
    await new Promise((r) => setTimeout(r, 1_000 / rate));
  }
  await Promise.all([...inFlight]);
}

/** The band shard queue tenant-alice's normal jobs go to: the queue whose leader is stopped. */
const WATCHED_QUEUE = jobQueue('normal', shardOf('tenant-alice', DEFAULT_TOPOLOGY));

/**
 * 8. A replicated broker, as production runs it: a private three-node RabbitMQ cluster on this machine (the
 * installed rabbitmq-server, separate node names, ports and data directories), every service given all three
 * addresses, the bands' quorum queues replicated on all three. Under load, the node leading a band's queue is
 * stopped: every accepted job must complete, none twice, and every service carries on through the other two.
 */
export async function brokerFailoverScenario(opts: BrokerFailoverOptions): Promise<ScenarioResult> {
  const startedAt = Date.now();
  const progress = opts.progress ?? quiet;
  const rabbit = await RabbitCluster.start(3, progress);
  let chaos: ChaosCluster | undefined;
  try {
    chaos = await ChaosCluster.start({
      name: `chaos_failover_${opts.runId ?? defaultRunId()}`,
      inference: 2,
      paces: { paced: 'ttft=100,tps=50,tokens=25' },
      inferenceEnv: { WORKER_CONCURRENCY: '8' },
      notification: false,
      streaming: false,
      broker: rabbit.brokerUrl,
      // A submit whose confirm was due from the stopped node is accepted in doubt; the sweep re-sends it if it was lost.
      env: { BROKER_RECONNECT_MS: '500', BROKER_HEARTBEAT_S: '5', JOB_ORPHAN_AFTER_MS: '10000', JOB_ORPHAN_SWEEP_MS: '1000' },
    });
    const db = await openDatabase(chaos.databaseUrl);
    const ledger = new Ledger('failover');
    const details: string[] = [];
    try {
      const members = await rabbit.membersOf(WATCHED_QUEUE);
      let loadEndsAt = Number.POSITIVE_INFINITY;
      const load = pacedLoad(ledger, chaos.gatewayUrl, opts.rate, () => Date.now() > loadEndsAt);
      await new Promise((r) => setTimeout(r, opts.beforeMs));
      const leader = await rabbit.leaderOf(WATCHED_QUEUE);
      const acceptedBeforeStop = ledger.accepted.length;
      progress(`${acceptedBeforeStop} accepted; stopping ${leader.name}, leader of ${WATCHED_QUEUE}`);
      const stoppedAt = Date.now();
      await rabbit.stop(leader);
      const newLeader = await rabbit.leaderOf(WATCHED_QUEUE);
      progress(`${leader.name} stopped in ${Date.now() - stoppedAt} ms; ${WATCHED_QUEUE} now led by ${newLeader.name}`);
      loadEndsAt = stoppedAt + opts.afterMs;
      await load;
      const submitted = ledger.accepted.length + ledger.refused.length + ledger.odd.length;
      const deadline = Date.now() + opts.drainTimeoutMs;
      for (;;) {
        const terminal = await countTerminal(db, ledger.jobIds);
        if (terminal >= ledger.accepted.length || Date.now() > deadline) break;
        progress(`${ledger.accepted.length} accepted, ${terminal} terminal`);
        await new Promise((r) => setTimeout(r, 2_000));
      }
      const audit = await auditJobs({ databaseUrl: chaos.databaseUrl, ledger, upstreamUrl: chaos.upstream.url, drainTimeoutMs: 60_000, progress });
      const acceptedAfterStop = ledger.accepted.filter((e) => e.acceptedAt > stoppedAt).map((e) => e.jobId);
      const completedAfterStop = Number(
        (await db.query<{ n: string }>(`SELECT count(*) AS n FROM jobs WHERE id = ANY($1::uuid[]) AND status = 'completed'`, [acceptedAfterStop])).rows[0]!.n,
      );
      if (audit.lost > 0) {
        // Where the missing jobs' messages are: every queue with something in it or no consumer, and what the services said.
        const queues = await rabbit.ctl(rabbit.running()[0]!, 'list_queues', 'name', 'type', 'messages', 'messages_unacknowledged', 'consumers', 'leader');
        details.push(
          `queues after the drain: ${queues
            .split('\n')
            .filter((l) => l.trim() && !/\t0\t0\t[1-9]/.test(l))
            .join(' | ')}`,
        );
        for (const service of chaos.cluster.services) details.push(`${service.name} log: ${service.logs.slice(-1500)}`);
      }
      const services = chaos.cluster.services;
      const exited = services.filter((s) => s.child.exitCode !== null || s.child.signalCode !== null).map((s) => s.name);
      const movedOn = services.filter((s) => new RegExp(`connection to amqp://\\S*127\\.0\\.0\\.1:${leader.port}\\S* lost .*; trying`).test(s.logs));
      return resultOf(
        'broker-failover',
        `Stop the RabbitMQ node leading ${WATCHED_QUEUE} (of a three-node cluster) under ${opts.rate} submissions/s, ${opts.beforeMs / 1000} s in, for the last ${opts.afterMs / 1000} s`,
        startedAt,
        {
          ...auditFigures(audit),
          submitted,
          accepted_before_stop: acceptedBeforeStop,
          accepted_after_stop: acceptedAfterStop.length,
          completed_after_stop: completedAfterStop,
          refused: ledger.refused.length,
          odd_responses: ledger.odd.length,
          queue_members: members.length,
          stopped_node: leader.name,
          new_leader: newLeader.name,
          services_moved_to_another_node: movedOn.length,
        },
        [
          check(`${WATCHED_QUEUE} replicated on all three nodes`, members.length === 3, members.join(', ')),
          // A submit made while no node answered is refused (503, nothing accepted); no other answer.
          check('every submission answered 202 or 503 with Retry-After', ledger.odd.length === 0, `${ledger.odd.length} odd`),
          check('every accepted job completed', audit.completed === audit.accepted, `${audit.completed} of ${audit.accepted}`),
          check('0 lost', audit.lost === 0, audit.lost),
          check('0 duplicated', audit.duplicated === 0, audit.duplicated),
          check('a new leader on another node', newLeader.name !== leader.name, newLeader.name),
          check(
            'jobs accepted after the stop completed',
            acceptedAfterStop.length > 0 && completedAfterStop === acceptedAfterStop.length,
            `${completedAfterStop} of ${acceptedAfterStop.length}`,
          ),
          check(
            'every service still running',
            exited.length === 0,
            exited.length === 0 ? `${services.length} of ${services.length}` : `exited: ${exited.join(', ')}`,
          ),
          // Every service connects to the first address that answers: the first node's loss moves them all.
          check(
            'every service connected to the stopped node moved to another',
            movedOn.length === (leader === rabbit.nodes[0] ? services.length : 0),
            `${movedOn.length} of ${services.length} (${movedOn.map((s) => s.name).join(', ') || 'none'}; stopped node ${rabbit.nodes.indexOf(leader) + 1} of 3)`,
          ),
        ],
        [...audit.details, ...details, ...ledger.odd.slice(0, 3).map((o) => `odd response ${o.status}: ${o.detail}`)],
      );
    } finally {
      await db.end();
    }
  } finally {
    await chaos?.close();
    await rabbit.destroy();
  }
}
