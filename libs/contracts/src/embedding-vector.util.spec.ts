import { decodeEmbedding, embeddingDimensions, encodeEmbedding } from './embedding-vector.util';
import { presentEmbeddings } from './embedding-view.schema';

describe('embedding vectors', () => {
  it("encode as OpenAI's base64 form: little-endian float32", () => {
    expect(encodeEmbedding([1, -2])).toBe(Buffer.from([0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0]).toString('base64'));
  });

  it('decode to the float32 values of the vector, and know their dimensions', () => {
    const vector = [0.1, -0.25, 0.333333];
    const encoded = encodeEmbedding(vector);
    expect(decodeEmbedding(encoded)).toEqual(vector.map(Math.fround));
    expect(embeddingDimensions(encoded)).toBe(3);
  });

  it('present a finished job in either encoding, the float form decoding the base64 one', () => {
    const result = {
      message: { role: 'assistant' as const, content: '' },
      finish_reason: 'stop' as const,
      usage: { prompt_tokens: 5, completion_tokens: 0, total_tokens: 5 },
      provider: 'simulated',
      model: 'e',
      embeddings: [encodeEmbedding([0.5, 0.25]), encodeEmbedding([1, 0])],
    };
    const base64 = presentEmbeddings('e', result, 'base64');
    expect(presentEmbeddings('e', result, 'float')).toEqual({
      object: 'list',
      data: [
        { object: 'embedding', index: 0, embedding: [0.5, 0.25] },
        { object: 'embedding', index: 1, embedding: [1, 0] },
      ],
      model: 'e',
      usage: { prompt_tokens: 5, total_tokens: 5 },
    });
    expect(base64.data.map((d) => decodeEmbedding(d.embedding as string))).toEqual([
      [0.5, 0.25],
      [1, 0],
    ]);
  });
});
