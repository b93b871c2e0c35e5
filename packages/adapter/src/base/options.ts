/**
 * Small validators for adapter options. Each throws one Error whose message names the
 * field, so `PluginRegistry.create` can prefix it with the config path (e.g. `adapter.r`).
 */
export type Options = Record<string, unknown>;

export function rejectUnknownKeys(options: Options, known: readonly string[], what: string): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new Error(`${key}: unknown option for ${what} (known: ${known.join(", ")})`);
  }
}

export function positiveInt(options: Options, key: string, fallback: number): number {
  const v = options[key] ?? fallback;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1)
    throw new Error(`${key}: expected a positive integer, got ${JSON.stringify(v)}`);
  return v;
}

export function finiteNumber(options: Options, key: string, fallback: number): number {
  const v = options[key] ?? fallback;
  if (typeof v !== "number" || !Number.isFinite(v))
    throw new Error(`${key}: expected a finite number, got ${JSON.stringify(v)}`);
  return v;
}

/** A probability in [0, 1). */
export function dropoutRate(options: Options, key: string): number {
  const v = finiteNumber(options, key, 0);
  if (v < 0 || v >= 1) throw new Error(`${key}: expected a dropout rate in [0, 1), got ${v}`);
  return v;
}

export function boolean(options: Options, key: string, fallback: boolean): boolean {
  const v = options[key] ?? fallback;
  if (typeof v !== "boolean") throw new Error(`${key}: expected true or false, got ${JSON.stringify(v)}`);
  return v;
}

export function oneOf<T extends string>(options: Options, key: string, allowed: readonly T[], fallback: T): T {
  const v = options[key] ?? fallback;
  if (typeof v !== "string" || !(allowed as readonly string[]).includes(v)) {
    throw new Error(`${key}: expected one of ${allowed.map((a) => `"${a}"`).join(", ")}, got ${JSON.stringify(v)}`);
  }
  return v as T;
}

/** PEFT's `target_modules`: a regex string, a list of names/suffixes, or "all-linear"; undefined = architecture default. */
export function targetModules(options: Options, key: string): string | string[] | undefined {
  const v = options[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === "string") {
    if (v.length === 0)
      throw new Error(`${key}: expected a regex, a list of module names, or "all-linear"; got an empty string`);
    if (v !== "all-linear") {
      try {
        new RegExp(v);
      } catch (e) {
        throw new Error(`${key}: "${v}" is not a valid regular expression (${(e as Error).message})`);
      }
    }
    return v;
  }
  return stringList(options, key) ?? [];
}

export function stringList(options: Options, key: string): string[] | undefined {
  const v = options[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.length === 0)
    throw new Error(`${key}: expected a non-empty list of module names, got ${JSON.stringify(v)}`);
  v.forEach((s, i) => {
    if (typeof s !== "string" || s.length === 0)
      throw new Error(`${key}[${i}]: expected a module name, got ${JSON.stringify(s)}`);
  });
  return [...(v as string[])];
}

/** Like stringList but an empty list is allowed (e.g. `modulesToSave: []` = train no head). */
export function optionalNameList(options: Options, key: string): string[] | undefined {
  const v = options[key];
  if (Array.isArray(v) && v.length === 0) return [];
  return stringList(options, key);
}
