import { z } from 'zod';
import { OPENAI_ERROR_TYPES, type OpenAiErrorBody } from '@conveyor/contracts';

/** OpenAI's error body, which every Conveyor error has (see error.mapper.ts): documented once, as a component. */
export const ErrorBodySchema = z.object({
  error: z.object({ message: z.string(), type: z.enum(OPENAI_ERROR_TYPES), param: z.string().nullable(), code: z.string().nullable() }),
});

// The schema and the type the mapper answers must agree both ways, or this does not compile.
const _sameShape: [OpenAiErrorBody, z.infer<typeof ErrorBodySchema>] = [{} as z.infer<typeof ErrorBodySchema>, {} as OpenAiErrorBody];
