import type { LoadSeries } from './bench.types';

const W = 760;
const H = 420;
const M = { left: 64, right: 190, top: 36, bottom: 52 };
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];
const PERCENTILES = [
  { key: 'p50Ms', label: 'p50', dash: '' },
  { key: 'p90Ms', label: 'p90', dash: '6 3' },
  { key: 'p99Ms', label: 'p99', dash: '2 3' },
] as const;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** 1, 2, 5, 10, 20, 50, … spanning [lo, hi]. */
function logTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  for (let decade = 10 ** Math.floor(Math.log10(lo)); decade <= hi; decade *= 10)
    for (const m of [1, 2, 5]) if (decade * m >= lo && decade * m <= hi) ticks.push(decade * m);
  return ticks;
}

function niceTicks(max: number, count = 6): number[] {
  const raw = max / count;
  const step = [1, 2, 2.5, 5, 10].map((m) => m * 10 ** Math.floor(Math.log10(raw))).find((s) => s >= raw)!;
  return Array.from({ length: Math.floor(max / step) + 1 }, (_, i) => i * step);
}

/**
 * Latency percentiles against load as a standalone SVG (no plotting dependency): x is requests per second,
 * y is milliseconds on a log scale; one colour per series, solid p50, dashed p90, dotted p99, and a grey line
 * at `limitMs` (the target's p99 ceiling).
 */
export function latencyVsLoadSvg(title: string, series: readonly LoadSeries[], limitMs?: number): string {
  const points = series.flatMap((s) => s.points);
  const ys = points.flatMap((p) => [p.p50Ms, p.p90Ms, p.p99Ms]).filter((v) => v > 0);
  const yLo = 10 ** Math.floor(Math.log10(Math.max(0.1, Math.min(...ys, limitMs ?? Infinity))));
  const yHi = 10 ** Math.ceil(Math.log10(Math.max(...ys, limitMs ?? 0, 1)));
  const xMax = Math.max(...points.map((p) => p.rps), 1) * 1.05;
  const x = (rps: number) => M.left + (rps / xMax) * (W - M.left - M.right);
  const y = (ms: number) => M.top + (1 - (Math.log10(Math.max(ms, yLo)) - Math.log10(yLo)) / (Math.log10(yHi) - Math.log10(yLo))) * (H - M.top - M.bottom);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${M.left}" y="20" font-size="14" font-weight="bold">${esc(title)}</text>`,
  ];
  for (const t of logTicks(yLo, yHi))
    out.push(
      `<line x1="${M.left}" x2="${W - M.right}" y1="${y(t)}" y2="${y(t)}" stroke="#eee"/><text x="${M.left - 6}" y="${y(t) + 4}" text-anchor="end">${t}</text>`,
    );
  for (const t of niceTicks(xMax))
    out.push(
      `<line x1="${x(t)}" x2="${x(t)}" y1="${M.top}" y2="${H - M.bottom}" stroke="#f4f4f4"/><text x="${x(t)}" y="${H - M.bottom + 16}" text-anchor="middle">${t}</text>`,
    );
  out.push(`<rect x="${M.left}" y="${M.top}" width="${W - M.left - M.right}" height="${H - M.top - M.bottom}" fill="none" stroke="#888"/>`);
  out.push(`<text x="${(M.left + W - M.right) / 2}" y="${H - 12}" text-anchor="middle">requests per second (achieved)</text>`);
  out.push(`<text transform="translate(16 ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle">latency, ms (log scale)</text>`);
  if (limitMs)
    out.push(
      `<line x1="${M.left}" x2="${W - M.right}" y1="${y(limitMs)}" y2="${y(limitMs)}" stroke="#999" stroke-width="1.5" stroke-dasharray="8 4"/><text x="${W - M.right - 4}" y="${y(limitMs) - 4}" text-anchor="end" fill="#666">${limitMs} ms</text>`,
    );
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length]!;
    const sorted = [...s.points].sort((a, b) => a.rps - b.rps);
    for (const p of PERCENTILES) {
      const d = sorted.map((pt, j) => `${j ? 'L' : 'M'}${x(pt.rps).toFixed(1)} ${y(pt[p.key]).toFixed(1)}`).join(' ');
      out.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2" ${p.dash ? `stroke-dasharray="${p.dash}"` : ''}/>`);
      for (const pt of sorted) out.push(`<circle cx="${x(pt.rps).toFixed(1)}" cy="${y(pt[p.key]).toFixed(1)}" r="2.5" fill="${color}"/>`);
    }
    out.push(
      `<rect x="${W - M.right + 12}" y="${M.top + i * 20}" width="12" height="12" fill="${color}"/><text x="${W - M.right + 30}" y="${M.top + i * 20 + 10}">${esc(s.name)}</text>`,
    );
  });
  const legendY = M.top + series.length * 20 + 14;
  PERCENTILES.forEach((p, i) => {
    const ly = legendY + i * 18;
    out.push(
      `<line x1="${W - M.right + 12}" x2="${W - M.right + 40}" y1="${ly}" y2="${ly}" stroke="#333" stroke-width="2" ${p.dash ? `stroke-dasharray="${p.dash}"` : ''}/><text x="${W - M.right + 46}" y="${ly + 4}">${p.label}</text>`,
    );
  });
  out.push('</svg>');
  return out.join('\n');
}
