/**
 * Every migration, by name, in the order they must run: the expectation the migration tests (PostgreSQL and the
 * embedded PGlite) share, written out rather than read from the code, so a migration added to one list but not the
 * data source, or out of order, fails them.
 */
export const ALL_MIGRATIONS = [
  'InitialSchema1795438500000',
  'AttemptsLog1795600000000',
  'Webhooks1795700000000',
  'PartialResult1795800000000',
  'UsageRecords1795900000000',
  'JobChunks1796000000000',
  'CancelledUnstarted1796100000000',
  'ExpiryAndStanding1796200000000',
  'TenantQuotas1796300000000',
  'JobStarts1796400000000',
  'Admission1796471100000',
  'JobBatches1796510000000',
  'TenantSettings1796520000000',
  'JobEnqueued1796530000000',
  'AdminApi1796540000000',
  'JobChunkRuns1796550000000',
] as const;
