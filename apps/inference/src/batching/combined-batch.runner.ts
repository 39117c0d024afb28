import { Logger } from '@nestjs/common';
import { combinedMessages, promptOf, splitCombinedReply, type CompletionParams, type JobResult, type Usage } from '@conveyor/contracts';
import { Outcome } from '@conveyor/messaging';
import type { ProviderRequest } from '../providers/llm-provider.port';
import { RoutingError, type RouteResult } from '../routing/model-router.service';
import { attemptOf, settleWith, type BatchMember, type BatchOf, type JobBatcherDeps } from './batch-member';
import { apportionUsage } from './usage-apportion.util';

/**
 * Runs a `combined` batch (docs/batching.md): one provider call with the prompts numbered, its JSON reply split
 * back to the jobs by index, the call's usage apportioned; individual calls for what cannot be split.
 */
export class CombinedBatchRunner {
  private readonly logger = new Logger(CombinedBatchRunner.name);

  constructor(private readonly deps: JobBatcherDeps) {}

  /** One provider call for the whole batch, its JSON reply split back to the jobs by index. */
  async run(members: BatchMember[], batchOf: BatchOf): Promise<void> {
    const leader = members[0]!;
    await leader.ctx.slot?.acquire();
    const runStart = Date.now();
    const startedAt = new Date(runStart).toISOString();
    for (const m of members) this.deps.members.recordStart(m.job, attemptOf(m), runStart);
    try {
      await Promise.all(
        members.map((m) =>
          this.deps.publisher.publish('job.started', {
            job_id: m.job.job_id,
            tenant_id: m.job.tenant_id,
            attempt: attemptOf(m),
            worker_id: this.deps.config.worker.id,
            started_at: startedAt,
          }),
        ),
      );
    } catch (err) {
      const reason = `could not announce the start: ${(err as Error).message}`;
      await Promise.all(members.map((m) => settleWith(m, () => Promise.resolve(Outcome.retry(reason)))));
      return;
    }
    // A member cancelled mid-call ends at once with nothing (a combined call streams nothing); the call stops only
    // when every member has.
    const call = new AbortController();
    for (const [i, m] of members.entries()) {
      const onCancel = () => {
        const ending = settleWith(m, () => this.deps.members.cancelled(m.job, '', batchOf(i), runStart));
        if (members.every((x) => x.claimed)) call.abort(new Error('every job of the batch was cancelled'));
        void ending;
      };
      // Cancelled while its start was announced: a listener added now would never run.
      if (m.cancel.signal.aborted) onCancel();
      else m.cancel.signal.addEventListener('abort', onCancel, { once: true });
    }
    const request: ProviderRequest = {
      model: leader.job.model,
      messages: combinedMessages(
        leader.plan.band,
        members.map((m) => m.job.messages),
      ),
      params: combinedParams(members),
    };
    // A member's answer is published as a chunk only if someone watches its text (from the start, or from a
    // `job.watch` heard during the call); otherwise its result carries the text.
    const live = members.map((m) => m.job.stream === true);
    for (const [i, m] of members.entries()) if (this.deps.watched.begin(m.job.job_id, () => (live[i] = true))) live[i] = true;
    try {
      await this.callAndSplit(members, batchOf, request, call, runStart, startedAt, live);
    } finally {
      for (const m of members) this.deps.watched.end(m.job.job_id);
    }
  }

  private async callAndSplit(
    members: BatchMember[],
    batchOf: BatchOf,
    request: ProviderRequest,
    call: AbortController,
    runStart: number,
    startedAt: string,
    live: boolean[],
  ): Promise<void> {
    const shutdown = members[0]!.ctx.signal;
    let routed: RouteResult;
    try {
      // One tenant's jobs: its own provider key applies, as read no earlier than the newest member's settings version.
      const settingsVersion = members
        .map((m) => m.job.settings_version)
        .filter((v): v is string => v !== undefined)
        .sort()
        .at(-1);
      routed = await this.deps.router.route(request, AbortSignal.any([call.signal, shutdown]), () => undefined, {
        tenantId: members[0]!.job.tenant_id,
        settingsVersion,
      });
    } catch (err) {
      const open = members.filter((m) => !m.claimed);
      if (shutdown.aborted) await Promise.all(open.map((m) => settleWith(m, () => Promise.resolve(Outcome.retry('worker shutting down', 0)))));
      else if (err instanceof RoutingError && err.code === 'provider_error') await this.fallBack(open, members, batchOf, null);
      else if (err instanceof RoutingError && err.code !== 'cancelled')
        await Promise.all(open.map((m) => settleWith(m, () => this.deps.members.failFor(m.job, attemptOf(m), err, batchOf(members.indexOf(m)), runStart))));
      else
        await Promise.all(
          open.map((m) => settleWith(m, () => this.deps.members.fail(m.job, attemptOf(m), m.ctx, err as Error, batchOf(members.indexOf(m)), runStart))),
        );
      return;
    }
    const answers = splitCombinedReply(routed.text, members.length);
    const usages = apportionUsage(
      routed.usage,
      members.map((m) => promptOf(m.job.messages).length),
      members.map((_, i) => answers.get(i)?.length ?? 0),
    );
    const unsplit: BatchMember[] = [];
    await Promise.all(
      members.map(async (m, i) => {
        if (m.claimed) return;
        const text = answers.get(i);
        if (text === undefined) return void unsplit.push(m);
        const result: JobResult = {
          message: { role: 'assistant', content: text },
          finish_reason: 'stop',
          usage: usages[i]!,
          ...(routed.usageEstimated && { usage_estimated: true }),
          provider: routed.deployment.provider,
          model: m.job.model,
        };
        await settleWith(m, async () => {
          // The answer as one delta, so a stream's subscribers get the text the way they get any job's.
          if (live[i])
            await this.deps.publisher
              .publish('job.delta', { job_id: m.job.job_id, tenant_id: m.job.tenant_id, attempt: attemptOf(m), seq: 0, content: text })
              .catch(() => undefined);
          await this.deps.members.complete(m.job, attemptOf(m), startedAt, result, routed.attempts, batchOf(i), runStart);
          return Outcome.ack();
        });
      }),
    );
    if (unsplit.length > 0) {
      this.logger.warn(`batch ${batchOf(0).id}: the reply could not be split for ${unsplit.length} of ${members.length} job(s); calling for each alone`);
      await this.fallBack(unsplit, members, batchOf, usages);
    }
  }

  /** Individual calls for the members the combined call could not answer, each billed its share of that call too. */
  private async fallBack(open: BatchMember[], members: BatchMember[], batchOf: BatchOf, usages: Usage[] | null): Promise<void> {
    await Promise.all(
      open.map((m) => {
        const i = members.indexOf(m);
        return settleWith(m, () => this.deps.members.runOne(m.job, m.ctx, batchOf(i, true), usages?.[i]));
      }),
    );
  }
}

/** The combined call's budget: the members' output budgets added up (none if any member has none). */
function combinedParams(members: BatchMember[]): CompletionParams {
  const budgets = members.map((m) => m.job.params.max_tokens);
  const temperature = members[0]!.job.params.temperature;
  return {
    ...(budgets.every((b) => b !== undefined) && { max_tokens: budgets.reduce((a, b) => a + b!, 0) }),
    ...(temperature !== undefined && { temperature }),
  };
}
