import { useEffect, useRef } from 'react';
import {
  ArcElement,
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  DoughnutController,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
} from 'chart.js';

// Only what the console draws (bars, lines, doughnuts), so the bundle leaves the rest of Chart.js out.
Chart.register(
  BarController,
  BarElement,
  LineController,
  LineElement,
  PointElement,
  DoughnutController,
  ArcElement,
  CategoryScale,
  LinearScale,
  Legend,
  Tooltip,
);

/**
 * A Chart.js chart. The chart is made once and updated in place (no animation on updates), so a live series moves
 * instead of redrawing from nothing. `label` names the canvas for screen readers; `summary` is its text equivalent.
 */
export function ChartView({ config, label, summary, height = 240 }: { config: ChartConfiguration; label: string; summary: string; height?: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart | null>(null);

  useEffect(() => {
    if (!canvas.current) return;
    chart.current = new Chart(canvas.current, { ...config, options: { responsive: true, maintainAspectRatio: false, ...config.options } });
    return () => {
      chart.current?.destroy();
      chart.current = null;
    };
  }, [config.type]);

  useEffect(() => {
    const current = chart.current;
    if (!current) return;
    current.data = config.data;
    current.update('none');
  }, [config.data]);

  return (
    <div style={{ position: 'relative', height }}>
      <canvas ref={canvas} role="img" aria-label={`${label}: ${summary}`} data-chart={label} data-points={countPoints(config)} />
    </div>
  );
}

function countPoints(config: ChartConfiguration): number {
  return config.data.datasets.reduce((sum, d) => sum + (d.data as unknown[]).filter((v) => v !== null && v !== 0).length, 0);
}
