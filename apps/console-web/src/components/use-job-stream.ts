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

const CONNECTING: JobStreamState = { text: '', phase: 'connecting', deltas: 0, ended: false, error: null };

/** Follows `GET /v1/jobs/{id}/stream` while `jobId` is set; `onEnd` runs once when the job ends. */
export function useJobStream(key: string, jobId: string | null, onEnd?: (phase: string) => void): JobStreamState {
  // The state names its job: on a move to another job's page, the render before the effect below runs would
  // otherwise show the previous job's text as this one's.
  const [state, setState] = useState<JobStreamState & { jobId: string | null }>({ ...CONNECTING, jobId });
  const onEndRef = useRef(onEnd);
  onEndRef.current = onEnd;

  useEffect(() => {
    if (!jobId) return;
    setState({ ...CONNECTING, jobId });
    const controller = new AbortController();
    let ended = false;
    readSse(
      key,
      `v1/jobs/${encodeURIComponent(jobId)}/stream`,
      (event) => {
        const data = JSON.parse(event.data) as { content?: string };
        if (TERMINAL.has(event.event)) ended = true;
        setState((s) => {
          if (s.jobId !== jobId) return s; // an event of the previous job's stream, read just before it was let go
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

  if (state.jobId !== jobId) return CONNECTING;
  const { jobId: _job, ...current } = state;
  return current;
}
