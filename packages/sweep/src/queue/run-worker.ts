import { Worker } from "bullmq";
import { workerId } from "../journal/record.js";
import { QUEUE_NAME, connectRedis, redactUrl } from "./connection.js";
import type { TrialJobData } from "./job.js";
import { processorPath } from "./processor-path.js";

export interface WorkerOptions {
  /** redis:// or rediss:// URL of the queue. */
  queue: string;
  /** Trials this worker runs at a time (default 1). */
  concurrency?: number;
  /** The aflora CLI entry each trial runs (packages/cli/bin/aflora.js). */
  cliBin: string;
  /**
   * How long a job's lock lasts without renewal; a worker that dies (kill -9, a lost machine)
   * loses its jobs to the next stalled check after this. BullMQ's default is 30 s.
   */
  lockDurationMs?: number;
  /** How often this worker looks for stalled jobs (default: BullMQ's 30 s). */
  stalledIntervalMs?: number;
  /** Stops the worker: running trials checkpoint and go back to the queue. */
  signal?: AbortSignal;
  /** How long stopping waits for running trials to checkpoint (default 120 s). */
  stopTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface WorkerHandle {
  /** Resolves when the worker has stopped. */
  closed: Promise<void>;
  close(): Promise<void>;
  id: string;
}

/**
 * `aflora worker`: takes trials from the queue and runs each in BullMQ's sandbox (a child process
 * per job) which runs the trial as `aflora train`. Any machine that sees the sweep folders at the
 * same path (a shared filesystem) can run one.
 */
export async function runWorker(o: WorkerOptions): Promise<WorkerHandle> {
  const log = o.log ?? ((l: string) => process.stderr.write(l + "\n"));
  const redis = await connectRedis(o.queue, log);
  const id = workerId();
  // The sandbox inherits the environment: that is how it learns the CLI and its worker's name.
  process.env.AFLORA_SWEEP_CLI_BIN = o.cliBin;
  process.env.AFLORA_SWEEP_WORKER_ID = id;
  const worker = new Worker<TrialJobData>(QUEUE_NAME, processorPath(), {
    connection: redis,
    concurrency: o.concurrency ?? 1,
    useWorkerThreads: false,
    ...(o.lockDurationMs ? { lockDuration: o.lockDurationMs } : {}),
    ...(o.stalledIntervalMs ? { stalledInterval: o.stalledIntervalMs } : {}),
    maxStalledCount: 3,
  });
  // Jobs this worker is running: closing waits for their trials to checkpoint and report back
  // (BullMQ's close() alone may return before a cancelled sandboxed job has ended).
  let running = 0;
  worker.on("active", () => running++);
  worker.on("completed", () => running--);
  worker.on("failed", () => running--);
  worker.on("error", (e) => log(`worker ${id}: ${e.message}`));
  worker.on("active", (job) => log(`worker ${id}: trial ${job.id} of ${job.name} started`));
  worker.on("completed", (job) => log(`worker ${id}: trial ${job.id} of ${job.name} done`));
  worker.on("failed", (job, e) => log(`worker ${id}: trial ${job?.id} failed: ${e.message.split("\n")[0]}`));
  await worker.waitUntilReady();
  log(`worker ${id}: waiting for trials on ${redactUrl(o.queue)} (concurrency ${o.concurrency ?? 1})`);
  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      // Running trials checkpoint (SIGTERM to each) and their jobs go back for another worker.
      worker.cancelAllJobs("worker stopping");
      const deadline = Date.now() + (o.stopTimeoutMs ?? 120_000);
      while (running > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      await worker.close();
      redis.disconnect();
    })());
  o.signal?.addEventListener("abort", () => void close(), { once: true });
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  worker.on("closed", () => resolveClosed());
  return { closed, close, id };
}
