import type { AppliedAdapter } from "../apply/applied-adapter.js";
import type { Options } from "../base/options.js";
import { parametersUnder } from "../base/modules-to-save.js";

export interface PeftConfigOptions {
  /** PEFT `base_model_name_or_path` (e.g. "microsoft/deberta-v3-base"). */
  baseModelNameOrPath?: string | null;
  /** PEFT `task_type`; "SEQ_CLS" loads through PeftModelForSequenceClassification. */
  taskType?: string | null;
  /**
   * Frozen modules to store as well, e.g. `["pooler"]` for DeBERTa-v3, whose checkpoints have
   * no pooler weights: Transformers would draw a different random pooler than the one trained
   * with. Listed in `modules_to_save`, so PEFT restores them; aflora keeps them frozen.
   */
  alsoSave?: readonly string[];
}

/** `modules_to_save` of the written config: the trained head plus `alsoSave`. */
export function modulesToSaveJson(adapter: AppliedAdapter, o: PeftConfigOptions): string[] | null {
  const all = [...adapter.modulesToSave, ...(o.alsoSave ?? []).filter((m) => !adapter.modulesToSave.includes(m))];
  return all.length > 0 ? all : null;
}

/** Registry names of the `alsoSave` parameters (each module must own one). */
export function alsoSavedParameters(adapter: AppliedAdapter, o: PeftConfigOptions): string[] {
  const exclude = new Set([...adapter.parameterNames, ...adapter.savedParameters]);
  return o.alsoSave ? parametersUnder(adapter.params, o.alsoSave, exclude, "alsoSave") : [];
}

/** The exact target list: PEFT matches each entry as a name or dot-bounded suffix, so full names are unambiguous. */
export function resolvedTargets(adapter: AppliedAdapter): string[] {
  return [...adapter.modules.keys()];
}

/** A PEFT `LoraConfig` as `adapter_config.json` holds it, with only keys PEFT knows. */
export function loraConfigJson(
  adapter: AppliedAdapter,
  { r, loraAlpha, dropout }: { r: number; loraAlpha: number; dropout: number },
  o: PeftConfigOptions,
): Record<string, unknown> {
  return {
    peft_type: "LORA",
    task_type: o.taskType === undefined ? "SEQ_CLS" : o.taskType,
    base_model_name_or_path: o.baseModelNameOrPath ?? null,
    revision: null,
    inference_mode: true,
    r,
    lora_alpha: loraAlpha,
    lora_dropout: dropout,
    target_modules: resolvedTargets(adapter),
    modules_to_save: modulesToSaveJson(adapter, o),
    bias: "none",
    fan_in_fan_out: false,
    init_lora_weights: true,
    use_rslora: false,
    use_dora: false,
    layers_to_transform: null,
    layers_pattern: null,
    rank_pattern: {},
    alpha_pattern: {},
  };
}

/**
 * ELoRA/AFLoRA have no PEFT type: aflora writes `peft_type` "ELORA"/"AFLORA" with the
 * authors' hyperparameter names, so the file still reads like a PEFT config.
 */
export function lowRankVectorConfigJson(adapter: AppliedAdapter, o: PeftConfigOptions): Record<string, unknown> {
  const c = adapter.config;
  if (c.method === "lora") throw new Error("internal: LoRA uses loraConfigJson");
  return {
    peft_type: c.method.toUpperCase(),
    task_type: o.taskType === undefined ? "SEQ_CLS" : o.taskType,
    base_model_name_or_path: o.baseModelNameOrPath ?? null,
    inference_mode: true,
    r: c.r,
    lora_dropout: c.dropout,
    target_modules: resolvedTargets(adapter),
    modules_to_save: modulesToSaveJson(adapter, o),
    d_initial: c.dInit,
    b_initial: c.bInit,
    ...(c.method === "aflora"
      ? { scaling: c.scaling, trainable_pm: c.trainablePm }
      : { shared_projection: c.sharedProjection }),
  };
}

/** An aflora config from a PEFT LoRA `adapter_config.json` (one written by PEFT itself, or an aflora export). */
export function configFromPeftLora(json: Record<string, unknown>, source: string): Options {
  const fail = (field: string, msg: string): never => {
    throw new Error(`${source}: ${field}: ${msg}`);
  };
  for (const [key, supported] of [
    ["use_dora", false],
    ["use_rslora", false],
    ["fan_in_fan_out", false],
  ] as const) {
    if (json[key] !== undefined && json[key] !== supported)
      fail(key, `${JSON.stringify(json[key])} is not supported (only ${supported})`);
  }
  if (json.bias !== undefined && json.bias !== "none")
    fail("bias", `${JSON.stringify(json.bias)} is not supported (only "none")`);
  for (const key of ["rank_pattern", "alpha_pattern"]) {
    const v = json[key];
    if (v !== undefined && v !== null && (typeof v !== "object" || Object.keys(v).length > 0))
      fail(key, "per-module ranks/alphas are not supported");
  }
  if (typeof json.r !== "number") fail("r", `expected a number, got ${JSON.stringify(json.r)}`);
  const targets = json.target_modules;
  if (!(typeof targets === "string" || Array.isArray(targets)))
    fail("target_modules", `expected a regex or a list, got ${JSON.stringify(targets)}`);
  const mts = json.modules_to_save;
  return {
    method: "lora",
    r: json.r,
    alpha: json.lora_alpha ?? 8,
    dropout: json.lora_dropout ?? 0,
    targetModules: targets,
    modulesToSave: mts === null || mts === undefined ? [] : mts,
  };
}
