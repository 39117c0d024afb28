import { join } from 'node:path';
import { check, defaultRunId, resultOf, type ScenarioResult } from './chaos.types';
import { describeMachine } from '../support/machine.util';
import { writeReports } from './report.util';
import { SCENARIOS } from './scenarios';

/**
 * `npm run chaos [-- <scenario ids>] [--real-restarts]`: runs the fault scenarios at full size, one at a time,
 * with progress on stderr, and writes test/chaos/REPORT.md and REPORT.json. Exits non-zero if any fails.
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const realRestarts = args.includes('--real-restarts');
  const wanted = args.filter((a) => !a.startsWith('--'));
  const unknown = wanted.filter((id) => !SCENARIOS.some((s) => s.id === id));
  if (unknown.length > 0) {
    process.stderr.write(`unknown scenario(s): ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.id).join(', ')}\n`);
    process.exit(2);
  }
  const selected = SCENARIOS.filter((s) => wanted.length === 0 || wanted.includes(s.id));
  const t0 = Date.now();
  const machine = await describeMachine();
  const results: ScenarioResult[] = [];
  for (const scenario of selected) {
    const progress = (message: string) => process.stderr.write(`[${((Date.now() - t0) / 1000).toFixed(0).padStart(4)}s] ${scenario.id}: ${message}\n`);
    progress('start');
    const startedAt = Date.now();
    const result = await scenario
      .full({ runId: defaultRunId(), progress, realRestarts })
      .catch((err: Error) =>
        resultOf(
          scenario.id,
          `${scenario.id} (crashed)`,
          startedAt,
          {},
          [check('scenario ran to the end', false, err.message.slice(0, 300))],
          [String(err.stack).slice(0, 1000)],
        ),
      );
    results.push(result);
    progress(
      `${result.passed ? 'PASS' : 'FAIL'} in ${(result.durationMs / 1000).toFixed(0)} s — ${
        result.checks
          .filter((c) => !c.passed)
          .map((c) => `${c.name}: ${c.measured}`)
          .join('; ') || 'all checks passed'
      }`,
    );
  }
  writeReports(join(__dirname, 'REPORT.md'), join(__dirname, 'REPORT.json'), machine, results, { realRestarts });
  process.stderr.write(`wrote test/chaos/REPORT.md and REPORT.json: ${results.filter((r) => r.passed).length} of ${results.length} scenarios passed\n`);
  // Leftover timers of the in-process upstream (a hung call's pacing) must not hold the exit.
  process.exit(results.every((r) => r.passed) ? 0 : 1);
}

void main();
