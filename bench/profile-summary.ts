import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * `tsx bench/profile-summary.ts <dir> [top] [--by-package]`: the self time of the hottest functions in each V8 .cpuprofile in
 * `dir` (written by `node --cpu-prof`; `npm run bench` passes BENCH_CPU_PROF=<dir> on to every service), so a
 * missed target comes with where the time went.
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Keeps only the samples of the profile's last `lastUs` microseconds (a load phase that ran until the process ended). */
export function lastPart(profile: CpuProfile, lastUs: number): CpuProfile {
  const from = profile.endTime - lastUs;
  const samples: number[] = [];
  const timeDeltas: number[] = [];
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    if (at < from) return;
    samples.push(id);
    timeDeltas.push(profile.timeDeltas[i] ?? 0);
  });
  return { ...profile, startTime: Math.max(profile.startTime, from), samples, timeDeltas };
}

/** Busy (non-idle) time in a profile, in ms. */
export function busyMs(profile: CpuProfile): number {
  const idle = new Set(profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
  return profile.samples.reduce((sum, id, i) => sum + (idle.has(id) ? 0 : (profile.timeDeltas[i] ?? 0)), 0) / 1000;
}

export function summarizeProfile(profile: CpuProfile, top = 25): Array<{ fn: string; selfMs: number; share: number }> {
  const byNode = new Map<number, number>();
  profile.samples.forEach((id, i) => byNode.set(id, (byNode.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const byFn = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const us = byNode.get(node.id) ?? 0;
    if (node.callFrame.functionName === '(idle)' || us === 0) continue;
    total += us;
    const url = node.callFrame.url.replace(/^file:\/\//, '');
    const where = url ? `${relative(process.cwd(), url)}:${node.callFrame.lineNumber + 1}` : '';
    const key = `${node.callFrame.functionName || '(anonymous)'} ${where}`.trim();
    byFn.set(key, (byFn.get(key) ?? 0) + us);
  }
  return [...byFn.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([fn, us]) => ({ fn, selfMs: Math.round(us / 1000), share: Math.round((us / total) * 1000) / 10 }));
}

/** Self time by where the code lives: a dependency (`node_modules/<pkg>`), Conveyor's own code, Node itself, GC. */
export function summarizeByPackage(profile: CpuProfile, top = 15): Array<{ fn: string; selfMs: number; share: number }> {
  const byOwner: CpuProfile = {
    ...profile,
    nodes: profile.nodes.map((n) => ({ ...n, callFrame: { ...n.callFrame, functionName: ownerOf(n.callFrame), url: '', lineNumber: -1 } })),
  };
  return summarizeProfile(byOwner, top);
}

function ownerOf(frame: ProfileNode['callFrame']): string {
  const url = frame.url;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.includes('/dist/'))
    return `conveyor ${url
      .slice(url.indexOf('/dist/') + 6)
      .split('/')
      .slice(0, 3)
      .join('/')}`;
  if (url.startsWith('node:') || url === '') return frame.functionName.startsWith('(') ? frame.functionName : `node ${frame.functionName}`;
  return url;
}

if (require.main === module) {
  const byPackage = process.argv.includes('--by-package');
  const [dir, top] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  if (!dir) throw new Error('usage: tsx bench/profile-summary.ts <dir with .cpuprofile files> [top]');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    console.log(`\n## ${file} (${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s)`);
    for (const row of (byPackage ? summarizeByPackage : summarizeProfile)(profile, Number(top ?? 25)))
      console.log(`${String(row.share).padStart(5)} %  ${String(row.selfMs).padStart(6)} ms  ${row.fn}`);
  }
}
