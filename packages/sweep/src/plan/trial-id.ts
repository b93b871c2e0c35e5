import { createHash } from "node:crypto";

/** JSON with object keys sorted at every level, so equal configs hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/**
 * A trial's id: the first 12 hex digits of SHA-256 over the sweep name and the trial's resolved
 * config (without `output` and `name`, which the sweep sets from its folder and this id). The same
 * sweep yields the same ids on every machine and every re-run; it is also the BullMQ jobId, which
 * is why the sweep name is part of it.
 */
export function trialId(sweepName: string, config: Record<string, unknown>): string {
  const { output: _o, name: _n, ...rest } = config;
  return createHash("sha256").update(canonicalJson({ sweep: sweepName, config: rest })).digest("hex").slice(0, 12);
}
