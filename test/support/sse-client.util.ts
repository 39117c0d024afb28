/** One parsed SSE event. */
export interface SseEvent {
  id?: string;
  event: string;
  data: string;
}

export interface SseStream {
  status: number;
  events: SseEvent[];
  /** Resolves when the server ends the stream (or `stopAfter` cut it). */
  done: Promise<void>;
}

/**
 * A minimal Server-Sent Events client over fetch (the WHATWG framing: `id:`, `event:`, `data:` lines, a blank line
 * ends an event, `:` lines are comments). `stopAfter` cuts the connection after that many events, as a dropped
 * network would, so a test can resume with the last id.
 */
export async function openSse(url: string, headers: Record<string, string> = {}, stopAfter?: (events: SseEvent[]) => boolean): Promise<SseStream> {
  const controller = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal });
  const events: SseEvent[] = [];
  if (!res.ok || !res.body) return { status: res.status, events, done: res.text().then(() => undefined) };
  const done = (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    let current: Partial<SseEvent> & { data?: string } = {};
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let newline: number;
        while ((newline = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, newline).replace(/\r$/, '');
          buffer = buffer.slice(newline + 1);
          if (line === '') {
            if (current.data !== undefined) events.push({ id: current.id, event: current.event ?? 'message', data: current.data });
            current = {};
            if (stopAfter?.(events)) return controller.abort();
          } else if (!line.startsWith(':')) {
            const colon = line.indexOf(':');
            const field = colon < 0 ? line : line.slice(0, colon);
            const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
            if (field === 'data') current.data = current.data === undefined ? value : `${current.data}\n${value}`;
            else if (field === 'id') current.id = value;
            else if (field === 'event') current.event = value;
          }
        }
      }
    } catch (err) {
      if (!controller.signal.aborted) throw err;
    }
  })();
  return { status: res.status, events, done };
}

/** The text a client reassembles from `delta` events, starting over at each `restart`. */
export function reassemble(events: SseEvent[], from = ''): string {
  let text = from;
  for (const e of events) {
    if (e.event === 'restart') text = '';
    if (e.event === 'delta') text += (JSON.parse(e.data) as { content: string }).content;
  }
  return text;
}
