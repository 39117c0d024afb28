import { DependencyUnavailableError } from '@conveyor/contracts';

/** The broker could not take a message (down, blocked by an alarm, no confirm in time, unroutable). */
export class BrokerUnavailableError extends DependencyUnavailableError {
  constructor(
    message: string,
    readonly code: 'disconnected' | 'blocked' | 'confirm_timeout' | 'nacked' | 'unroutable' | 'closed',
  ) {
    super('broker', message);
    this.name = 'BrokerUnavailableError';
  }
}
