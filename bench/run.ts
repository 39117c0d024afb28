import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchContext, LoadSeries, Scenario, ScenarioResult } from './support/bench.types';
import { describeMachine } from '../test/support/machine.util';
import { latencyVsLoadSvg } from './support/plot.util';
import { Progress } from './support/progress.util';
import { reportMarkdown, type BenchReport } from './support/report.util';
import { UpstreamProcess } from './support/upstream.process';
import { SCENARIOS } from './scenarios';

const BENCH = __dirname;
const ROOT = join(BENCH, '..');

/**
 * `npm run bench [-- <scenario id prefix>…]`: runs the scenarios in order against one bench upstream and
 * Conveyor clusters over the local RabbitMQ and PostgreSQL, then writes bench/results/bench-<time>.json,
 * bench/report.json, bench/report.md and the plot. BENCH_QUICK=1 shortens every phase; `--rewrite` only rebuilds
 * bench/report.md and the plot from bench/report.json.
 */
async function main(): Promise<void> {
  // `--rewrite`: rebuild bench/report.md and the plot from bench/report.json, without measuring anything.
  if (process.argv.includes('--rewrite')) return write(JSON.parse(readFileSync(join(BENCH, 'report.json'), 'utf8')) as BenchReport, new Progress(), false);
  if (!existsSync(join(ROOT, 'dist', 'apps', 'gateway', 'src', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm run bench does)');
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const chosen: Scenario[] = wanted.length ? SCENARIOS.filter((s) => wanted.some((w) => s.id.startsWith(w))) : [...SCENARIOS];
  if (chosen.length === 0) throw new Error(`no scenario matches ${wanted.join(', ')}; there are ${SCENARIOS.map((s) => s.id).join(', ')}`);
  const quick = process.env.BENCH_QUICK === '1' || process.argv.includes('--quick');
  const progress = new Progress();
  const machine = await describeMachine();
  progress.line(
    `${chosen.length} scenario(s) on ${machine.cpus} CPUs (${machine.cpuModel}), RabbitMQ ${machine.rabbitmq}, PostgreSQL ${machine.postgresql}${quick ? ', quick' : ''}`,
  );
  const upstream = await UpstreamProcess.start();
  const report: BenchReport = { machine, quick, scenarios: [], failures: [] };
  try {
    for (const [i, scenario] of chosen.entries()) {
      progress.enter(`${i + 1}/${chosen.length} ${scenario.id}`);
      const ctx: BenchContext = { upstreamUrl: upstream.url, quick, progress };
      try {
        const result = await scenario.run(ctx);
        report.scenarios.push(result);
        for (const t of result.targets) progress.line(`${t.met ? 'met' : 'MISSED'}: ${t.name}: ${t.measured} (target ${t.target})`);
      } catch (err) {
        progress.line(`failed: ${(err as Error).stack ?? String(err)}`);
        report.failures.push({ id: scenario.id, error: (err as Error).message });
      }
    }
  } finally {
    await upstream.stop();
  }
  write(report, progress);
  if (report.failures.length) process.exitCode = 1;
}

function write(report: BenchReport, progress: Progress, fresh = true): void {
  mkdirSync(join(BENCH, 'results'), { recursive: true });
  const stamp = report.machine.date.replace(/[:.]/g, '-');
  const json = JSON.stringify(report, null, 2);
  if (fresh) writeFileSync(join(BENCH, 'results', `bench-${stamp}.json`), json);
  writeFileSync(join(BENCH, 'report.json'), json);
  const series: LoadSeries[] = report.scenarios.flatMap((s: ScenarioResult) => s.series ?? []);
  const plot = series.length ? 'latency-vs-load.svg' : null;
  if (plot) writeFileSync(join(BENCH, plot), latencyVsLoadSvg('Latency percentiles against load', series, 50));
  writeFileSync(join(BENCH, 'report.md'), reportMarkdown(report, plot));
  progress.line(`wrote bench/report.json, bench/report.md${plot ? ` and bench/${plot}` : ''} (raw: bench/results/bench-${stamp}.json)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
