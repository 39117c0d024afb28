import type { PriorityBand } from '@conveyor/contracts';

/** Seed 002's priorities, highest first, with the integer the seed stores (HIGH 2, MEDIUM 1, LOW 0). */
export const QUERY_PRIORITIES = ['HIGH', 'MEDIUM', 'LOW'] as const;
export type QueryPriority = (typeof QUERY_PRIORITIES)[number];

const BAND: Record<QueryPriority, PriorityBand> = { HIGH: 'high', MEDIUM: 'normal', LOW: 'low' };
const NAME: Record<PriorityBand, QueryPriority> = { high: 'HIGH', normal: 'MEDIUM', low: 'LOW' };
const LEVEL: Record<PriorityBand, number> = { high: 2, normal: 1, low: 0 };

/** HIGH, MEDIUM and LOW are Conveyor's high, normal and low bands. */
export const bandOfPriority = (priority: QueryPriority): PriorityBand => BAND[priority];
export const priorityOfBand = (band: PriorityBand): QueryPriority => NAME[band];
/** The seed's integer for a band, as its chat store keeps it. */
export const priorityLevelOf = (band: PriorityBand): number => LEVEL[band];
/** The seed's integer back to its name (2 HIGH, 1 MEDIUM, 0 LOW). */
export const priorityOfLevel = (level: number): QueryPriority => QUERY_PRIORITIES[2 - level]!;
