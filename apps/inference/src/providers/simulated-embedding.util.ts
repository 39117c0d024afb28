import { createHash } from 'node:crypto';

/** The simulated vectors' length when the request names none: OpenAI's text-embedding-3-small's. */
export const SIMULATED_EMBEDDING_DIMENSIONS = 1536;

/**
 * A deterministic unit vector for a text: SHA-256 of the text seeds a counter-mode stream of SHA-256 blocks, read
 * as signed 32-bit integers and scaled to [-1, 1], then normalised. The same text and length always give the same
 * vector; it carries no meaning (texts alike are not close), which is what a labelled simulation should promise.
 */
export function simulatedEmbedding(text: string, dimensions: number): number[] {
  const seed = createHash('sha256').update(text).digest();
  const vector = new Array<number>(dimensions);
  let block = Buffer.alloc(0);
  for (let i = 0; i < dimensions; i++) {
    const offset = (i % 8) * 4;
    if (offset === 0)
      block = createHash('sha256')
        .update(seed)
        .update(String(i / 8))
        .digest();
    vector[i] = block.readInt32LE(offset) / 2 ** 31;
  }
  const norm = Math.sqrt(vector.reduce((sum, v) => sum + v * v, 0)) || 1;
  return vector.map((v) => v / norm);
}
