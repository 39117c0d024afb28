import type { JobCounter } from './job-count.util';

export interface PgWrites {
  commits: number;
  inserted: number;
  updated: number;
  deleted: number;
  byTable: Record<string, number>;
}

/**
 * Rows written and transactions committed in the cluster's database so far (PostgreSQL's cumulative statistics;
 * backends report them when they go idle or exit, so read after the services have stopped).
 */
export async function pgWrites(db: JobCounter): Promise<PgWrites> {
  const [tx] = await db.query<{ commits: string }>('SELECT xact_commit::text AS commits FROM pg_stat_database WHERE datname = current_database()');
  const tables = await db.query<{ relname: string; ins: string; upd: string; del: string }>(
    'SELECT relname, n_tup_ins::text AS ins, n_tup_upd::text AS upd, n_tup_del::text AS del FROM pg_stat_user_tables',
  );
  const byTable: Record<string, number> = {};
  let inserted = 0;
  let updated = 0;
  let deleted = 0;
  for (const t of tables) {
    inserted += Number(t.ins);
    updated += Number(t.upd);
    deleted += Number(t.del);
    byTable[t.relname] = Number(t.ins) + Number(t.upd) + Number(t.del);
  }
  return { commits: Number(tx?.commits ?? 0), inserted, updated, deleted, byTable };
}

/** b − a, table by table. */
export function writesBetween(a: PgWrites, b: PgWrites): PgWrites {
  const byTable: Record<string, number> = {};
  for (const [t, n] of Object.entries(b.byTable)) if (n - (a.byTable[t] ?? 0) > 0) byTable[t] = n - (a.byTable[t] ?? 0);
  return { commits: b.commits - a.commits, inserted: b.inserted - a.inserted, updated: b.updated - a.updated, deleted: b.deleted - a.deleted, byTable };
}
