import { request, type Agent } from 'node:http';
import { nowMs, readStamps, sequenceFault } from '../upstream/token-stamp.util';

/** What one SSE subscriber saw of one job's stream. */
export interface StreamTally {
  /** Upstream send → this client's read, per token, in ms. */
  latenciesMs: number[];
  /** When the upstream wrote each token (same order as `latenciesMs`), in ms on the machine's clock. */
  sentAtMs: number[];
  seqs: number[];
  ended: 'completed' | 'failed' | 'cancelled' | 'closed' | 'error';
  restarts: number;
  /** A gap or reordering, or null if the tokens arrived whole and in order. */
  fault: string | null;
}

/**
 * Follows `GET /v1/jobs/{id}/stream` and reads the bench upstream's stamped tokens out of the `delta` events:
 * each token's relay latency (the upstream's write to this read, one machine clock) and its sequence, to count
 * lost or reordered chunks. A minimal SSE parser: Conveyor sends one `data:` line per event.
 */
export function followStream(url: string, headers: Record<string, string>, agent: Agent, expectedTokens: number): Promise<StreamTally> {
  return new Promise((resolve) => {
    const tally: StreamTally = { latenciesMs: [], sentAtMs: [], seqs: [], ended: 'closed', restarts: 0, fault: null };
    let buffer = '';
    let event = 'message';
    let partial = '';
    const finish = () => {
      tally.fault = tally.restarts ? `restarted ${tally.restarts}×` : sequenceFault(tally.seqs, expectedTokens);
      resolve(tally);
    };
    const req = request(url, { agent, headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      if (res.statusCode !== 200) {
        tally.ended = 'error';
        res.resume();
        return res.once('end', finish);
      }
      res.setEncoding('utf8');
      res.on('data', (text: string) => {
        const readAt = nowMs();
        buffer += text;
        for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          if (line.startsWith('event:')) event = line.slice(6).trim();
          else if (line.startsWith('data:') && event === 'delta') {
            const { tokens, rest } = readStamps(partial + (JSON.parse(line.slice(5)) as { content: string }).content);
            partial = rest;
            for (const t of tokens) {
              tally.seqs.push(t.seq);
              tally.latenciesMs.push(readAt - t.sentAtMs);
              tally.sentAtMs.push(t.sentAtMs);
            }
          } else if (line.startsWith('data:') && event === 'restart') tally.restarts++;
          else if (line.startsWith('data:') && (event === 'completed' || event === 'failed' || event === 'cancelled')) tally.ended = event;
          else if (line === '') event = 'message';
        }
      });
      res.once('end', finish);
      res.once('error', () => ((tally.ended = 'error'), finish()));
    });
    req.once('error', () => ((tally.ended = 'error'), finish()));
    req.end();
  });
}
