import type { ChatCompletionRequest } from '@conveyor/contracts';
import type { GenerateRequest } from './generate-request.schema';

/** The job a `/generate` request becomes: one user message, the seed's sampling settings, `user_id` as OpenAI's `user`. */
export function completionRequestOf(request: GenerateRequest): ChatCompletionRequest {
  return {
    model: request.model,
    messages: [{ role: 'user', content: request.prompt }],
    max_tokens: request.max_tokens,
    temperature: request.temperature,
    top_p: request.top_p,
    user: request.user_id,
    metadata: request.user_id ? { user_id: request.user_id } : undefined,
    priority: request.priority,
  };
}
