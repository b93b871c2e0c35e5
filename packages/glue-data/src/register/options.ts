/** Tiny option checkers whose errors name the field, for the plugin `parse` hooks. */
export type FieldKind = "string" | "boolean" | "positiveInt" | "nonNegativeInt" | "fraction" | "stringArray";

export function checkOptions(
  options: Record<string, unknown>,
  fields: Record<string, FieldKind | readonly string[]>,
  required: readonly string[] = [],
): Record<string, unknown> {
  for (const key of Object.keys(options)) {
    if (!(key in fields)) throw new Error(`${key}: unknown option (known: ${Object.keys(fields).join(", ")})`);
  }
  for (const key of required) if (options[key] === undefined) throw new Error(`${key}: required`);
  for (const [key, kind] of Object.entries(fields)) {
    const v = options[key];
    if (v === undefined) continue;
    const bad = (what: string) => new Error(`${key}: expected ${what}, got ${JSON.stringify(v)}`);
    if (Array.isArray(kind)) {
      if (!kind.includes(v as string)) throw bad(`one of ${kind.map((k) => JSON.stringify(k)).join(", ")}`);
    } else if (kind === "string" && (typeof v !== "string" || v === "")) throw bad("a non-empty string");
    else if (kind === "boolean" && typeof v !== "boolean") throw bad("true or false");
    else if (kind === "positiveInt" && !(Number.isInteger(v) && (v as number) > 0)) throw bad("a positive integer");
    else if (kind === "nonNegativeInt" && !(Number.isInteger(v) && (v as number) >= 0)) throw bad("an integer ≥ 0");
    else if (kind === "fraction" && !(typeof v === "number" && v > 0 && v < 1)) throw bad("a number between 0 and 1");
    else if (kind === "stringArray" && !(Array.isArray(v) && v.every((s) => typeof s === "string"))) throw bad("a list of strings");
  }
  return options;
}
