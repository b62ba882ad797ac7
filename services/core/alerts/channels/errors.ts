/** A failed send. `permanent` failures go straight to the dead-letter list instead of being retried. */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly permanent = false,
  ) {
    super(message);
  }
}

/** HTTP statuses worth retrying: timeouts, rate limits and server errors. Other 4xx will not fix themselves. */
export const retryableStatus = (status: number) => status === 408 || status === 429 || status >= 500;

/** fetch with a deadline, so one hung endpoint cannot hold a delivery lane forever. */
export async function postWithDeadline(f: typeof fetch, url: string, init: RequestInit, ms = 15_000): Promise<Response> {
  try {
    return await f(url, { ...init, signal: AbortSignal.timeout(ms) });
  } catch (err) {
    const e = err as Error;
    throw new DeliveryError(e.name === 'TimeoutError' ? `no answer within ${ms / 1000} s` : `request failed: ${(e.cause as Error | undefined)?.message ?? e.message}`);
  }
}

/** Short, log-safe description of an HTTP error reply. */
export async function describeReply(res: Response): Promise<string> {
  const text = (await res.text().catch(() => '')).replace(/\s+/g, ' ').slice(0, 200);
  return `HTTP ${res.status}${text ? `: ${text}` : ''}`;
}
