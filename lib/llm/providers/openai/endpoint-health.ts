// Whether a model endpoint keeps failing: the outcomes of its last requests. A request that failed
// after its retries while the endpoint answers most others failed for its own reasons (its item
// fails, the run goes on); when more than a share of the last requests failed, the endpoint is down.

export interface FailureVerdict {
  /** More than the share of the window failed: stop the run. */
  keepsFailing: boolean;
  /** Failed requests in the window, and how many the window holds. */
  failures: number;
  of: number;
  /** When the oldest failure in the window happened (ms since the epoch): work finished since may have fallen back because of it. */
  since: number;
}

export class EndpointHealth {
  readonly #size: number;
  readonly #share: number;
  /** The last outcomes, oldest first: when a request failed, or null when it was answered. */
  readonly #outcomes: (number | null)[] = [];

  /** `size` requests are remembered; more than `share` of them failing means the endpoint is down. */
  constructor(size: number, share: number) {
    this.#size = size;
    this.#share = share;
  }

  /** The endpoint answered (usable or not: a malformed answer is still an answer). */
  answered(): void {
    this.#remember(null);
  }

  /**
   * A request failed after its retries. Before any request has been answered, the window holds
   * only failures, so the first failure of an endpoint that never answered stops the run.
   */
  failed(now: number = Date.now()): FailureVerdict {
    this.#remember(now);
    const failures = this.#outcomes.filter((at): at is number => at !== null);
    return {
      keepsFailing: failures.length > this.#share * this.#outcomes.length,
      failures: failures.length,
      of: this.#outcomes.length,
      since: failures[0] ?? now,
    };
  }

  #remember(outcome: number | null): void {
    this.#outcomes.push(outcome);
    if (this.#outcomes.length > this.#size) this.#outcomes.shift();
  }
}
