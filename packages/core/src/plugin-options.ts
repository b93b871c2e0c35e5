import { z } from "zod";

/**
 * Small validators for plugin options. Each throws one Error whose message starts with the
 * offending field, so `PluginRegistry.create` can prefix it with the config path
 * (e.g. `scorer (scorer "aflora"): beta1: expected a number in [0, 1), got 1.2`).
 */
export function rejectUnknownKeys(options: Record<string, unknown>, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new Error(`${key}: unknown option (known options: ${known.length ? known.join(", ") : "none"})`);
    }
  }
}

export interface NumberRule {
  min?: number;
  max?: number;
  /** Exclusive bounds instead of inclusive. */
  minExclusive?: boolean;
  maxExclusive?: boolean;
  integer?: boolean;
}

export function readNumber(
  options: Record<string, unknown>,
  key: string,
  fallback: number,
  rule: NumberRule = {},
): number {
  const raw = options[key];
  if (raw === undefined) return fallback;
  return checkNumber(key, raw, rule);
}

export function checkNumber(key: string, raw: unknown, rule: NumberRule = {}): number {
  if (typeof raw !== "number" || !Number.isFinite(raw))
    throw new Error(`${key}: expected a finite number, got ${JSON.stringify(raw)}`);
  const lowOk = rule.min === undefined || (rule.minExclusive ? raw > rule.min : raw >= rule.min);
  const highOk = rule.max === undefined || (rule.maxExclusive ? raw < rule.max : raw <= rule.max);
  if (!lowOk || !highOk || (rule.integer && !Number.isInteger(raw))) {
    const lo = rule.min === undefined ? "(-inf" : `${rule.minExclusive ? "(" : "["}${rule.min}`;
    const hi = rule.max === undefined ? "inf)" : `${rule.max}${rule.maxExclusive ? ")" : "]"}`;
    throw new Error(`${key}: expected ${rule.integer ? "an integer" : "a number"} in ${lo}, ${hi}, got ${raw}`);
  }
  return raw;
}

/** `deltaT` is the authors' name; `window` is accepted as an alias. */
export function readDeltaT(options: Record<string, unknown>, fallback: number): number {
  const a = options["deltaT"];
  const b = options["window"];
  if (a !== undefined && b !== undefined && a !== b)
    throw new Error(`deltaT: given as ${JSON.stringify(a)} and as its alias window = ${JSON.stringify(b)}; give one`);
  const raw = a ?? b;
  return raw === undefined
    ? fallback
    : checkNumber(a !== undefined ? "deltaT" : "window", raw, { min: 1, integer: true });
}

/** `deltaT` (the authors' name) with its alias `window`, as zod fields of a plugin's options. */
export const deltaTShape = {
  deltaT: z.number().int().min(1).optional().describe("window ΔT in optimizer steps (the authors: 10)"),
  window: z.number().int().min(1).optional().describe("alias of deltaT"),
};

/** Refinement for objects with `deltaTShape`: the two spellings may not disagree. */
export function deltaTAgrees(
  o: { deltaT?: number | undefined; window?: number | undefined },
  ctx: z.RefinementCtx,
): void {
  if (o.deltaT !== undefined && o.window !== undefined && o.deltaT !== o.window) {
    ctx.addIssue({
      code: "custom",
      path: ["deltaT"],
      message: `given as ${o.deltaT} and as its alias window = ${o.window}; give one`,
    });
  }
}

export function deltaTOf(o: { deltaT?: number | undefined; window?: number | undefined }, fallback: number): number {
  return o.deltaT ?? o.window ?? fallback;
}

/** Metadata key marking a string option as a file or folder path, resolved against the config file's folder. */
export const PATH_META = "x-aflora-path";

/** A file or folder option: relative values are resolved against the folder of the config file that gave them. */
export function pathOption(description: string, o: { mustExist?: boolean } = {}): z.ZodString {
  return z
    .string()
    .min(1)
    .meta({ description, [PATH_META]: o.mustExist === false ? "any" : "existing" });
}

/** "existing" or "any" for a schema made by `pathOption` (optional/default wrappers looked through), else null. */
export function pathOptionKind(schema: z.ZodType): "existing" | "any" | null {
  let s: z.ZodType = schema;
  for (;;) {
    const kind = s.meta()?.[PATH_META];
    if (kind === "existing" || kind === "any") return kind;
    if (s instanceof z.ZodOptional || s instanceof z.ZodDefault || s instanceof z.ZodNullable)
      s = s.unwrap() as z.ZodType;
    else return null;
  }
}

export function isPathOption(schema: z.ZodType): boolean {
  return pathOptionKind(schema) !== null;
}
