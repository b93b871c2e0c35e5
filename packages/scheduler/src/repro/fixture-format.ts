import { readFileSync } from "node:fs";

/** One scenario of the AFLoRA reference traces (FORMAT.md §5, format version 1). */
export interface ReferenceScenario {
  format_version: 1;
  scenario: string;
  description?: string;
  config: {
    initial_threshold: number;
    final_threshold: number;
    initial_warmup: number;
    final_warmup: number;
    beta1: number;
    beta2: number;
    deltaT: number;
    pruner_name: string;
    num_train_epochs: number;
    total_step: number;
  };
  harness?: { calls_per_global_step?: number; exp_avg_unc_zero_default?: boolean };
  params: { name: string; shape: number[]; freezable: boolean; trainable_initially: boolean }[];
  steps: ReferenceStep[];
  summary: {
    calls_made: number;
    error: { global_step: number; type: string; message: string } | null;
    freeze_step_by_param: Record<string, number | null>;
    stop_pruning_step: number | null;
    avg_train_params_acc: number;
    avg_train_params: number | null;
    param_counts_at_start?: {
      trainable_params: number;
      lora_AB_trainable: number;
      all_params?: number;
      lora_AB_all?: number;
    };
  };
}

export interface ReferenceStep {
  global_step: number;
  values?: Record<string, number[]>;
  grads?: Record<string, number[]>;
  expected: {
    threshold: number;
    mask_ind: boolean;
    returned?: [number | null, number | null];
    skipped_stop_pruning?: boolean;
    counts?: { trainable_params: number; unfreezed_lora_AB: number };
    stop_pruning_now?: boolean;
    kth?: { pool_size: number; k: number; k_real: number };
    mask_threshold?: number;
    scores?: Record<string, number>;
    exp_avg_ipt_mean?: Record<string, number>;
    exp_avg_unc_mean?: Record<string, number>;
    ipt_mean?: Record<string, number>;
    frozen_now?: string[];
    trainable_freezable?: string[];
    avg_train_params_acc?: number;
    last_step?: number;
    error?: { type: string; message: string };
  };
}

/** A scenario file that does not follow FORMAT.md; the message names the file and the field. */
export class FixtureFormatError extends Error {
  constructor(file: string, field: string, problem: string) {
    super(`${file}: ${field}: ${problem}`);
    this.name = "FixtureFormatError";
  }
}

/** Whether parsed JSON is a scenario (index.json and other JSON files are not). */
export function isScenarioJson(value: unknown): boolean {
  return !!value && typeof value === "object" && "steps" in value && "format_version" in value;
}

export function readJsonFile(file: string): unknown {
  const text = readFileSync(file, "utf8");
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new FixtureFormatError(file, "(file)", `not valid JSON: ${(e as Error).message}`);
  }
}

/** Checks the fields the runner relies on. */
export function validateScenario(file: string, value: unknown): ReferenceScenario {
  const s = value as ReferenceScenario;
  const need = (cond: boolean, field: string, problem: string) => {
    if (!cond) throw new FixtureFormatError(file, field, problem);
  };
  need(s.format_version === 1, "format_version", `expected 1, got ${JSON.stringify(s.format_version)}`);
  need(typeof s.scenario === "string", "scenario", "expected a string");
  need(!!s.config && typeof s.config === "object", "config", "expected an object");
  for (const key of [
    "initial_threshold",
    "final_threshold",
    "initial_warmup",
    "final_warmup",
    "beta1",
    "beta2",
    "deltaT",
    "num_train_epochs",
    "total_step",
  ] as const) {
    need(
      typeof s.config[key] === "number" && Number.isFinite(s.config[key]),
      `config.${key}`,
      "expected a finite number",
    );
  }
  need(typeof s.config.pruner_name === "string", "config.pruner_name", "expected a string");
  need(Array.isArray(s.params) && s.params.length > 0, "params", "expected a non-empty array");
  s.params.forEach((p, i) => {
    need(typeof p.name === "string", `params[${i}].name`, "expected a string");
    need(
      Array.isArray(p.shape) && p.shape.every((d) => Number.isInteger(d) && d > 0),
      `params[${i}].shape`,
      "expected positive integers",
    );
    need(
      typeof p.freezable === "boolean" && typeof p.trainable_initially === "boolean",
      `params[${i}]`,
      "expected booleans freezable and trainable_initially",
    );
  });
  need(Array.isArray(s.steps), "steps", "expected an array");
  s.steps.forEach((st, i) => {
    need(st.global_step === i, `steps[${i}].global_step`, `expected ${i}, got ${JSON.stringify(st.global_step)}`);
    need(
      !!st.expected && typeof st.expected.threshold === "number" && typeof st.expected.mask_ind === "boolean",
      `steps[${i}].expected`,
      "expected threshold (number) and mask_ind (boolean)",
    );
  });
  need(
    !!s.summary && typeof s.summary === "object" && typeof s.summary.freeze_step_by_param === "object",
    "summary",
    "expected an object with freeze_step_by_param",
  );
  return s;
}
