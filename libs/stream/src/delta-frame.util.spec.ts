import { deltaFrameEnd } from './delta-frame.util';

describe('deltaFrameEnd', () => {
  it('cuts long text into pieces of at most maxChars that join back to the text', () => {
    const text = 'abcdefghij';
    const pieces: string[] = [];
    for (let from = 0; from < text.length;) {
      const end = deltaFrameEnd(text, from, 4);
      pieces.push(text.slice(from, end));
      from = end;
    }
    expect(pieces).toEqual(['abcd', 'efgh', 'ij']);
  });

  it('never splits a surrogate pair', () => {
    const text = 'ab😀cd'; // the emoji is two UTF-16 code units, at 2 and 3
    expect(deltaFrameEnd(text, 0, 3)).toBe(2);
    expect(deltaFrameEnd(text, 2, 3)).toBe(5);
  });
});
