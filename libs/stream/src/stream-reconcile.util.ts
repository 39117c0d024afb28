/**
 * The last step before a `completed` event: the text the client holds must equal the stored result. Live
 * chunks are transient and a fallback may restart generation, so the relayed text can fall short (a lost
 * chunk, a late subscriber) or differ (a restart whose first chunk looked like a duplicate).
 */
export type Reconciliation =
  /** The client holds a prefix of the result: send the rest (possibly '') as one delta. */
  | { kind: 'append'; suffix: string }
  /** The client's text is not a prefix: it must start over and receive the whole result. */
  | { kind: 'restart'; text: string };

export function reconcile(held: string, result: string): Reconciliation {
  if (result.startsWith(held)) return { kind: 'append', suffix: result.slice(held.length) };
  return { kind: 'restart', text: result };
}
