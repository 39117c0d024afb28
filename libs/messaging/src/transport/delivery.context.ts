import { BaseRpcContext } from '@nestjs/microservices';
import type { Delivery } from '../broker-client.port';
import type { JobSlot } from './job-scheduler';

/** What a handler can learn about the message it is handling: `@Ctx() ctx: DeliveryContext`. */
export class DeliveryContext extends BaseRpcContext<[Delivery, AbortSignal, JobSlot?]> {
  get delivery(): Delivery {
    return this.args[0];
  }

  /** Deliveries of this message so far, from 1: above 1 means a worker died or a channel closed mid-job. */
  get deliveryCount(): number {
    return this.args[0].deliveryCount;
  }

  /** Aborted when the service shuts down, so long work can stop and hand the message back. */
  get signal(): AbortSignal {
    return this.args[1];
  }

  /** A job's worker slot (job queues only), which a job waiting in a batching window gives up and takes back. */
  get slot(): JobSlot | undefined {
    return this.args[2];
  }
}
