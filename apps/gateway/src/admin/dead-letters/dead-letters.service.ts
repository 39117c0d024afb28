import { Inject, Injectable } from '@nestjs/common';
import { CONVEYOR_CONFIG, type ConveyorConfig } from '@conveyor/config';
import { isUuid, parseMessage } from '@conveyor/contracts';
import { DEAD_LETTER_STORE, type DeadLetterRecord, type DeadLetterStore } from '@conveyor/database';
import { ConveyorException, ErrorCode } from '@conveyor/http';
import { jobHeaders, MessagePublisher, shardOf, topologyOf, type TopologyOptions } from '@conveyor/messaging';
import { pageOf, type ListPage } from '../admin-list.schema';
import { presentDeadLetter, type DeadLetterDetailView, type DeadLetterListQuery, type DeadLetterView } from './dead-letter.schema';

const notFound = (id: string) => new ConveyorException(ErrorCode.DeadLetterNotFound, `No dead letter '${id.slice(0, 64)}'.`, 'dead_letter_id');

/**
 * Dead-lettered jobs for the admin API (recorded by the persistence service as it takes them from its dead-letter
 * queue): list, inspect, replay into the job's band, discard. Replay and discard settle a letter once: repeating
 * either answers the letter as it is, and nothing is published twice.
 */
@Injectable()
export class DeadLettersService {
  private readonly topology: TopologyOptions;

  constructor(
    @Inject(DEAD_LETTER_STORE) private readonly store: DeadLetterStore,
    @Inject(CONVEYOR_CONFIG) private readonly config: ConveyorConfig,
    private readonly publisher: MessagePublisher,
  ) {
    this.topology = topologyOf(config);
  }

  async list(query: DeadLetterListQuery): Promise<ListPage<DeadLetterView>> {
    const rows = await this.store.list({ state: query.state, limit: query.limit + 1, before: query.after });
    return pageOf(rows, query.limit, presentDeadLetter);
  }

  async get(id: string): Promise<DeadLetterDetailView> {
    const letter = isUuid(id) ? await this.store.find(id) : null;
    if (!letter) throw notFound(id);
    return { ...presentDeadLetter(letter), message: letter.payload };
  }

  /**
   * Resets the failed job to queued and publishes its message again (confirmed) into its band, on the shard its tenant
   * maps to now, with no reply key (nobody waits on the original request any more), in one transaction with the audit.
   */
  async replay(adminId: string, id: string): Promise<DeadLetterView> {
    if (!isUuid(id)) throw notFound(id);
    const result = await this.store.replay(id, { adminId, action: 'dead_letter.replay', targetType: 'dead_letter', targetId: id }, (letter) =>
      this.republish(letter),
    );
    if (result.outcome === 'not_found') throw notFound(id);
    if (result.outcome === 'settled' && result.letter.state === 'discarded') {
      throw new ConveyorException(ErrorCode.DeadLetterSettled, 'This dead letter was discarded; it cannot be replayed.');
    }
    if (result.outcome === 'job_not_failed') {
      const status = result.letter.jobStatus ?? 'without a row';
      throw new ConveyorException(ErrorCode.JobNotReplayable, `The job is ${status}, not failed: replaying it would run it again.`);
    }
    return presentDeadLetter(result.letter);
  }

  async discard(adminId: string, id: string): Promise<DeadLetterView> {
    if (!isUuid(id)) throw notFound(id);
    const result = await this.store.discard(id, { adminId, action: 'dead_letter.discard', targetType: 'dead_letter', targetId: id });
    if (result.outcome === 'not_found') throw notFound(id);
    if (result.outcome === 'settled' && result.letter.state === 'replayed') {
      throw new ConveyorException(ErrorCode.DeadLetterSettled, 'This dead letter was replayed; it cannot be discarded.');
    }
    return presentDeadLetter(result.letter);
  }

  private async republish(letter: DeadLetterRecord): Promise<void> {
    const parsed = parseMessage('job.requested', letter.payload);
    if (!parsed.ok) throw new ConveyorException(ErrorCode.Internal, `The dead letter's message is not a valid job: ${parsed.error}`);
    const { reply_to: _replyTo, ...job } = parsed.payload;
    await this.publisher.publish(
      'job.requested',
      { ...job, shard: shardOf(job.tenant_id, this.topology) },
      {
        headers: jobHeaders(job.tenant_id, this.config.jobQueues.tenantWeights),
      },
    );
  }
}
