import type { BrokerClient } from '../broker-client.port';
import { BrokerTransport, type BrokerTransportOptions } from './broker.transport';

/** Nest transport strategy over the in-process broker of the embedded mode. */
export class InProcessTransport extends BrokerTransport {
  constructor(broker: BrokerClient, options: BrokerTransportOptions) {
    if (broker.kind !== 'in-process') throw new Error('InProcessTransport needs the in-process broker');
    super(broker, options);
  }
}
