/** OpenAI's error body. Every error Conveyor answers has this shape. */
export interface OpenAiErrorBody {
  error: {
    message: string;
    type: OpenAiErrorType;
    param: string | null;
    code: string | null;
  };
}

/** The `type` of OpenAI's errors that Conveyor answers with. */
export const OPENAI_ERROR_TYPES = [
  'invalid_request_error',
  'authentication_error',
  'permission_error',
  'not_found_error',
  'rate_limit_error',
  'insufficient_quota',
  'server_error',
  'service_unavailable',
] as const;

export type OpenAiErrorType = (typeof OPENAI_ERROR_TYPES)[number];
