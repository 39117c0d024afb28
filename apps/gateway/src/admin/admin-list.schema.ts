import { z } from 'zod';

/** `?limit=` of the admin lists: 1–100. */
export const limitParam = (defaultLimit: number) =>
  z.coerce.number({ error: 'must be an integer' }).int('must be an integer').min(1, 'must be at least 1').max(100, 'must be at most 100').default(defaultLimit);

/** A page of an admin list, as the job list pages: `after` the last id for the next page. */
export const listOf = <T extends z.ZodType>(item: T) =>
  z.object({
    object: z.literal('list'),
    data: z.array(item),
    first_id: z.string().nullable(),
    last_id: z.string().nullable(),
    has_more: z.boolean(),
  });

export interface ListPage<T> {
  object: 'list';
  data: T[];
  first_id: string | null;
  last_id: string | null;
  has_more: boolean;
}

/** A page from `limit + 1` rows read: the extra row only says there is more. */
export function pageOf<R, T extends { id: string }>(rows: R[], limit: number, present: (row: R) => T): ListPage<T> {
  const data = rows.slice(0, limit).map(present);
  return { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null, has_more: rows.length > limit };
}
