import { createHash } from "node:crypto";

/** JSON with object keys sorted at every level, so equal configs hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}

/**
 * A trial's id: SHA-256 over the sweep name and the trial's resolved config (without `output` and
 * `name`, which the sweep sets from its folder and this id), as 12 characters: the first hex digit
 * spelled as a letter a-p, then 11 hex digits. The same sweep yields the same ids on every machine
 * and every re-run. It is also the BullMQ jobId, which is why the sweep name is part of it, and why
 * it starts with a letter: BullMQ refuses an all-digit custom id.
 */
export function trialId(sweepName: string, config: Record<string, unknown>): string {
  const { output: _o, name: _n, ...rest } = config;
  const hex = createHash("sha256")
    .update(canonicalJson({ sweep: sweepName, config: rest }))
    .digest("hex");
  return "abcdefghijklmnop"[parseInt(hex[0]!, 16)]! + hex.slice(1, 12);
}
