/**
 * How many API calls run at once unless `--concurrency` says otherwise: Terraform's default
 * parallelism. A real Timeplus runs each REST call as one query of timeplusd, which admits 100 at
 * once by default (`max_concurrent_queries`, which running materialized views also count against);
 * ten leaves most of that to the workloads, and on a 20 ms round trip already makes a 10,000-object
 * apply take under a minute. A server that still cannot keep up answers 429/503, and the client
 * then lets fewer through (AdaptiveLimit).
 */
export const DEFAULT_CONCURRENCY = 10;

/**
 * How many requests may be in flight, adjusted from the answers (AIMD, as TCP does with its
 * window): each 429 or 503 halves it, each other answer grows it by 1/limit (about one more per
 * round of answers) up to `max`. Answers to requests sent before the last cut do not cut again,
 * so one burst of refusals halves the limit once rather than collapsing it to 1.
 */
export class AdaptiveLimit {
  private limit: number;
  private inFlight = 0;
  private generation = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly max: number) {
    this.limit = max;
  }

  /** The requests let through at once now. */
  get current(): number {
    return Math.max(1, Math.floor(this.limit));
  }

  /** Waits for a slot; the ticket says which cut the request was sent under. */
  async acquire(): Promise<number> {
    if (this.waiting.length === 0 && this.inFlight < this.current) {
      this.inFlight += 1;
      return this.generation;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
    return this.generation;
  }

  release(): void {
    this.inFlight -= 1;
    this.pump();
  }

  overloaded(ticket: number): void {
    if (ticket !== this.generation) return;
    this.generation += 1;
    this.limit = Math.max(1, this.limit / 2);
  }

  succeeded(): void {
    this.limit = Math.min(this.max, this.limit + 1 / this.limit);
    this.pump();
  }

  private pump(): void {
    while (this.waiting.length > 0 && this.inFlight < this.current) {
      this.inFlight += 1;
      (this.waiting.shift() as () => void)();
    }
  }
}
