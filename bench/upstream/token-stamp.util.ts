/**
 * The mock upstream's tokens carry their own sequence number and send time (`<seq>@<epoch ms, 3 decimals> `), so a
 * client at the far end of Conveyor can tell, without any side channel, whether chunks were lost or reordered and
 * how long each token took from the upstream's write to its own read. All processes share one clock (one machine).
 */
export const nowMs = (): number => performance.timeOrigin + performance.now();

export const stampToken = (seq: number, atMs: number = nowMs()): string => `${seq}@${atMs.toFixed(3)} `;

export interface StampedToken {
  seq: number;
  sentAtMs: number;
}

/** Parses every whole token in `text`; a trailing partial token is left in `rest` for the next chunk. */
export function readStamps(text: string): { tokens: StampedToken[]; rest: string } {
  const tokens: StampedToken[] = [];
  let start = 0;
  for (let end = text.indexOf(' ', start); end >= 0; start = end + 1, end = text.indexOf(' ', start)) {
    const at = text.indexOf('@', start);
    tokens.push({ seq: Number(text.slice(start, at)), sentAtMs: Number(text.slice(at + 1, end)) });
  }
  return { tokens, rest: text.slice(start) };
}

/** The first gap or reordering in a sequence that should be 0, 1, 2, …, n-1: null if it is whole. */
export function sequenceFault(seqs: readonly number[], expected: number): string | null {
  for (let i = 0; i < seqs.length; i++) if (seqs[i] !== i) return `token ${i} arrived as #${seqs[i]}`;
  return seqs.length === expected ? null : `${seqs.length} of ${expected} tokens arrived`;
}
