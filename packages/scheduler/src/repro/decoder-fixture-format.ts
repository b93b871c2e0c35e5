import { FixtureFormatError } from "./fixture-format.js";

type Aligned<T> = (T | null)[];

/** One scenario of `aflora-reference-decoder` (its FORMAT.md §6, format version 1). */
export interface DecoderScenario {
  format: "aflora-reference-decoder";
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
  harness?: { calls_per_global_step?: number };
  params: { name: string; shape: number[]; freezable: boolean; trainable_initially: boolean }[];
  /** The freezable matrices in parameter order; every per-matrix array is aligned with it. */
  matrices: string[];
  steps: DecoderStep[];
  summary: {
    calls_made: number;
    error: { global_step: number; type: string; message: string } | null;
    freeze_step_by_param: Record<string, number | null>;
    stop_pruning_step: number | null;
    avg_train_params_acc: number;
    avg_train_params: number | null;
    nan_inf_warnings?: number;
    param_counts_at_start?: {
      trainable_params: number;
      lora_AB_trainable: number;
      all_params?: number;
      lora_AB_all?: number;
    };
  };
}

export interface DecoderStep {
  global_step: number;
  values?: Aligned<number[]>;
  grads?: Aligned<number[]>;
  grads_nonfinite?: Aligned<[number, "NaN" | "Infinity" | "-Infinity"][]>;
  expected: {
    /** null at a step whose schedule raised (ZeroDivisionError). */
    threshold: number | null;
    mask_ind: boolean | null;
    returned?: [number | null, number | null];
    skipped_stop_pruning?: boolean;
    nan_inf_warned?: string[];
    counts?: { trainable_params: number; unfreezed_lora_AB: number };
    stop_pruning_now?: boolean;
    logged_avg_train_params?: number;
    kth?: { pool_size: number; k: number; k_real: number };
    mask_threshold?: number;
    pool_min?: number;
    pool_max?: number;
    scores?: Aligned<number>;
    logged?: { sum_exp_avg_ipt: number; sum_exp_avg_unc: number; sum_is_dict: number };
    exp_avg_ipt_mean?: Aligned<number>;
    exp_avg_unc_mean?: Aligned<number>;
    ipt_mean?: Aligned<number>;
    frozen_now?: string[];
    n_trainable_freezable?: number;
    avg_train_params_acc?: number;
    last_step?: number;
    error?: { type: string; message: string };
  };
}

/** Whether parsed JSON is a decoder scenario (index.json and other JSON are not). */
export function isDecoderScenarioJson(value: unknown): boolean {
  return (
    !!value &&
    typeof value === "object" &&
    "steps" in value &&
    (value as { format?: unknown }).format === "aflora-reference-decoder"
  );
}

const NON_FINITE = new Set(["NaN", "Infinity", "-Infinity"]);

/** Checks the fields the decoder runner relies on; the error names the file and the field. */
export function validateDecoderScenario(file: string, value: unknown): DecoderScenario {
  const s = value as DecoderScenario;
  const need = (cond: boolean, field: string, problem: string) => {
    if (!cond) throw new FixtureFormatError(file, field, problem);
  };
  need(
    s.format === "aflora-reference-decoder",
    "format",
    `expected "aflora-reference-decoder", got ${JSON.stringify(s.format)}`,
  );
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
    "total_step",
  ] as const) {
    need(
      typeof s.config[key] === "number" && Number.isFinite(s.config[key]),
      `config.${key}`,
      "expected a finite number",
    );
  }
  need(
    Number.isInteger(s.config.total_step) && s.config.total_step > 0,
    "config.total_step",
    "expected a positive integer",
  );
  need(
    s.config.pruner_name === "PLATON",
    "config.pruner_name",
    `expected "PLATON" (the decoder variant's only scorer), got ${JSON.stringify(s.config.pruner_name)}`,
  );
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
  need(
    Array.isArray(s.matrices) && s.matrices.every((m) => typeof m === "string"),
    "matrices",
    "expected an array of names",
  );
  const freezable = s.params.filter((p) => p.freezable).map((p) => p.name);
  need(
    JSON.stringify(freezable) === JSON.stringify(s.matrices),
    "matrices",
    "expected the freezable params, in parameter order",
  );
  const sizes = new Map(s.params.map((p) => [p.name, p.shape.reduce((a, b) => a * b, 1)]));
  const n = s.matrices.length;
  need(Array.isArray(s.steps), "steps", "expected an array");
  s.steps.forEach((st, i) => {
    const at = `steps[${i}]`;
    need(st.global_step === i, `${at}.global_step`, `expected ${i}, got ${JSON.stringify(st.global_step)}`);
    need(!!st.expected && typeof st.expected === "object", `${at}.expected`, "expected an object");
    const e = st.expected;
    const erred = !!e.error;
    need(
      erred ? e.threshold === null || typeof e.threshold === "number" : typeof e.threshold === "number",
      `${at}.expected.threshold`,
      "expected a number",
    );
    need(
      erred ? e.mask_ind === null || typeof e.mask_ind === "boolean" : typeof e.mask_ind === "boolean",
      `${at}.expected.mask_ind`,
      "expected a boolean",
    );
    for (const key of ["values", "grads", "grads_nonfinite"] as const) {
      const arr = st[key];
      if (arr === undefined) continue;
      need(
        Array.isArray(arr) && arr.length === n,
        `${at}.${key}`,
        `expected an array aligned with matrices (${n} entries)`,
      );
      arr.forEach((v, j) => {
        if (v === null) return;
        need(Array.isArray(v), `${at}.${key}[${j}]`, "expected an array or null");
        if (key === "grads_nonfinite") {
          for (const entry of v as [number, string][]) {
            need(
              Array.isArray(entry) &&
                Number.isInteger(entry[0]) &&
                entry[0] >= 0 &&
                entry[0] < sizes.get(s.matrices[j]!)! &&
                NON_FINITE.has(entry[1]),
              `${at}.${key}[${j}]`,
              'expected [flat_index, "NaN" | "Infinity" | "-Infinity"] pairs',
            );
          }
        } else {
          need(
            v.length === sizes.get(s.matrices[j]!),
            `${at}.${key}[${j}]`,
            `expected ${sizes.get(s.matrices[j]!)} numbers (the shape of ${s.matrices[j]})`,
          );
        }
      });
    }
  });
  need(
    !!s.summary && typeof s.summary === "object" && typeof s.summary.freeze_step_by_param === "object",
    "summary",
    "expected an object with freeze_step_by_param",
  );
  return s;
}
