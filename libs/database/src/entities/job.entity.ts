import type { ChatMessage, CompletionParams, JobResult, JobStatus, PriorityBand, ProviderAttempt } from '@conveyor/contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { PartialResult } from '../job-store.port';

/**
 * One completion job. The id is the gateway's UUIDv7, so ordering by id is ordering by creation.
 * CHECK constraints and the (tenant_id, id DESC), (tenant_id, status, id DESC) and unfinished-jobs
 * indexes are declared in the migration, which is the schema's single source of truth.
 */
@Entity({ name: 'jobs' })
export class JobEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  @Column({ type: 'text' })
  status!: JobStatus;

  @Column({ type: 'text' })
  model!: string;

  @Column({ type: 'text' })
  priority!: PriorityBand;

  @Column({ type: 'jsonb' })
  messages!: ChatMessage[];

  @Column({ type: 'jsonb' })
  params!: CompletionParams;

  @Column({ type: 'jsonb' })
  metadata!: Record<string, string>;

  @Column({ name: 'trace_id', type: 'text', nullable: true })
  traceId!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  result!: JobResult | null;

  @Column({ type: 'jsonb', nullable: true })
  error!: { code: string; message: string } | null;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'attempts_log', type: 'jsonb', default: () => "'[]'::jsonb" })
  attemptsLog!: ProviderAttempt[];

  @Column({ name: 'partial_result', type: 'jsonb', nullable: true })
  partialResult!: PartialResult | null;

  /** The job's own webhook URL (`callback_url`), and its signing secret as SecretBox sealed it. */
  @Column({ name: 'callback_url', type: 'text', nullable: true })
  callbackUrl!: string | null;

  @Column({ name: 'callback_secret', type: 'text', nullable: true })
  callbackSecret!: string | null;

  @Column({ name: 'worker_id', type: 'text', nullable: true })
  workerId!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;

  @Column({ name: 'failed_at', type: 'timestamptz', nullable: true })
  failedAt!: Date | null;

  @Column({ name: 'cancelled_at', type: 'timestamptz', nullable: true })
  cancelledAt!: Date | null;
}
