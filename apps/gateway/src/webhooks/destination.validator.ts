import { Inject, Injectable } from '@nestjs/common';
import { CONVEYOR_CONFIG, type ConveyorConfig } from '@conveyor/config';
import { DestinationGuard } from '@conveyor/webhooks';
import { ConveyorException, ErrorCode } from '@conveyor/http';

/**
 * Checks a tenant-supplied webhook URL (an endpoint's, or a job's `callback_url`) before anything is stored,
 * so a URL pointing inside the network is refused at once with 422 `blocked_destination`. The notification
 * service checks again at every attempt, as a name may resolve elsewhere by then.
 */
@Injectable()
export class DestinationValidator {
  private readonly guard: DestinationGuard;

  constructor(@Inject(CONVEYOR_CONFIG) config: ConveyorConfig) {
    this.guard = new DestinationGuard(config.webhooks.allowedHosts);
  }

  /** Answers the URL in its normalised form, or throws. */
  async assertAllowed(url: unknown, param: string): Promise<string> {
    if (typeof url !== 'string' || url.length === 0 || url.length > 2048) {
      throw new ConveyorException(ErrorCode.InvalidRequest, `Invalid '${param}': must be a URL of at most 2048 characters.`, param);
    }
    const verdict = await this.guard.check(url);
    if (!verdict.ok) {
      throw new ConveyorException(ErrorCode.BlockedDestination, `The '${param}' destination is not allowed: it ${verdict.reason}.`, param);
    }
    return verdict.url.toString();
  }
}
