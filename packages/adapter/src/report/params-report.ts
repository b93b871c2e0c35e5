import { countParameters, type AdapterParameterCount } from "../apply/counts.js";
import type { Options } from "../base/options.js";
import { isUnderModule, defaultTargetModules } from "../base/targets.js";
import { modelShapes } from "./hf-shapes.js";

export interface ParamsReportOptions {
  method: string;
  /** Undefined = the method's default (lora 8, elora 1024, aflora 4). */
  r?: number;
  /** aflora only. */
  trainablePm?: string;
  /** Further method options (targetModules, alpha, ...), as in a run config. */
  options?: Options;
}

export interface ParamsReport {
  /** Base model (all parameters, head included) + every adapter element. */
  total: number;
  /** Adapter trainable at the start + the classification head. */
  trainable: number;
  /** The paper's accounting: the head excluded. */
  trainableWithoutHead: number;
  base: number;
  head: number;
  adapter: AdapterParameterCount;
}

/**
 * `aflora params`: parameter counts of a sequence-classification model with an adapter, from
 * its config.json alone (shapes; nothing is allocated or downloaded). `modelConfig` is the
 * parsed config.json or its text.
 */
export function paramsReport(
  modelConfig: Record<string, unknown> | string,
  o: ParamsReportOptions,
  source = "config.json",
): ParamsReport {
  let raw: Record<string, unknown>;
  if (typeof modelConfig === "string") {
    try {
      raw = JSON.parse(modelConfig) as Record<string, unknown>;
    } catch (e) {
      throw new Error(`${source}: not valid JSON (${(e as Error).message})`);
    }
  } else raw = modelConfig;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    throw new Error(`${source}: expected a JSON object`);
  const shapes = modelShapes(raw, source);
  const adapterOptions: Options = { ...o.options, method: o.method };
  if (o.r !== undefined) adapterOptions.r = o.r;
  if (o.trainablePm !== undefined) adapterOptions.trainablePm = o.trainablePm;
  const adapter = countParameters(shapes.linears, adapterOptions, {
    defaultTargets: defaultTargetModules(shapes.modelType, []),
    headModules: shapes.headModules,
  });
  let base = 0;
  let head = 0;
  for (const e of shapes.entries) {
    const n = e.shape.reduce((a, b) => a * b, 1);
    base += n;
    if (shapes.headModules.some((m) => isUnderModule(e.name, m))) head += n;
  }
  return {
    total: base + adapter.total,
    trainable: adapter.trainable + head,
    trainableWithoutHead: adapter.trainable,
    base,
    head,
    adapter,
  };
}
