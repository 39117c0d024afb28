import { Injectable, Logger } from '@nestjs/common';
import type { AccessChanged } from '@conveyor/contracts';
import { MessagePublisher } from '@conveyor/messaging';

/**
 * Tells every authenticating replica that a key or a tenant changed (`access.changed`), so each drops its cached
 * lookup at once. The change is committed before this runs; a broadcast the broker cannot take is logged and not
 * retried, as every replica's cache expires within AUTH_CACHE_TTL_MS anyway.
 */
@Injectable()
export class AccessChangeNotifier {
  private readonly logger = new Logger(AccessChangeNotifier.name);

  constructor(private readonly publisher: MessagePublisher) {}

  async changed(change: Omit<AccessChanged, 'changed_at'>): Promise<void> {
    await this.publisher.publish('access.changed', { ...change, changed_at: new Date().toISOString() }).catch((err: Error) => {
      this.logger.warn(
        `access change (${change.reason}, tenant ${change.tenant_id}) not broadcast: ${err.message}; replicas catch up within AUTH_CACHE_TTL_MS`,
      );
    });
  }
}
