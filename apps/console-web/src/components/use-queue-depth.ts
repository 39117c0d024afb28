import { useState } from 'react';
import { apiFetch } from '../api/api-client';
import type { Band } from '../api/api.types';
import { usePoll } from './use-poll';

interface Stats {
  queues: Record<Band, { messages: number; consumers: number }> | null;
}

const DEPTH_POINTS = 60;

export type DepthSample = { at: string } & Record<Band, number>;

/** The bands' queue depth, sampled from `/stats` every two seconds, the last sixty samples kept. */
export function useQueueDepth(apiKey: string): DepthSample[] {
  const [samples, setSamples] = useState<DepthSample[]>([]);
  usePoll(
    async (signal) => {
      const stats = await apiFetch<Stats>(apiKey, 'stats', { signal });
      if (!stats.queues) return null;
      const sample = {
        at: new Date().toLocaleTimeString(),
        high: stats.queues.high.messages,
        normal: stats.queues.normal.messages,
        low: stats.queues.low.messages,
      };
      setSamples((s) => [...s.slice(-(DEPTH_POINTS - 1)), sample]);
      return null;
    },
    2000,
    [apiKey],
  );
  return samples;
}
