import { z } from 'zod';
import { chatCompletionRequestSchema } from '@conveyor/contracts';
import { ConveyorException, ErrorCode } from '../errors/conveyor.exception';
import { formatParam, parseOrThrow } from './zod-validation.util';

const schema = chatCompletionRequestSchema({ maxTokensCap: 4096, maxMessages: 8 });

/** The ConveyorException parseOrThrow throws for this input (fails the test if it parses). */
function rejection(input: unknown, s: z.ZodType = schema, what?: string): ConveyorException {
  try {
    parseOrThrow(s, input, what);
  } catch (err) {
    expect(err).toBeInstanceOf(ConveyorException);
    return err as ConveyorException;
  }
  throw new Error('expected parseOrThrow to throw');
}

describe('formatParam', () => {
  it.each([
    [['messages', 0, 'role'], 'messages[0].role'],
    [['messages', 12, 'content', 1, 'text'], 'messages[12].content[1].text'],
    [['max_tokens'], 'max_tokens'],
    [['metadata', 'ticket'], 'metadata.ticket'],
  ])('formats %j as %p', (path, expected) => {
    expect(formatParam(path)).toBe(expected);
  });

  it('answers null for the root path', () => {
    expect(formatParam([])).toBeNull();
  });
});

describe('parseOrThrow', () => {
  it('returns the parsed value for a valid body', () => {
    const body = { messages: [{ role: 'user', content: 'Hello' }] };
    expect(parseOrThrow(schema, body)).toEqual(body);
  });

  it.each([
    ['an array', [{ messages: [] }]],
    ['a string', 'Hello'],
    ['null', null],
    ['a number', 42],
    ['undefined', undefined],
  ])('rejects %s as the body with invalid_request', (_label, input) => {
    const err = rejection(input);
    expect(err.code).toBe(ErrorCode.InvalidRequest);
    expect(err.message).toBe('The request body must be a JSON object.');
    expect(err.param).toBeNull();
  });

  it('names what it was parsing when the input is not an object', () => {
    expect(rejection('x', schema, 'query string').message).toBe('The query string must be a JSON object.');
  });

  it("says a missing field 'is required' and names it as param", () => {
    const err = rejection({});
    expect(err.code).toBe(ErrorCode.InvalidRequest);
    expect(err.param).toBe('messages');
    expect(err.message).toBe("Invalid 'messages': is required.");
  });

  it("says a missing nested field 'is required' with its full path", () => {
    const err = rejection({ messages: [{ content: 'Hello' }] });
    expect(err.param).toBe('messages[0].role');
    expect(err.message).toMatch(/^Invalid 'messages\[0\]\.role': is required\.$/);
  });

  it('passes the schema message through for a present but invalid value', () => {
    const err = rejection({ messages: [{ role: 'user', content: 'Hello' }], max_tokens: 0 });
    expect(err.param).toBe('max_tokens');
    expect(err.message).toBe("Invalid 'max_tokens': must be at least 1.");
  });

  it.each([
    [{ messages: 'Hello' }, 'messages', /messages must be an array of chat messages/],
    [{ messages: [{ role: 'user', content: 42 }] }, 'messages[0].content', /content must be a string or an array of text parts/],
    [{ messages: [{ role: 'user', content: 'Hi' }], max_tokens: 'ten' }, 'max_tokens', /must be an integer/],
  ])("does not call a present value of the wrong type 'required' (%j)", (body, param, message) => {
    const err = rejection(body);
    expect(err.param).toBe(param);
    expect(err.message).not.toMatch(/is required/);
    expect(err.message).toMatch(message);
  });

  it('describes a root-level issue without a param', () => {
    const strict = z.object({}).refine(() => false, 'always wrong');
    const err = rejection({}, strict);
    expect(err.param).toBeNull();
    expect(err.message).toBe('Invalid request body: always wrong.');
  });
});
