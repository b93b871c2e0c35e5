import type { ModuleSpec } from "./module-spec.js";

/** PEFT's `target_modules`: a full-match regex, a list of exact names or dot-bounded suffixes, or "all-linear". */
export type TargetModules = string | readonly string[];

/** The six projections the paper adapts, per architecture (DeBERTa from the authors' run_glue.py). */
export const DEFAULT_TARGET_MODULES = {
  "deberta-v2": [
    "query_proj",
    "key_proj",
    "value_proj",
    "attention.output.dense",
    "intermediate.dense",
    "output.dense",
  ],
  bert: ["query", "key", "value", "attention.output.dense", "intermediate.dense", "output.dense"],
  roberta: ["query", "key", "value", "attention.output.dense", "intermediate.dense", "output.dense"],
  // The authors' LLaMA runs (llama_7b_math_aflora.sh): q, k, v, up and down projections.
  llama: ["q_proj", "k_proj", "v_proj", "up_proj", "down_proj"],
} as const satisfies Record<string, readonly string[]>;

export type KnownArchitecture = keyof typeof DEFAULT_TARGET_MODULES;

/**
 * The default targets for a model: by `model_type` when known (`deberta` and `deberta-v2`
 * share a layout), otherwise guessed from the module names (`query_proj` = DeBERTa).
 */
export function defaultTargetModules(modelType: string | undefined, moduleNames: readonly string[]): readonly string[] {
  if (modelType !== undefined) {
    const key = modelType === "deberta" ? "deberta-v2" : modelType;
    if (key in DEFAULT_TARGET_MODULES) return DEFAULT_TARGET_MODULES[key as KnownArchitecture];
    throw new Error(
      `targetModules: no default target modules for model_type "${modelType}" (defaults exist for ${Object.keys(DEFAULT_TARGET_MODULES).join(", ")}); set targetModules explicitly`,
    );
  }
  if (moduleNames.some((n) => matchesSuffix(n, "query_proj"))) return DEFAULT_TARGET_MODULES["deberta-v2"];
  if (moduleNames.some((n) => matchesSuffix(n, "query"))) return DEFAULT_TARGET_MODULES.bert;
  throw new Error("targetModules: cannot infer the architecture from the module names; set targetModules explicitly");
}

/** PEFT's list rule: `name == target` or `name` ends with `.target`. */
export function matchesSuffix(name: string, target: string): boolean {
  return name === target || name.endsWith(`.${target}`);
}

/** True when `name` lies at or under module `prefix` (dot boundary, anywhere in the path). */
export function isUnderModule(name: string, module: string): boolean {
  return (
    name === module || name.startsWith(`${module}.`) || name.includes(`.${module}.`) || name.endsWith(`.${module}`)
  );
}

/**
 * The Linear modules an adapter wraps, in model order. `headModules` are excluded from
 * "all-linear" (PEFT never adapts the output/classifier layer there). Every list entry and
 * every regex must match at least one module, otherwise the error names the entry.
 */
export function resolveTargetModules(
  modules: readonly ModuleSpec[],
  targets: TargetModules,
  headModules: readonly string[] = [],
): ModuleSpec[] {
  if (targets === "all-linear") {
    const picked = modules.filter((m) => !headModules.some((h) => isUnderModule(m.name, h)));
    if (picked.length === 0) throw new Error(`targetModules: "all-linear" matched no Linear module outside the head`);
    return picked;
  }
  if (typeof targets === "string") {
    const re = new RegExp(`^(?:${targets})$`);
    const picked = modules.filter((m) => re.test(m.name));
    if (picked.length === 0)
      throw new Error(
        `targetModules: regex "${targets}" matches no Linear module (it must match a whole name, e.g. ${modules[0]?.name ?? "none"})`,
      );
    return picked;
  }
  for (const t of targets) {
    if (!modules.some((m) => matchesSuffix(m.name, t))) {
      throw new Error(
        `targetModules: "${t}" matches no Linear module (exact name or dot-bounded suffix; e.g. ${modules[0]?.name ?? "none"})`,
      );
    }
  }
  return modules.filter((m) => targets.some((t) => matchesSuffix(m.name, t)));
}
