import { apiUrl } from './api-client';

export interface SseEvent {
  event: string;
  id: string | null;
  data: string;
}

/**
 * Reads a Server-Sent Events stream with fetch rather than EventSource, so the key travels in the Authorization
 * header and never in a URL. Calls `onEvent` for each event until the stream ends or `signal` aborts.
 */
export async function readSse(key: string, path: string, onEvent: (event: SseEvent) => void, signal: AbortSignal): Promise<void> {
  const response = await fetch(apiUrl(path), { headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream' }, signal });
  if (!response.ok || !response.body) throw new Error(`stream: HTTP ${response.status}`);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end: number;
    while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
      const event: SseEvent = { event: 'message', id: null, data: '' };
      const data: string[] = [];
      for (const line of block.split(/\r?\n/)) {
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const content = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event.event = content;
        else if (field === 'id') event.id = content;
        else if (field === 'data') data.push(content);
      }
      if (data.length === 0) continue;
      event.data = data.join('\n');
      onEvent(event);
    }
  }
}
