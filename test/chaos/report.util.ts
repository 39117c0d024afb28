import { writeFileSync } from 'node:fs';
import type { MachineInfo } from '../support/machine.util';
import type { ScenarioResult } from './chaos.types';

/** The markdown report: the machine, a summary, then one table of figures and one of checks per scenario. */
export function renderMarkdown(machine: MachineInfo, results: ScenarioResult[], options: { realRestarts: boolean }): string {
  const lines = [
    '# Conveyor fault suite (`npm run chaos`)',
    '',
    `Date: ${machine.date} · machine: ${machine.cpus} CPU (${machine.cpuModel}), ${machine.memoryGiB} GiB · Node ${machine.node} · RabbitMQ ${machine.rabbitmq} · PostgreSQL ${machine.postgresql}`,
    `Outages: ${options.realRestarts ? 'real restarts of RabbitMQ / PostgreSQL (`--real-restarts`)' : 'TCP proxies cut between the services and RabbitMQ / PostgreSQL (`--real-restarts` for real ones)'}`,
    '',
    "Every scenario keeps a ledger of each 202 and ends with an audit in PostgreSQL: **lost** = accepted with no terminal state after the drain wait; **duplicated** = a job whose terminal state/result was written more than once, whose usage was recorded more than once, or one submission that produced two job rows (counted by triggers the audit installs); **provider calls** from the bench upstream's per-marker counts.",
    '',
    '| Scenario | Result | Accepted | Terminal | Lost | Duplicated | Provider calls | Duration |',
    '|---|---|---|---|---|---|---|---|',
    ...results.map(
      (r) =>
        `| ${r.id} | ${r.passed ? 'PASS' : '**FAIL**'} | ${r.figures.accepted ?? ''} | ${r.figures.terminal ?? ''} | ${r.figures.lost ?? ''} | ${r.figures.duplicated ?? ''} | ${r.figures.providerCalls ?? ''} | ${(r.durationMs / 1000).toFixed(0)} s |`,
    ),
    '',
  ];
  for (const r of results) {
    lines.push(`## ${r.id}: ${r.passed ? 'PASS' : 'FAIL'}`, '', r.title, '', '| Check | Result | Measured |', '|---|---|---|');
    for (const c of r.checks) lines.push(`| ${c.name} | ${c.passed ? 'PASS' : '**FAIL**'} | ${escape(c.measured)} |`);
    lines.push('', '| Figure | Value |', '|---|---|');
    for (const [k, v] of Object.entries(r.figures)) lines.push(`| ${k} | ${v === null ? '—' : String(v)} |`);
    if (r.details.length > 0) lines.push('', 'Details:', '', ...r.details.slice(0, 20).map((d) => `- ${escape(d)}`));
    lines.push('');
  }
  return lines.join('\n');
}

export function writeReports(mdPath: string, jsonPath: string, machine: MachineInfo, results: ScenarioResult[], options: { realRestarts: boolean }): void {
  writeFileSync(mdPath, renderMarkdown(machine, results, options));
  writeFileSync(jsonPath, `${JSON.stringify({ machine, options, passed: results.every((r) => r.passed), scenarios: results }, null, 2)}\n`);
}

const escape = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
