/**
 * An embedding as it travels and is stored: little-endian float32, base64 — what OpenAI's `encoding_format:
 * "base64"` answers. A quarter of the JSON float form's size, and the float form decoded from it is exactly the
 * float32 values the provider's vector rounds to, so both forms of one job agree bit for bit.
 */
export function encodeEmbedding(vector: readonly number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((value, i) => bytes.writeFloatLE(value, i * 4));
  return bytes.toString('base64');
}

/** The float form of an encoded embedding. */
export function decodeEmbedding(encoded: string): number[] {
  const bytes = Buffer.from(encoded, 'base64');
  const vector = new Array<number>(bytes.length >> 2);
  for (let i = 0; i < vector.length; i++) vector[i] = bytes.readFloatLE(i * 4);
  return vector;
}

/** How many dimensions an encoded embedding has. */
export function embeddingDimensions(encoded: string): number {
  return Buffer.byteLength(encoded, 'base64') >> 2;
}
