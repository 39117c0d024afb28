import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ScenarioResult } from './bench.types';
import { describeMachine, type MachineInfo } from '../../test/support/machine.util';

export interface BenchReport {
  machine: MachineInfo;
  quick: boolean;
  scenarios: ScenarioResult[];
  failures: Array<{ id: string; error: string }>;
}

const cell = (v: unknown) => (v === null || v === undefined ? '–' : String(v)).replace(/\|/g, '\\|');

/**
 * bench/report.md, the run's whole record as the harness measured it: machine, targets met or missed, then every
 * figure per scenario with its notes. Nothing in it is written by hand; bench/README.md only refers to it.
 */
export function reportMarkdown(report: BenchReport, plotFile: string | null): string {
  const m = report.machine;
  const lines = [
    '# Benchmark report',
    '',
    `Written by \`npm run bench\` ([run.ts](run.ts)); the same figures are in [report.json](report.json). What each scenario measures and` +
      ` how to read it: [README.md](README.md).`,
    '',
    `Measured ${m.date} on ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB; Node ${m.node}, RabbitMQ ${m.rabbitmq}, PostgreSQL ${m.postgresql}.` +
      ` The load generator, the upstream mock, RabbitMQ, PostgreSQL and every Conveyor process share those cores.` +
      (report.quick ? ' **Quick run (BENCH_QUICK=1): short phases, rough figures.**' : ''),
    '',
    '## Targets',
    '',
    '| scenario | what | target | measured | met | where it goes (this run) |',
    '|---|---|---|---|---|---|',
    ...report.scenarios.flatMap((s) =>
      s.targets.map(
        (t) =>
          `| ${s.id} | ${cell(t.name)} | ${cell(t.target)} | ${cell(t.measured)} | ${t.met ? 'yes' : '**no**'} | ${t.met ? '' : cell(t.why ?? 'not explained')} |`,
      ),
    ),
    '',
  ];
  if (plotFile) lines.push(`![latency percentiles against load](${plotFile})`, '');
  for (const s of report.scenarios) {
    lines.push(`## ${s.id}: ${s.title}`, '', '| figure | value |', '|---|---|');
    for (const [k, v] of Object.entries(s.metrics)) lines.push(`| ${k} | ${cell(v)} |`);
    for (const t of s.tables ?? []) {
      lines.push('', `**${t.title}**`, '', `| ${t.header.map(cell).join(' | ')} |`, `|${t.header.map(() => '---').join('|')}|`);
      for (const row of t.rows) lines.push(`| ${row.map(cell).join(' | ')} |`);
    }
    if (s.notes?.length) lines.push('', ...s.notes.map((n) => `- ${n}`));
    lines.push('');
  }
  for (const f of report.failures) lines.push(`## ${f.id}: did not finish`, '', '```', f.error, '```', '');
  return lines.join('\n');
}

/**
 * A bench tool's own report, bench/report.<tool>.md: its table and when and where it was measured, so the README
 * refers to it instead of quoting it. Answers the file's path.
 */
export async function writeToolReport(tool: string, title: string, table: string[]): Promise<string> {
  const m = await describeMachine();
  const path = join(__dirname, '..', `report.${tool}.md`);
  const text = [
    `# ${title}`,
    '',
    `Written by \`npx tsx bench/${tool}.ts\`; measured ${m.date} on ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB; Node ${m.node}, RabbitMQ ${m.rabbitmq}, PostgreSQL ${m.postgresql}.`,
    '',
    ...table,
    '',
  ].join('\n');
  writeFileSync(path, text);
  return path;
}
