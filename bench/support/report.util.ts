import type { ScenarioResult } from './bench.types';
import type { MachineInfo } from '../../test/support/machine.util';

export interface BenchReport {
  machine: MachineInfo;
  quick: boolean;
  scenarios: ScenarioResult[];
  failures: Array<{ id: string; error: string }>;
}

const START = '<!-- results:start -->';
const END = '<!-- results:end -->';

const cell = (v: unknown) => (v === null || v === undefined ? '–' : String(v)).replace(/\|/g, '\\|');

/** The results section of bench/README.md: machine, targets met or missed, then every figure per scenario. */
export function resultsMarkdown(report: BenchReport, plotFile: string | null): string {
  const m = report.machine;
  const lines = [
    START,
    `## Results of the last run`,
    '',
    `Measured ${m.date.slice(0, 10)} on ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB; Node ${m.node}, RabbitMQ ${m.rabbitmq}, PostgreSQL ${m.postgresql}.` +
      ` The load generator, the upstream mock, RabbitMQ, PostgreSQL and every Conveyor process share those cores.` +
      (report.quick ? ' **Quick run (BENCH_QUICK=1): short phases, rough figures.**' : ''),
    '',
    '### Targets',
    '',
    '| scenario | what | target | measured | met |',
    '|---|---|---|---|---|',
    ...report.scenarios.flatMap((s) => s.targets.map((t) => `| ${s.id} | ${cell(t.name)} | ${cell(t.target)} | ${cell(t.measured)} | ${t.met ? 'yes' : '**no**'} |`)),
    '',
  ];
  if (plotFile) lines.push(`![latency percentiles against load](${plotFile})`, '');
  for (const s of report.scenarios) {
    lines.push(`### ${s.id}: ${s.title}`, '', '| figure | value |', '|---|---|');
    for (const [k, v] of Object.entries(s.metrics)) lines.push(`| ${k} | ${cell(v)} |`);
    if (s.notes?.length) lines.push('', ...s.notes.map((n) => `- ${n}`));
    lines.push('');
  }
  for (const f of report.failures) lines.push(`### ${f.id}: did not finish`, '', '```', f.error, '```', '');
  lines.push(END);
  return lines.join('\n');
}

/** Replaces the results section of the README (or appends one), leaving the hand-written part alone. */
export function spliceResults(readme: string, section: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < 0) return `${readme.trimEnd()}\n\n${section}\n`;
  return `${readme.slice(0, start)}${section}${readme.slice(end + END.length)}`;
}
