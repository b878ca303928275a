/**
 * Writes batched to the round-trip floor: every Graph call made while a wave runs is queued for one turn of
 * the event loop and sent with the others as `$batch` envelopes of ≤ 20 (https://learn.microsoft.com/graph/json-batching),
 * so a wave of N independent changes costs ⌈N/20⌉ requests in parallel instead of N, 8 at a time. Each caller gets
 * its own item's answer, exactly as if it had sent the request alone: a 429/503/replication item goes back to that
 * caller's withRetry (the one retry table), which sends it again — alone, in a later envelope — after reconciling a
 * create. Items are independent (no dependsOn): the plan's waves already order what depends on what.
 *
 * Graph's limits (https://learn.microsoft.com/graph/throttling-limits, "Identity and access service limits"):
 * per app and tenant 3,000 writes per 2 min 30 s and 3,500–8,000 resource units per 10 s; per tenant 18,000 writes
 * per 5 min; each item of a batch counts on its own. `maxEnvelopes` bounds the requests in flight; after a 429 the
 * transport's throttle gate (gate.ts) paces them, retries included, to what the quota refills.
 */
import { paths } from './paths.js';
import { BATCH_LIMIT, sendEnvelope } from './batch.js';
import type { GraphRequestSpec, GraphResponse, GraphSender, TransportStats } from './transport.js';

interface Queued {
  spec: GraphRequestSpec;
  resolve: (res: GraphResponse) => void;
  reject: (e: unknown) => void;
}

export interface CoalesceOptions {
  /** Envelopes (or lone requests) in flight at once. */
  maxEnvelopes?: number;
  deadline: number;
  sleep?: (ms: number) => Promise<void>;
}

export class CoalescingSender implements GraphSender {
  private queue: Queued[] = [];
  private scheduled = false;
  private inFlight = 0;

  constructor(
    private readonly inner: GraphSender,
    private readonly opts: CoalesceOptions,
  ) {}

  get stats(): TransportStats {
    return this.inner.stats;
  }

  send(spec: GraphRequestSpec): Promise<GraphResponse> {
    if (spec.path === paths.batch) return this.inner.send(spec);
    return new Promise((resolve, reject) => {
      this.queue.push({ spec, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // One turn of the event loop: the other changes of the wave reach send() in the same turn.
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    const max = this.opts.maxEnvelopes ?? 4;
    while (this.queue.length && this.inFlight < max) {
      const chunk = this.queue.splice(0, BATCH_LIMIT);
      this.inFlight++;
      void this.sendChunk(chunk).finally(() => {
        this.inFlight--;
        if (this.queue.length) this.schedule();
      });
    }
  }

  private async sendChunk(chunk: Queued[]): Promise<void> {
    try {
      if (chunk.length === 1) {
        chunk[0].resolve(await this.inner.send(chunk[0].spec));
        return;
      }
      // Writes are counted per item, as Graph counts them; the envelope itself is one request.
      for (const q of chunk) if (q.spec.method !== 'GET') this.inner.stats.writes++;
      const answers = new Map(
        await sendEnvelope(
          this.inner,
          chunk.map((q, i) => ({ id: String(i), spec: q.spec })),
          this.opts,
        ),
      );
      chunk.forEach((q, i) => {
        const res = answers.get(i);
        if (res) q.resolve(res);
        else q.reject(new Error(`Microsoft Graph answered no item ${i} of a $batch`));
      });
    } catch (e) {
      for (const q of chunk) q.reject(e);
    }
  }
}
