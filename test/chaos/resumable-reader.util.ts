import { openSse, type SseEvent } from '../support/sse-client.util';

export interface ResumedStream {
  /** The text the client reassembled across every connection. */
  text: string;
  connections: number;
  /** Deltas whose id offset did not continue exactly where the client's text ended (a gap or an overlap). */
  gaps: number;
  restarts: number;
  ended: string | null;
  detail: string | null;
}

/**
 * Reads one job's stream as a client on a bad network: cut after a random number of events 1 to `maxCuts`
 * times, resuming each time with `Last-Event-ID` (the last id it got), then read to the end. It reassembles the
 * text as a client must (`restart` discards it) and checks every delta's id: `a<attempt>:<offset>` must equal
 * the text held so far plus the delta, so a gap or a repeat across a resume is seen where it happens. A
 * connection that neither ends nor is cut within `stallMs` ends the read as `stalled`.
 */
export async function readWithCuts(url: string, headers: Record<string, string>, maxCuts: number, maxEventsPerCut: number, stallMs = 30_000): Promise<ResumedStream> {
  let text = '';
  let lastId: string | undefined;
  let gaps = 0;
  let restarts = 0;
  let detail: string | null = null;
  let ended: string | null = null;
  let connections = 0;
  const cuts = 1 + Math.floor(Math.random() * maxCuts);
  while (ended === null && connections < maxCuts + 20) {
    const cutAfter = connections < cuts ? 1 + Math.floor(Math.random() * maxEventsPerCut) : Number.POSITIVE_INFINITY;
    connections++;
    const stream = await openSse(url, { ...headers, ...(lastId ? { 'last-event-id': lastId } : {}) }, (events) => events.length >= cutAfter);
    if (stream.status !== 200) return { text, connections, gaps, restarts, ended, detail: `stream answered ${stream.status}` };
    const stalled = await Promise.race([
      stream.done.then(() => false),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(true), stallMs).unref()),
    ]);
    if (stalled) {
      detail ??= `connection ${connections} stalled: no end within ${stallMs} ms after ${stream.events.length} events (last id ${stream.events.at(-1)?.id ?? lastId ?? 'none'})`;
      ended = 'stalled';
    }
    for (const e of stream.events as SseEvent[]) {
      if (e.event === 'restart') {
        restarts++;
        text = '';
      } else if (e.event === 'delta') {
        text += (JSON.parse(e.data) as { content: string }).content;
        const offset = Number(/^a\d+:(\d+)$/.exec(e.id ?? '')?.[1] ?? Number.NaN);
        if (offset !== text.length) {
          gaps++;
          detail ??= `delta id ${e.id} after ${text.length} characters held`;
        }
      } else if (['completed', 'failed', 'cancelled'].includes(e.event)) {
        ended = e.event;
      }
      if (e.id) lastId = e.id;
    }
  }
  return { text, connections, gaps, restarts, ended, detail };
}
