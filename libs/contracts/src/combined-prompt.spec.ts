import { combinedMessages, combinedRequestItems, promptOf, splitCombinedReply } from './combined-prompt';

describe('the combined batch prompt', () => {
  it('numbers the prompts from 0 under one instruction for the priority, and reads them back', () => {
    const messages = combinedMessages('high', [[{ role: 'user', content: 'What is 2+2?' }], [{ role: 'user', content: 'Say "hi"\nplease' }]]);
    expect(messages[0]).toMatchObject({ role: 'system', content: expect.stringContaining('briefly') });
    expect(combinedRequestItems(messages)).toEqual([
      { index: 0, prompt: 'What is 2+2?' },
      { index: 1, prompt: 'Say "hi"\nplease' },
    ]);
    expect(combinedRequestItems([{ role: 'user', content: 'What is 2+2?' }])).toBeNull();
  });

  it('sends a system message every conversation opens with once, ahead of the instruction, and keeps one that differs in each prompt', () => {
    const system = { role: 'system' as const, content: 'You are a support agent for Acme.' };
    const shared = combinedMessages('low', [
      [system, { role: 'user', content: 'a' }],
      [system, { role: 'user', content: 'b' }],
    ]);
    expect(shared[0]!.content).toMatch(/^You are a support agent for Acme\.\n\n/);
    expect(combinedRequestItems(shared)!.map((i) => i.prompt)).toEqual(['a', 'b']);
    const apart = combinedMessages('low', [[system, { role: 'user', content: 'a' }], [{ role: 'user', content: 'b' }]]);
    expect(combinedRequestItems(apart)!.map((i) => i.prompt)).toEqual(['system: You are a support agent for Acme.\nuser: a', 'b']);
  });

  it("takes a one-turn job's text as its prompt and a longer conversation as a transcript", () => {
    expect(promptOf([{ role: 'user', content: 'hello' }])).toBe('hello');
    expect(
      promptOf([
        { role: 'system', content: 'be terse' },
        { role: 'user', content: 'hello' },
      ]),
    ).toBe('system: be terse\nuser: hello');
  });

  it('splits a reply by index, with or without a code fence', () => {
    const reply = JSON.stringify({
      answers: [
        { index: 1, text: 'B' },
        { index: 0, text: 'A' },
      ],
    });
    expect(splitCombinedReply(reply, 2)).toEqual(
      new Map([
        [1, 'B'],
        [0, 'A'],
      ]),
    );
    expect(splitCombinedReply('```json\n' + reply + '\n```', 2).get(0)).toBe('A');
  });

  it('cannot split a job left out, answered twice, answered empty or out of range, nor a reply that is not the JSON', () => {
    const reply = JSON.stringify({
      answers: [
        { index: 0, text: 'A' },
        { index: 1, text: 'B' },
        { index: 1, text: 'B2' },
        { index: 2, text: ' ' },
        { index: 9, text: 'Z' },
      ],
    });
    expect(splitCombinedReply(reply, 4)).toEqual(new Map([[0, 'A']]));
    expect(splitCombinedReply('1. A\n2. B', 2).size).toBe(0);
    expect(splitCombinedReply('{"answers":[{"index":0}]}', 1).size).toBe(0);
    expect(splitCombinedReply('{"answers":[{"index":0,"text":"A"}', 1).size).toBe(0);
  });
});
