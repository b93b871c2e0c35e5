import * as tf from "@tensorflow/tfjs-core";
import type { Linear, Rng } from "@aflora/core";
import { adapterMethod, type AdapterConfig } from "../methods.js";
import type { Options } from "../base/options.js";
import type { PlanContext } from "../base/method.js";
import type { AdaptableModel } from "../base/adaptable-model.js";
import { AppliedAdapter, type AdaptedModule } from "./applied-adapter.js";
import { LowRankPath } from "../base/low-rank-path.js";
import { defaultModulesToSave, parametersUnder } from "../base/modules-to-save.js";
import type { ModuleSpec } from "../base/module-spec.js";
import type { AdapterPlan, TensorPlan } from "../base/plan.js";
import { defaultTargetModules, resolveTargetModules } from "../base/targets.js";

export interface ApplyOptions {
  /** Seeds every initializer; each tensor draws from `rng.fork("adapter:<name>")`, so init never depends on order. */
  rng: Rng;
}

/** Everything `applyAdapter` decides before it touches the model. */
export interface AdapterLayout {
  config: AdapterConfig;
  plan: AdapterPlan;
  linears: Map<string, Linear>;
  modulesToSave: string[];
  /** Model parameters trained next to the adapter. */
  savedParameters: string[];
}

export function moduleSpecs(linears: Map<string, Linear>): ModuleSpec[] {
  return [...linears.values()].map((l) => ({ name: l.name, inFeatures: l.inFeatures, outFeatures: l.outFeatures }));
}

/** Validates a config against a model and plans the adapter; changes nothing. */
export function planAdapter(
  model: AdaptableModel,
  options: Options | AdapterConfig,
  context: PlanContext = {},
): AdapterLayout {
  const method = adapterMethod((options as Options).method);
  const config = method.parse(options as Options);
  const linears = model.linears();
  const specs = moduleSpecs(linears);
  const modulesToSave = config.modulesToSave ? [...config.modulesToSave] : defaultModulesToSave(model.params);
  const targets =
    config.targetModules ??
    defaultTargetModules(
      model.modelType,
      specs.map((s) => s.name),
    );
  const resolved = resolveTargetModules(specs, targets, modulesToSave);
  for (const m of resolved) {
    const linear = linears.get(m.name)!;
    if (linear.adapter) throw new Error(`targetModules: module ${m.name} already has an adapter; remove it first`);
  }
  const plan = method.plan(resolved, config, context);
  for (const t of plan.tensors) {
    if (model.params.has(t.name)) throw new Error(`adapter: the model already has a parameter named "${t.name}"`);
  }
  const savedParameters = parametersUnder(model.params, modulesToSave, new Set());
  return { config, plan, linears, modulesToSave, savedParameters };
}

/**
 * Wraps the target Linears of `model` with the configured low-rank path and registers its
 * tensors (A/B in "adapter-matrix", λ in "adapter-vector", PEFT names). The base model is
 * frozen; `modulesToSave` (the head by default) stays trainable. Every check runs before the
 * model is touched, so an error leaves it exactly as it was.
 */
export function applyAdapter(
  model: AdaptableModel,
  options: Options | AdapterConfig,
  { rng }: ApplyOptions,
): AppliedAdapter {
  return attach(model, planAdapter(model, options), rng);
}

/** Builds and attaches a planned adapter (the mutation half of `applyAdapter`). */
export function attach(model: AdaptableModel, layout: AdapterLayout, rng: Rng): AppliedAdapter {
  const { config, plan, linears, modulesToSave, savedParameters } = layout;
  const params = model.params;
  const previousFlags = params.flags();
  const created: string[] = [];
  const touched: Linear[] = [];
  try {
    const vars = new Map<string, tf.Variable>();
    for (const t of plan.tensors) {
      vars.set(t.name, createVariable(t, rng));
      params.register(t.name, vars.get(t.name)!, registerOptions(t));
      created.push(t.name);
    }
    const modules = new Map<string, AdaptedModule>();
    for (const mp of plan.modules) {
      const linear = linears.get(mp.module.name)!;
      const path = new LowRankPath({
        a: vars.get(mp.a)!,
        b: vars.get(mp.b)!,
        d: mp.d ? vars.get(mp.d)! : null,
        db: mp.db ? vars.get(mp.db)! : null,
        inFeatures: mp.module.inFeatures,
        outFeatures: mp.module.outFeatures,
        scaling: mp.scaling,
        dropout: mp.dropout,
        dropoutRng: rng.fork(`adapter-dropout:${mp.module.name}`),
      });
      linear.adapter = path;
      touched.push(linear);
      modules.set(mp.module.name, { linear, path, plan: mp });
    }
    const ours = new Set(created);
    const saved = new Set(savedParameters);
    const flags: ReturnType<typeof params.flags> = {};
    for (const n of params.names()) if (!ours.has(n)) flags[n] = { trainable: saved.has(n) };
    params.restoreFlags(flags);
    // Keep tf.Variable.trainable in step with the registry, so even a gradient call without
    // an explicit variable list never differentiates a frozen adapter matrix.
    const subscription = params.freezes.subscribe((notice) => {
      for (const n of notice.names) if (vars.has(n)) vars.get(n)!.trainable = false;
    });
    return new AppliedAdapter({
      model,
      config,
      plan,
      modules,
      modulesToSave,
      savedParameters,
      previousFlags,
      subscription,
    });
  } catch (e) {
    for (const l of touched) l.adapter = null;
    for (const n of created) params.unregister(n);
    params.restoreFlags(previousFlags);
    throw e;
  }
}

function createVariable(t: TensorPlan, rng: Rng): tf.Variable {
  const values = t.init(rng.fork(`adapter:${t.name}`));
  return tf.tidy(() => {
    const state = tf.tensor(values, [...t.stateShape]);
    const value = t.stateShape.length === 2 ? tf.transpose(state) : state;
    return tf.variable(value, t.trainable);
  });
}

const transpose = (v: tf.Tensor) => tf.transpose(v);

function registerOptions(t: TensorPlan) {
  return t.stateShape.length === 2
    ? { group: t.group, trainable: t.trainable, stateShape: t.stateShape, toState: transpose, fromState: transpose }
    : { group: t.group, trainable: t.trainable };
}
