export function formatTime(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString() : '—';
}

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

export function shortId(id: string): string {
  return id.slice(0, 8) + '…' + id.slice(-4);
}

/** A message's content as text, whatever its shape (a string, text parts, or none). */
export function contentText(content: string | null | { type: string; text?: string }[]): string {
  if (content === null) return '';
  if (typeof content === 'string') return content;
  return content.map((p) => p.text ?? '').join('');
}
