import type { BrokerClient, Delivery } from '../broker-client.port';
import { BandPuller } from './band-puller';

/** A broker holding `queued` messages for `take`, counting every take (each is a basic.get per band on RabbitMQ). */
function fakeBroker() {
  const state = { queued: 0, takes: 0, ring: (): void => undefined };
  const broker = {
    take: async (): Promise<Delivery | null> => {
      state.takes++;
      if (state.queued === 0) return null;
      state.queued--;
      return {} as Delivery;
    },
    onWake: async (listener: () => void) => {
      state.ring = listener;
      return { cancel: async () => undefined };
    },
  } as unknown as BrokerClient;
  return { broker, state };
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
async function settleAll(): Promise<void> {
  for (let i = 0; i < 20; i++) await settle();
}

describe('BandPuller', () => {
  it('wakes one idle slot per doorbell, not every idle slot', async () => {
    const { broker, state } = fakeBroker();
    const ran: number[] = [];
    const puller = new BandPuller(broker, ['q'], { concurrency: 64, idlePollMs: 60_000 }, async () => void ran.push(1));
    await puller.start();
    try {
      await settleAll();
      expect(state.takes).toBe(64); // each slot looks once at start, finds nothing and sleeps
      state.queued = 1;
      state.ring();
      await settleAll();
      expect(ran).toHaveLength(1);
      // The woken slot took the job (1), looked again (1) and woke one more, which found nothing (1): not 64.
      expect(state.takes).toBe(64 + 3);
    } finally {
      await puller.stop();
    }
  });

  it('ramps a burst up slot by slot: every message is taken after a single doorbell', async () => {
    const { broker, state } = fakeBroker();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let running = 0;
    const puller = new BandPuller(broker, ['q'], { concurrency: 8, idlePollMs: 60_000 }, async () => {
      running++;
      await gate;
    });
    await puller.start();
    try {
      await settleAll();
      state.queued = 5;
      state.ring();
      await settleAll();
      expect(running).toBe(5); // five slots hold one message each, though the doorbell rang once
    } finally {
      release();
      await puller.stop();
    }
  });
});
