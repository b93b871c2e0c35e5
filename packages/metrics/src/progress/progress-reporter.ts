import type { TrainerEvent } from "@aflora/core";
import { formatProgressLine, initialProgress, updateProgress } from "./progress-line.js";

/** Anything events can be subscribed on (an RxJS Observable fits). */
export interface EventSource {
  subscribe(next: (e: TrainerEvent) => void): { unsubscribe(): void };
}

export interface ProgressOptions {
  stream?: NodeJS.WriteStream | { write(s: string): unknown; isTTY?: boolean; columns?: number };
  /** Redraw at most this often on a TTY. */
  intervalMs?: number;
  /** Without a TTY, print a plain line every N steps (and at every evaluation and freeze). */
  everySteps?: number;
  now?: () => number;
  /**
   * Matrices already frozen when the run starts (read at `run:start`, once a resumed run has
   * restored its checkpoint), so a resumed run's count goes on from where it stopped.
   */
  frozenAtStart?: () => number;
}

/**
 * Console progress for a run: a redrawn bar on a TTY, plain lines otherwise (CI logs, pipes).
 * Returns a function that detaches it and ends the line.
 */
export function attachProgress(events: EventSource, options: ProgressOptions = {}): () => void {
  const stream = options.stream ?? process.stderr;
  const tty = Boolean(stream.isTTY);
  const now = options.now ?? Date.now;
  const interval = options.intervalMs ?? 200;
  const every = options.everySteps ?? 10;
  const state = initialProgress();
  let lastDraw = 0;
  let drawn = false;

  const sub = events.subscribe((e) => {
    if (!updateProgress(state, e, now())) return;
    if (e.type === "run:start" && options.frozenAtStart) state.frozenMatrices = options.frozenAtStart();
    const t = now();
    if (tty) {
      if (t - lastDraw < interval && e.type === "step:end" && state.step !== state.totalSteps) return;
      const width = Math.max(10, Math.min(30, ((stream as { columns?: number }).columns ?? 100) - 110));
      stream.write(`\r\x1b[2K${formatProgressLine(state, t, width)}`);
      drawn = true;
    } else {
      const important = e.type !== "step:end" || state.step % every === 0 || state.step === state.totalSteps;
      if (!important) return;
      stream.write(formatProgressLine(state, t) + "\n");
    }
    lastDraw = t;
  });
  return () => {
    sub.unsubscribe();
    if (tty && drawn) stream.write("\n");
  };
}
