import type { ConveyorConfig } from '@conveyor/config';
import type { BrokerClient } from './broker-client.port';

/** What every service is started with: the validated config, its broker client and its database. */
export interface ServiceRuntime {
  config: ConveyorConfig;
  broker: BrokerClient;
  databaseUrl: string;
  /** False in the embedded mode, where the apps share one broker and the launcher closes it. */
  ownsBroker: boolean;
}
