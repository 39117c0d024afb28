import { hopFloorMs, measureHops } from './support/hop-floor.util';
import { writeToolReport } from './support/report.util';

/**
 * `npx tsx bench/hop-costs.ts [n]`: the round trips a synchronous completion's critical path is made of, each
 * timed alone at concurrency 1 against the local PostgreSQL and RabbitMQ, and how often one completion crosses
 * each. Their sum is the floor of Conveyor's added latency on this machine before any of its own code runs (the
 * `a-latency` scenario measures the same in its own run). Writes bench/report.hop-costs.md.
 */
async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 300);
  const hops = await measureHops(n);
  const report = [
    `| hop (p50 of ${n}, c=1) | ms | per completion |`,
    '|---|---|---|',
    ...hops.map((h) => `| ${h.name} | ${h.p50Ms} | ${h.perCompletion} |`),
    `| **floor: the sum over one completion** | **${hopFloorMs(hops)}** | |`,
  ];
  console.log(report.join('\n'));
  console.log(`wrote ${await writeToolReport('hop-costs', 'Round trips of the critical path, each alone', report)}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
