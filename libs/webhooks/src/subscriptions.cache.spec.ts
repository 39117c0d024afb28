import type { WebhookEndpointStore } from '@conveyor/database';
import type { BrokerClient } from '@conveyor/messaging';
import { SubscriptionsCache } from './subscriptions.cache';

/** An endpoint store answering from `subscribed`, counting reads; `gate` holds a read open until released. */
function countingStore() {
  const state = { subscribed: false, reads: 0, gate: null as Promise<void> | null };
  const store = {
    hasSubscribed: async () => {
      state.reads += 1;
      const answer = state.subscribed;
      await state.gate;
      return answer;
    },
  } as unknown as WebhookEndpointStore;
  return { state, store };
}

describe('SubscriptionsCache', () => {
  const broker = {} as BrokerClient;

  it('reads a tenant’s subscription once, then answers from memory', async () => {
    const { state, store } = countingStore();
    const cache = new SubscriptionsCache(store, broker);
    expect(await cache.hasSubscribed('t', 'job.completed')).toBe(false);
    expect(await cache.hasSubscribed('t', 'job.completed')).toBe(false);
    expect(state.reads).toBe(1);
    expect(await cache.hasSubscribed('t', 'job.failed')).toBe(false);
    expect(await cache.hasSubscribed('u', 'job.completed')).toBe(false);
    expect(state.reads).toBe(3);
  });

  it('reads again once the tenant’s endpoints changed', async () => {
    const { state, store } = countingStore();
    const cache = new SubscriptionsCache(store, broker);
    expect(await cache.hasSubscribed('t', 'job.completed')).toBe(false);
    state.subscribed = true;
    cache.forget('t');
    expect(await cache.hasSubscribed('t', 'job.completed')).toBe(true);
    expect(state.reads).toBe(2);
  });

  it('does not keep an answer read while a change was heard: it may predate the change', async () => {
    const { state, store } = countingStore();
    const cache = new SubscriptionsCache(store, broker);
    let release!: () => void;
    state.gate = new Promise<void>((resolve) => (release = resolve));
    const stale = cache.hasSubscribed('t', 'job.completed');
    state.subscribed = true;
    cache.forget('t');
    release();
    expect(await stale).toBe(false);
    state.gate = null;
    expect(await cache.hasSubscribed('t', 'job.completed')).toBe(true);
    expect(state.reads).toBe(2);
  });
});
