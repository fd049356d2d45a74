// The contract's error shape: an HTTP status plus {"error": {"code", "message"}}.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): { error: { code: string; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

export const invalid = (message: string) => new ApiError(400, "VALIDATION", message);

/** What `work` returns, or the ApiError it throws instead (anything else is thrown on): for the
 *  items of a batch, each of which stands on its own. */
export function resultOrApiError<T>(work: () => T): T | ApiError {
  try {
    return work();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
}
