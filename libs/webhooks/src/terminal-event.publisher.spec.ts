import type { WebhookEndpointStore } from '@conveyor/database';
import { InProcessBrokerClient, MessagePublisher, NOTIFICATION_QUEUE } from '@conveyor/messaging';
import { SubscriptionsCache } from './subscriptions.cache';
import { TerminalEventPublisher } from './terminal-event.publisher';
import { completedEvent } from '../../../test/support/job-events.fixture';

const ended = (jobId: string, hasCallback?: boolean) => completedEvent(jobId, 'x', hasCallback === undefined ? {} : { has_callback: hasCallback });

describe('TerminalEventPublisher (in-process broker)', () => {
  let broker: InProcessBrokerClient;
  let subscribed: boolean;
  let publisher: TerminalEventPublisher;

  beforeEach(async () => {
    broker = new InProcessBrokerClient({ maxDeliveries: 3 });
    await broker.connect();
    subscribed = false;
    const endpoints = { hasSubscribed: async () => subscribed } as unknown as WebhookEndpointStore;
    publisher = new TerminalEventPublisher(new MessagePublisher(broker), new SubscriptionsCache(endpoints, broker));
  });
  afterEach(() => broker.close());

  const settle = () => new Promise((resolve) => setImmediate(resolve));

  it('sends the notification service only the ends that may have a webhook, and every end to a waiting replica', async () => {
    const replies: string[] = [];
    const reply = await broker.listenRouted('conveyor.events', (m) => replies.push(JSON.parse(m.body.toString()).job_id));
    await reply.bind('reply.gw-1');
    await publisher.publish({ type: 'job.completed', event: ended('01960000-0000-7000-8000-000000000001', false) }, 'reply.gw-1');
    await settle();
    expect(broker.depth(NOTIFICATION_QUEUE)).toBe(0);
    await publisher.publish({ type: 'job.completed', event: ended('01960000-0000-7000-8000-000000000002', true) }, 'reply.gw-1');
    // Not known (an end announced again): it may have one.
    await publisher.publish({ type: 'job.completed', event: ended('01960000-0000-7000-8000-000000000003') });
    await settle();
    expect(broker.depth(NOTIFICATION_QUEUE)).toBe(2);
    expect(replies).toEqual(['01960000-0000-7000-8000-000000000001', '01960000-0000-7000-8000-000000000002']);
    await reply.cancel();
  });

  it("sends the end of a job without a callback when its tenant has an endpoint subscribed to the event's type", async () => {
    subscribed = true;
    await publisher.publish({ type: 'job.completed', event: ended('01960000-0000-7000-8000-000000000004', false) });
    await settle();
    expect(broker.depth(NOTIFICATION_QUEUE)).toBe(1);
  });
});
