import { chatCompletionRequestSchema } from './chat-completion-request.schema';

const LIMITS = { maxTokensCap: 4096, maxMessages: 8 };
const schema = chatCompletionRequestSchema(LIMITS);
const SEED = { messages: [{ role: 'user', content: 'Hello' }] };

/** The path of the first issue, or 'valid' when the body parses. */
function firstIssuePath(body: unknown): Array<PropertyKey> | 'valid' {
  const result = schema.safeParse(body);
  return result.success ? 'valid' : result.error.issues[0]!.path;
}

describe('chatCompletionRequestSchema', () => {
  it('accepts the seed request {"messages":[{"role":"user","content":"Hello"}]}', () => {
    const result = schema.safeParse(SEED);
    expect(result.success).toBe(true);
    expect(result.data?.messages).toEqual([{ role: 'user', content: 'Hello' }]);
  });

  it('accepts every optional field at sensible values and ignores unknown fields', () => {
    const body = {
      ...SEED,
      model: 'simulated',
      max_tokens: 4096,
      temperature: 0,
      top_p: 1,
      stop: ['\n'],
      user: 'u-1',
      metadata: { ticket: '42' },
      priority: 'high',
      logprobs: true,
    };
    const result = schema.safeParse(body);
    expect(result.success).toBe(true);
    expect(result.data).not.toHaveProperty('logprobs');
  });

  it('accepts content given as an array of text parts', () => {
    expect(
      firstIssuePath({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Hel' },
              { type: 'text', text: 'lo' },
            ],
          },
        ],
      }),
    ).toBe('valid');
  });

  describe('messages', () => {
    it.each([
      ['missing', {}, ['messages']],
      ['empty', { messages: [] }, ['messages']],
      ['not an array', { messages: 'Hello' }, ['messages']],
      ['more than maxMessages', { messages: Array.from({ length: 9 }, () => SEED.messages[0]) }, ['messages']],
      ['with an unknown role', { messages: [{ role: 'robot', content: 'Hello' }] }, ['messages', 0, 'role']],
      ['with a numeric content', { messages: [{ role: 'user', content: 42 }] }, ['messages', 0, 'content']],
      ['with content missing on the second message', { messages: [SEED.messages[0], { role: 'assistant' }] }, ['messages', 1, 'content']],
    ])('fails when %s, at path %j', (_label, body, path) => {
      expect(firstIssuePath(body)).toEqual(path);
    });

    it('explains a bad role by listing the allowed roles', () => {
      const result = schema.safeParse({ messages: [{ role: 'robot', content: 'Hello' }] });
      expect(result.error?.issues[0]?.message).toMatch(/system, developer, user, assistant, tool/);
    });
  });

  describe('max_tokens', () => {
    it.each([0, -1, 1.5, LIMITS.maxTokensCap + 1, '10'])('rejects %p', (value) => {
      expect(firstIssuePath({ ...SEED, max_tokens: value })).toEqual(['max_tokens']);
    });

    it.each([1, LIMITS.maxTokensCap, null])('accepts %p', (value) => {
      expect(firstIssuePath({ ...SEED, max_tokens: value })).toBe('valid');
    });

    it('applies the same cap to max_completion_tokens', () => {
      expect(firstIssuePath({ ...SEED, max_completion_tokens: LIMITS.maxTokensCap + 1 })).toEqual(['max_completion_tokens']);
    });

    it('names the cap in the message', () => {
      const result = schema.safeParse({ ...SEED, max_tokens: LIMITS.maxTokensCap + 1 });
      expect(result.error?.issues[0]?.message).toContain(String(LIMITS.maxTokensCap));
    });
  });

  describe('sampling parameters', () => {
    it.each([
      ['temperature', -0.1],
      ['temperature', 2.1],
      ['top_p', 1.1],
      ['top_p', -0.1],
    ])('rejects %s = %p', (field, value) => {
      expect(firstIssuePath({ ...SEED, [field]: value })).toEqual([field]);
    });

    it.each([
      ['temperature', 2],
      ['temperature', 0.7],
      ['top_p', 0],
    ])('accepts %s = %p', (field, value) => {
      expect(firstIssuePath({ ...SEED, [field]: value })).toBe('valid');
    });
  });

  describe('priority', () => {
    it.each(['urgent', 11, -11, 2.5, true])('rejects %p', (value) => {
      expect(firstIssuePath({ ...SEED, priority: value })).toEqual(['priority']);
    });

    it.each(['HIGH', 'medium', 'low', -7, 10, 0])('accepts %p', (value) => {
      expect(firstIssuePath({ ...SEED, priority: value })).toBe('valid');
    });
  });

  describe('metadata', () => {
    const keys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));

    it('accepts 16 keys', () => {
      expect(firstIssuePath({ ...SEED, metadata: keys(16) })).toBe('valid');
    });

    it('rejects 17 keys', () => {
      expect(firstIssuePath({ ...SEED, metadata: keys(17) })).toEqual(['metadata']);
    });

    it('rejects non-string values', () => {
      expect(firstIssuePath({ ...SEED, metadata: { n: 1 } })).toEqual(['metadata', 'n']);
    });
  });
});
