import { uuidv7 as nextUuidv7, V7Generator } from 'uuidv7';

/** Ids at a given time (backdated fixtures): any step back resets, so the id always carries that time. */
const atGivenTime = new V7Generator();
atGivenTime.setRollbackAllowance(0);

/**
 * A UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then a counter that starts at random each millisecond, and
 * random bits. Ids sort by creation time, within a millisecond too, which makes "newest first" and cursor
 * pagination an index scan on the primary key. The `uuidv7` package: CommonJS and ESM, so tsc's build and jest
 * load it alike (uuid's current major is ESM-only).
 */
export function uuidv7(now?: number): string {
  return now === undefined ? nextUuidv7() : atGivenTime.generateOrResetWithTs(now).toString();
}

/** Any 8-4-4-4-12 hex id: what PostgreSQL's uuid type accepts, so a query never fails on a malformed one. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}
