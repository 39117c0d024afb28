import { readStamps } from '../../bench/upstream/token-stamp.util';
import { openSse, type SseEvent } from '../support/sse-client.util';

/** One connection the client cut on purpose. */
export interface StreamCut {
  /** Whole stamped tokens the client held when it cut: below the job's token count means mid-text. */
  tokensHeld: number;
  /** When it cut, and when it had opened that connection (epoch ms, this machine's clock, which the services share). */
  at: number;
  openedAt: number;
  replica: string;
}

export interface ResumedStream {
  /** The text the client reassembled across every connection. */
  text: string;
  connections: number;
  cuts: StreamCut[];
  /** Connections opened on another replica than the one before (every resume, by construction). */
  replicaMoves: number;
  /** Deltas whose id offset did not continue exactly where the client's text ended (a gap or an overlap). */
  gaps: number;
  restarts: number;
  ended: string | null;
  detail: string | null;
}

/**
 * Reads one job's stream as a client on a bad network: it connects to a random replica and, for each entry of
 * `cutAtTokens` (ascending), cuts the connection as soon as it holds that many whole stamped tokens — mid-text,
 * while the job still streams — then resumes with `Last-Event-ID` (the last id it got) on a random *other*
 * replica; after the last cut it reads to the end. It reassembles the text as a client must (`restart` discards
 * it) and checks every delta's id: `a<attempt>:<offset>` must equal the text held so far plus the delta, so a gap
 * or a repeat across a resume is seen where it happens. A connection that neither ends nor is cut within
 * `stallMs` ends the read as `stalled`.
 */
export async function readWithCuts(
  replicas: readonly string[],
  path: string,
  headers: Record<string, string>,
  cutAtTokens: readonly number[],
  stallMs = 30_000,
): Promise<ResumedStream> {
  let text = '';
  let lastId: string | undefined;
  let gaps = 0;
  let restarts = 0;
  let detail: string | null = null;
  let ended: string | null = null;
  let connections = 0;
  let replicaMoves = 0;
  let replica: string | null = null;
  const cuts: StreamCut[] = [];

  const take = (e: SseEvent): void => {
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
  };

  while (ended === null && connections < cutAtTokens.length + 20) {
    const others: readonly string[] = replica === null ? replicas : replicas.filter((r) => r !== replica);
    const next: string = others[Math.floor(Math.random() * others.length)]!;
    if (replica !== null && next !== replica) replicaMoves++;
    replica = next;
    connections++;
    const cutAt = cutAtTokens[cuts.length];
    const openedAt = Date.now();
    let seen = 0;
    // Called after each event the connection receives: the client takes it, then decides whether to cut here.
    const onEvent = (events: SseEvent[]): boolean => {
      for (; seen < events.length; seen++) take(events[seen]!);
      if (cutAt === undefined || ended !== null) return false;
      const held = readStamps(text).tokens.length;
      if (held < cutAt) return false;
      cuts.push({ tokensHeld: held, at: Date.now(), openedAt, replica: next });
      return true;
    };
    const stream = await openSse(`${next}${path}`, { ...headers, ...(lastId ? { 'last-event-id': lastId } : {}) }, onEvent);
    if (stream.status !== 200) return { text, connections, cuts, replicaMoves, gaps, restarts, ended, detail: `stream answered ${stream.status} on ${next}` };
    const stalled = await Promise.race([stream.done.then(() => false), new Promise<boolean>((resolve) => setTimeout(() => resolve(true), stallMs).unref())]);
    if (stalled) {
      detail ??= `connection ${connections} stalled on ${next}: no end within ${stallMs} ms after ${stream.events.length} events (last id ${lastId ?? 'none'})`;
      ended = 'stalled';
    }
  }
  return { text, connections, cuts, replicaMoves, gaps, restarts, ended, detail };
}
