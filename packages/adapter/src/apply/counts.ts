import type { TrainableCounts } from "@aflora/core";
import { adapterMethod, type AdapterConfig } from "../methods.js";
import type { Options } from "../base/options.js";
import type { ModuleSpec } from "../base/module-spec.js";
import { stateSize } from "../base/plan.js";
import { resolveTargetModules, type TargetModules } from "../base/targets.js";

export interface AdapterParameterCount {
  /** Every adapter element (frozen projections included). */
  total: number;
  /** Trainable at the start of training. */
  trainable: number;
  /** The trainable part that is projection matrices (A, B): what adaptive freezing can remove. */
  trainableMatrices: number;
  /** Trainable once every A/B is frozen (AFLoRA's end state): `trainable − trainableMatrices`. */
  trainableAfterFreezing: number;
}

/**
 * Adapter parameter counts from module shapes alone (no tensors). `modules` is every Linear
 * of the model; `defaultTargets` stands in when the config names none.
 */
export function countParameters(
  modules: readonly ModuleSpec[],
  options: Options | AdapterConfig,
  { defaultTargets, headModules = [] }: { defaultTargets?: TargetModules; headModules?: readonly string[] } = {},
): AdapterParameterCount {
  const method = adapterMethod((options as Options).method);
  const config = method.parse(options as Options);
  const targets = config.targetModules ?? defaultTargets;
  if (targets === undefined) throw new Error("targetModules: not set and no architecture default given");
  const plan = method.plan(resolveTargetModules(modules, targets, headModules), config);
  let total = 0;
  let trainable = 0;
  let trainableMatrices = 0;
  for (const t of plan.tensors) {
    const n = stateSize(t.stateShape);
    total += n;
    if (!t.trainable) continue;
    trainable += n;
    if (t.group === "adapter-matrix") trainableMatrices += n;
  }
  return { total, trainable, trainableMatrices, trainableAfterFreezing: trainable - trainableMatrices };
}

const fmt = (n: number) => n.toLocaleString("en-US");

/**
 * PEFT's `print_trainable_parameters` line, plus the paper's accounting (classifier excluded):
 * `trainable params: 1,327,104 || all params: 185,… || trainable%: 0.7…`
 */
export function formatParameterCounts(
  c: Pick<TrainableCounts, "total" | "trainable" | "trainableWithoutHead">,
): string {
  const pct = c.total === 0 ? 0 : (100 * c.trainable) / c.total;
  return [
    `trainable params: ${fmt(c.trainable)} || all params: ${fmt(c.total)} || trainable%: ${pct.toFixed(4)}`,
    `trainable params without head: ${fmt(c.trainableWithoutHead)}`,
  ].join("\n");
}
