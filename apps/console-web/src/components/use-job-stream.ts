import { useEffect, useRef, useState } from 'react';
import { errorText } from '../api/api-client';
import { readSse } from '../api/sse.reader';

export interface JobStreamState {
  /** The current attempt's text so far (a `restart` clears it, as the stream asks). */
  text: string;
  /** The last event's name: queued, started, delta, restart, completed, failed, cancelled, expired. */
  phase: string;
  deltas: number;
  ended: boolean;
  error: string | null;
}

const TERMINAL = new Set(['completed', 'failed', 'cancelled', 'expired']);

/** Follows `GET /v1/jobs/{id}/stream` while `jobId` is set; `onEnd` runs once when the job ends. */
export function useJobStream(key: string, jobId: string | null, onEnd?: (phase: string) => void): JobStreamState {
  const [state, setState] = useState<JobStreamState>({ text: '', phase: 'connecting', deltas: 0, ended: false, error: null });
  const onEndRef = useRef(onEnd);
  onEndRef.current = onEnd;

  useEffect(() => {
    if (!jobId) return;
    setState({ text: '', phase: 'connecting', deltas: 0, ended: false, error: null });
    const controller = new AbortController();
    let ended = false;
    readSse(
      key,
      `v1/jobs/${encodeURIComponent(jobId)}/stream`,
      (event) => {
        const data = JSON.parse(event.data) as { content?: string };
        if (TERMINAL.has(event.event)) ended = true;
        setState((s) => {
          if (event.event === 'delta') return { ...s, text: s.text + (data.content ?? ''), phase: 'delta', deltas: s.deltas + 1 };
          if (event.event === 'restart') return { ...s, text: '', phase: 'restart' };
          return { ...s, phase: event.event, ended: s.ended || TERMINAL.has(event.event) };
        });
        if (TERMINAL.has(event.event)) onEndRef.current?.(event.event);
      },
      controller.signal,
    ).catch((e: unknown) => {
      if (!controller.signal.aborted && !ended) setState((s) => ({ ...s, error: errorText(e) }));
    });
    return () => controller.abort();
  }, [key, jobId]);

  return state;
}
