import * as tf from "@tensorflow/tfjs-core";

/** `nanPolicy`: "stop" ends the run as diverged; "skip-step" drops the step's update (as HF under mixed precision). */
export const NAN_POLICIES = ["stop", "skip-step"] as const;
export type NanPolicy = (typeof NAN_POLICIES)[number];

/**
 * A non-finite loss, gradient norm or parameter: the run has diverged. `run()` rejects with it
 * after `run:error`; no checkpoint with non-finite values is written, so `latest` stays the last
 * good one.
 */
export class TrainingDivergedError extends Error {
  override readonly name = "TrainingDivergedError";
  readonly status = "diverged" as const;

  constructor(
    /** Optimizer step (0-based) whose loss, gradients or result were non-finite. */
    readonly step: number,
    /** What was non-finite first: "loss", `gradient of <name>` or `parameter <name>`. */
    readonly term: string,
    message: string,
  ) {
    super(message);
  }
}

/** True when every value of `t` is finite (one reduction; nothing leaks). */
export function allFinite(t: tf.Tensor): boolean {
  const r = tf.tidy(() => tf.all(tf.isFinite(t)));
  const ok = r.dataSync()[0] === 1;
  r.dispose();
  return ok;
}

/** The first name (in `order`) whose tensor holds a NaN or ±Inf, or null. */
export function firstNonFinite(
  tensors: ReadonlyMap<string, tf.Tensor>,
  order: Iterable<string> = tensors.keys(),
): string | null {
  for (const n of order) {
    const t = tensors.get(n);
    if (t && !allFinite(t)) return n;
  }
  return null;
}

/** The first entry whose data holds a NaN or ±Inf, or null (host arrays: checkpoints, exports). */
export function firstNonFiniteArray(entries: Iterable<[string, { data: ArrayLike<number> }]>): string | null {
  for (const [n, e] of entries) {
    const d = e.data;
    for (let i = 0; i < d.length; i++) if (!Number.isFinite(d[i]!)) return n;
  }
  return null;
}
