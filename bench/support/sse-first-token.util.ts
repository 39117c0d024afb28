/**
 * Watches an OpenAI `chat.completion.chunk` SSE stream as it arrives and notes when the first content token
 * shows up: the first `data:` frame whose `choices[0].delta.content` is a non-empty string (the role frame with
 * `content: ""` that OpenAI-style servers send first does not count). Frames are split on blank lines, so a frame
 * cut across TCP reads is only looked at once whole. Parsing stops once the token is found; the rest is drained.
 */
export class FirstTokenWatcher {
  private buffer = '';
  private found = false;
  private done = false;
  private errorFrame: string | null = null;

  get sawToken(): boolean {
    return this.found;
  }

  /** Whether `data: [DONE]` arrived (a stream that ended well). */
  get sawDone(): boolean {
    return this.done;
  }

  /** An `{"error": …}` frame, if the server ended the stream with one. */
  get error(): string | null {
    return this.errorFrame;
  }

  /** Feeds the next piece of the body; answers true exactly once, on the piece that completed the first token. */
  feed(text: string): boolean {
    this.buffer += text;
    let firstNow = false;
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const frame = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      if (this.inspect(frame) && !this.found) firstNow = this.found = true;
    }
    return firstNow;
  }

  private inspect(frame: string): boolean {
    for (const line of frame.split('\n')) {
      if (!line.startsWith('data:')) continue;
      const data = line.slice(5).trim();
      if (data === '[DONE]') {
        this.done = true;
        continue;
      }
      if (this.found && !data.includes('"error"')) continue;
      try {
        const chunk = JSON.parse(data) as { choices?: Array<{ delta?: { content?: unknown } }>; error?: unknown };
        if (chunk.error) this.errorFrame = JSON.stringify(chunk.error);
        const content = chunk.choices?.[0]?.delta?.content;
        if (typeof content === 'string' && content.length > 0) return true;
      } catch {
        this.errorFrame ??= `unparsable frame: ${data.slice(0, 120)}`;
      }
    }
    return false;
  }
}
