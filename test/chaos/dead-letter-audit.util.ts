import { isDeadLetterOf, type DeadLetter, type PoisonMessage } from './dead-letters.util';

/** Something that must end in `conveyor.dead`: a poison message, or the job that crashes its workers. */
export interface DeadSubject {
  label: string;
  /** Whether a dead letter is this subject's. */
  matches(dead: DeadLetter): boolean;
  /** The queue whose consumer dead-letters it (`conveyor.jobs.` for any job shard). */
  deadFrom: string;
}

export interface ExplainedDeadLetter {
  subject: string;
  why: string;
}

export interface DeadLetterAudit {
  explained: ExplainedDeadLetter[];
  unexplained: DeadLetter[];
  /** Subjects with no dead letter. */
  missing: string[];
  /**
   * Dead letters beyond one per subject, each explained by a worker kill: the same message dead-lettered again on
   * a later delivery (its consumer was killed between the copy and the ack).
   */
  afterKills: number;
}

export function poisonSubjects(poison: PoisonMessage[]): DeadSubject[] {
  return poison.map((p) => ({
    label: p.label,
    matches: (d) => isDeadLetterOf(d, p),
    deadFrom: p.deadFrom,
  }));
}

const from = (d: DeadLetter, queue: string) => (queue.endsWith('.') ? (d.sourceQueue ?? '').startsWith(queue) : d.sourceQueue === queue);
const delivery = (d: DeadLetter) => d.deadOnDelivery ?? 0;

/**
 * Holds `conveyor.dead` to exactly what was sent to die: every dead letter is one subject's, dead-lettered by the
 * queue that should, and each subject has one — besides those, only copies a worker kill explains (dead-lettering,
 * like every settlement, is at least once: a copy is confirmed before the original is acked).
 */
export function explainDeadLetters(dead: DeadLetter[], subjects: DeadSubject[], workerKills: number): DeadLetterAudit {
  const explained: ExplainedDeadLetter[] = [];
  const unexplained: DeadLetter[] = [];
  const missing: string[] = [];
  let afterKills = 0;
  const claimed = new Set<DeadLetter>();
  for (const subject of subjects) {
    const mine = dead.filter((d) => !claimed.has(d) && subject.matches(d)).sort((a, b) => delivery(a) - delivery(b));
    mine.forEach((d) => claimed.add(d));
    const own = mine.filter((d) => from(d, subject.deadFrom));
    let previous: DeadLetter | null = null;
    for (const d of own) {
      const by = `by ${d.sourceQueue}${d.deadOnDelivery === null ? '' : ` on delivery ${d.deadOnDelivery}`}: ${d.reason}`;
      if (previous === null) explained.push({ subject: subject.label, why: `dead-lettered ${by}` });
      else if (workerKills > 0 && delivery(d) > delivery(previous)) {
        explained.push({ subject: subject.label, why: `again ${by} (the consumer of delivery ${delivery(previous)} was killed between its copy and its ack)` });
        afterKills++;
      } else unexplained.push(d);
      previous = d;
    }
    unexplained.push(...mine.filter((d) => !own.includes(d)));
    if (own.length === 0) missing.push(subject.label);
  }
  unexplained.push(...dead.filter((d) => !claimed.has(d)));
  return { explained, unexplained, missing, afterKills };
}
