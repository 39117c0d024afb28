import { DependencyUnavailableError } from '@conveyor/contracts';

/**
 * The broker could not take a message (down, blocked by an alarm, nacked, unroutable), or did not say whether it
 * did: no confirm in time, or the channel closed after the message was written (`unconfirmed`).
 */
export class BrokerUnavailableError extends DependencyUnavailableError {
  constructor(
    message: string,
    readonly code: 'disconnected' | 'blocked' | 'confirm_timeout' | 'unconfirmed' | 'nacked' | 'unroutable' | 'closed',
  ) {
    super('broker', message);
    this.name = 'BrokerUnavailableError';
  }

  /** Whether the message may have reached its queue all the same: it was written, and its confirm never came. */
  get inDoubt(): boolean {
    return this.code === 'confirm_timeout' || this.code === 'unconfirmed';
  }
}
