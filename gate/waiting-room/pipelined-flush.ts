/**
 * How the gate's recorders send what they noted: one Redis pipeline per flush, a flush already
 * running joined rather than doubled, and a failing Redis reported once per episode (and once when
 * it works again) instead of thrown, so serving never depends on it.
 */
import type Redis from 'ioredis';

export interface FlushProblem {
  failing: boolean;
  error?: string;
}

export interface PipelinedFlushOptions<Batch> {
  redis: Pick<Redis, 'pipeline'>;
  /** Takes what was noted since the last flush, or undefined when there is nothing to send. */
  take: () => Batch | undefined;
  /** Queues a batch's commands. */
  queue: (pipeline: ReturnType<Redis['pipeline']>, batch: Batch) => void;
  /** A batch Redis did not take. @default it is dropped */
  lost?: (batch: Batch) => void;
  /** Called once when flushes start failing, and once when they work again. */
  onFlushProblem: (problem: FlushProblem) => void;
}

export class PipelinedFlush<Batch> {
  private failing = false;
  private running: Promise<void> | undefined;

  constructor(private readonly options: PipelinedFlushOptions<Batch>) {}

  /** Sends what was noted; never throws. A flush already running is joined. */
  flush(): Promise<void> {
    this.running ??= this.send().finally(() => (this.running = undefined));
    return this.running;
  }

  private async send(): Promise<void> {
    const batch = this.options.take();
    if (batch === undefined) return;
    try {
      const pipeline = this.options.redis.pipeline();
      this.options.queue(pipeline, batch);
      const results = (await pipeline.exec()) ?? [];
      const failed = results.find(([error]) => error);
      if (failed) throw failed[0];
      if (this.failing) this.options.onFlushProblem({ failing: false });
      this.failing = false;
    } catch (error) {
      this.options.lost?.(batch);
      if (!this.failing)
        this.options.onFlushProblem({ failing: true, error: error instanceof Error ? error.message : String(error) });
      this.failing = true;
    }
  }
}
