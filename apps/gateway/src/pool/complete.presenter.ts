import type { ChatCompletionRequest, JobResult } from '@conveyor/contracts';
import type { CompleteRequest, StreamCompleteRequest } from './complete-request.schema';
import type { CompleteResponse } from './complete-views.schema';

/** Where the caller's own `tenant_id` is kept on the job (its metadata): Conveyor's tenant is the API key's. */
export const CLIENT_TENANT_KEY = 'client_tenant_id';

/** The job a `/complete` request becomes: the group or model, the messages, the tools, the caller's tenant_id. */
export function completionRequestOf(request: CompleteRequest | StreamCompleteRequest): ChatCompletionRequest {
  return {
    model: request.model,
    messages: request.messages,
    tools: 'tools' in request ? request.tools : undefined,
    metadata: { [CLIENT_TENANT_KEY]: request.tenant_id.slice(0, 512) },
  };
}

/** The seed's answer: `model` is the name asked for (a group stays a group), with the usage the provider reported. */
export function presentComplete(model: string, result: JobResult): CompleteResponse {
  const { prompt_tokens, completion_tokens, total_tokens } = result.usage;
  return {
    content: result.message.content,
    model,
    usage: { prompt_tokens, completion_tokens, total_tokens },
    tool_calls: result.message.tool_calls ?? [],
  };
}
