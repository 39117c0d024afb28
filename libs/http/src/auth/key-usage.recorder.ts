import { Logger } from '@nestjs/common';
import type { TenantKeyStore } from '@conveyor/database';

/**
 * Keeps `api_keys.last_used_at` roughly current without a write per request: a key's use is written at most once per
 * interval by this replica (so the time shown lags by up to the interval). A failed write is forgotten, to be tried
 * on the key's next use.
 */
export class KeyUsageRecorder {
  private readonly logger = new Logger(KeyUsageRecorder.name);
  private readonly lastWritten = new Map<string, number>();
  private static readonly MAX_TRACKED = 100_000;

  constructor(
    private readonly store: TenantKeyStore,
    private readonly intervalMs = 60_000,
  ) {}

  used(keyId: string, now = Date.now()): void {
    const last = this.lastWritten.get(keyId);
    if (last !== undefined && now - last < this.intervalMs) return;
    if (this.lastWritten.size >= KeyUsageRecorder.MAX_TRACKED) this.lastWritten.clear();
    this.lastWritten.set(keyId, now);
    this.store.markUsed([keyId]).catch((err: Error) => {
      this.lastWritten.delete(keyId);
      this.logger.warn(`could not record a key's last use: ${err.message}`);
    });
  }
}
