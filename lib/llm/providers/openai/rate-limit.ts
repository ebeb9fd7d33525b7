// Requests-per-minute and tokens-per-minute budgets, as sliding one-minute windows.

export class MinuteBudget {
  readonly #limit: number | undefined;
  /** [time, amount] of what was spent in the last minute. */
  readonly #spent: [number, number][] = [];

  constructor(limitPerMinute: number | undefined) {
    this.#limit = limitPerMinute;
  }

  /** Wait until `amount` fits in the last minute's budget, then spend it. */
  async take(amount: number, signal?: AbortSignal): Promise<void> {
    if (this.#limit === undefined) return;
    const want = Math.min(amount, this.#limit);
    for (;;) {
      signal?.throwIfAborted();
      const now = Date.now();
      while (this.#spent.length > 0 && (this.#spent[0]?.[0] ?? 0) <= now - 60_000) this.#spent.shift();
      const used = this.#spent.reduce((sum, [, n]) => sum + n, 0);
      if (used + want <= this.#limit) {
        this.#spent.push([now, want]);
        return;
      }
      const oldest = this.#spent[0]?.[0] ?? now;
      await new Promise((resolve) => setTimeout(resolve, Math.max(10, oldest + 60_000 - now)));
    }
  }

  /** Correct the last estimate once the real amount is known (tokens reported by the server). */
  adjust(estimated: number, actual: number): void {
    if (this.#limit === undefined || this.#spent.length === 0) return;
    const last = this.#spent[this.#spent.length - 1] as [number, number];
    last[1] = Math.max(0, last[1] + actual - estimated);
  }
}
