import { Inject, Injectable } from '@nestjs/common';
import { CONVEYOR_CONFIG, type ConveyorConfig } from '@conveyor/config';
import { generateSigningSecret, SecretBox } from '@conveyor/webhooks';
import { DestinationValidator } from './destination.validator';

/** A job's own webhook: where to send it, its secret sealed for the job row, and the secret to show once. */
export interface JobCallback {
  url: string;
  sealedSecret: string;
  /** Answered in the 202 (`callback_secret`) and never again. */
  secret: string;
}

/**
 * Reads the optional `callback_url` of a chat completion request. A job's callback gets a signing secret of
 * its own, like an endpoint, so its receiver can verify the webhook without registering anything.
 */
@Injectable()
export class JobCallbackService {
  private readonly box: SecretBox;

  constructor(
    private readonly destinations: DestinationValidator,
    @Inject(CONVEYOR_CONFIG) config: ConveyorConfig,
  ) {
    this.box = new SecretBox(config.webhooks.secretKey);
  }

  /** The checked callback of a request's `callback_url`, or null when it has none. */
  async forUrl(callbackUrl: string | null | undefined): Promise<JobCallback | null> {
    if (callbackUrl === undefined || callbackUrl === null) return null;
    const url = await this.destinations.assertAllowed(callbackUrl, 'callback_url');
    const secret = generateSigningSecret();
    return { url, secret, sealedSecret: this.box.seal(secret) };
  }
}
