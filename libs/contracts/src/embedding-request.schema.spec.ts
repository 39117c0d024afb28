import { EmbeddingRequestSchema, MAX_EMBEDDING_INPUTS } from './embedding-request.schema';

const parse = (body: unknown) => EmbeddingRequestSchema.safeParse(body);
const problem = (body: unknown) => {
  const result = parse(body);
  if (result.success) throw new Error('expected a problem');
  const issue = result.error.issues[0]!;
  return { path: issue.path.join('.'), message: issue.message };
};

describe('EmbeddingRequestSchema', () => {
  it('takes one string or an array of strings, as an array, with encoding_format float by default', () => {
    expect(parse({ input: 'hello', model: 'm' }).data).toEqual({ input: ['hello'], model: 'm', encoding_format: 'float' });
    expect(parse({ input: ['a', 'b'], encoding_format: 'base64', dimensions: 8, user: 'u', priority: 'low' }).data).toEqual({
      input: ['a', 'b'],
      encoding_format: 'base64',
      dimensions: 8,
      user: 'u',
      priority: 'low',
    });
  });

  it.each([
    [{}, 'input', 'input must be a string or an array of strings'],
    [{ input: [] }, 'input', 'input must hold at least one string'],
    [{ input: '' }, 'input', 'input must not contain empty strings'],
    [{ input: ['a', ''] }, 'input.1', 'input must not contain empty strings'],
    [{ input: [1, 2, 3] }, 'input', 'token arrays are not supported: send the text itself'],
    [{ input: [[1, 2]] }, 'input', 'token arrays are not supported: send the text itself'],
    [{ input: 'a', encoding_format: 'int8' }, 'encoding_format', 'encoding_format must be "float" or "base64"'],
    [{ input: 'a', dimensions: 0 }, 'dimensions', 'dimensions must be at least 1'],
    [{ input: 'a', dimensions: 1.5 }, 'dimensions', 'dimensions must be an integer'],
    [{ input: 'a', dimensions: 5000 }, 'dimensions', 'dimensions must be at most 4096'],
    [{ input: 'a\u0000b' }, 'input.0', 'must not contain NUL characters (\\u0000) or unpaired UTF-16 surrogates'],
  ])('rejects %j at %s', (body, path, message) => {
    expect(problem(body)).toEqual({ path, message });
  });

  it(`accepts ${MAX_EMBEDDING_INPUTS} inputs and refuses one more`, () => {
    expect(parse({ input: Array(MAX_EMBEDDING_INPUTS).fill('x') }).success).toBe(true);
    expect(problem({ input: Array(MAX_EMBEDDING_INPUTS + 1).fill('x') })).toEqual({ path: 'input', message: 'input holds at most 2048 strings' });
  });
});
