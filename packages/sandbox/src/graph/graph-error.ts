/**
 * Meta's error vocabulary, in one table (DESIGN habit 4). Titles and HTTP statuses follow Meta's error-codes
 * page (NOTES section 4): note that the rate limits 130429 and 131056 are HTTP 400, not 429.
 */
export interface ErrorSpec {
  title: string;
  http: number;
  type?: string;
}

export const META_ERRORS = {
  1: { title: 'An unknown error occurred', http: 400 },
  100: { title: 'Invalid parameter', http: 400 },
  190: { title: 'Invalid OAuth access token - Cannot parse access token', http: 401 },
  2500: { title: 'Unknown path components', http: 400 },
  130429: { title: 'Rate limit hit', http: 400 },
  131000: { title: 'Something went wrong', http: 500 },
  131008: { title: 'Required parameter is missing', http: 400 },
  131009: { title: 'Parameter value is not valid', http: 400 },
  131016: { title: 'Service unavailable', http: 503 },
  131026: { title: 'Message undeliverable', http: 400 },
  131047: { title: 'Re-engagement message', http: 400 },
  131049: { title: 'This message was not delivered to maintain healthy ecosystem engagement.', http: 400 },
  131051: { title: 'Unsupported message type', http: 400 },
  131053: { title: 'Media upload error', http: 400 },
  131056: { title: '(Business Account, Consumer Account) pair rate limit hit', http: 400 },
  132000: { title: 'Number of parameters does not match the expected number of params', http: 400 },
  132001: { title: 'Template name does not exist in the translation', http: 404 },
  132005: { title: 'Translated text too long', http: 400 },
  132012: { title: 'Parameter format does not match format in the created template', http: 400 },
  132015: { title: 'Template is Paused', http: 400 },
  132016: { title: 'Template is Disabled', http: 400 },
  132018: { title: 'There was an issue with the parameters in your template.', http: 400 },
} as const satisfies Record<number, ErrorSpec>;

export type MetaErrorCode = keyof typeof META_ERRORS;

/** A refusal as a value: Meta's code plus the human detail that goes into `error_data.details`. */
export interface MetaFailure {
  code: MetaErrorCode;
  details: string;
  subcode?: number;
  /** Overrides the table's message (e.g. Graph's own wording for unknown objects). */
  message?: string;
}

export const fail = (code: MetaErrorCode, details: string, extra: Omit<MetaFailure, 'code' | 'details'> = {}): MetaFailure => ({
  code,
  details,
  ...extra,
});

export interface GraphErrorBody {
  error: {
    message: string;
    type: string;
    code: number;
    error_data: { messaging_product: 'whatsapp'; details: string };
    error_subcode?: number;
    fbtrace_id: string;
  };
}

export function errorTitle(code: MetaErrorCode): string {
  return META_ERRORS[code].title;
}

export function httpStatusOf(code: MetaErrorCode): number {
  return META_ERRORS[code].http;
}

export function graphErrorBody(failure: MetaFailure, fbtraceId: string): GraphErrorBody {
  const body: GraphErrorBody = {
    error: {
      message: failure.message ?? `(#${failure.code}) ${errorTitle(failure.code)}`,
      type: 'OAuthException',
      code: failure.code,
      error_data: { messaging_product: 'whatsapp', details: failure.details },
      fbtrace_id: fbtraceId,
    },
  };
  if (failure.subcode !== undefined) body.error.error_subcode = failure.subcode;
  return body;
}

/** The `errors[]` item of a failed status webhook (NOTES 3.4). */
export function statusErrorItem(code: MetaErrorCode, details: string): {
  code: number;
  title: string;
  message: string;
  error_data: { details: string };
  href: string;
} {
  const title = errorTitle(code);
  return {
    code,
    title,
    message: title,
    error_data: { details },
    href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
  };
}
