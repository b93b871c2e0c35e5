import type { Options } from "./options.js";
import type { AdapterPlan } from "./plan.js";
import type { ModuleSpec } from "./module-spec.js";
import type { TargetModules } from "./targets.js";

/** Options every method shares (camelCase forms of PEFT's LoraConfig fields). */
export interface BaseAdapterConfig {
  readonly method: string;
  readonly r: number;
  /** Undefined = the architecture's default six projections. */
  readonly targetModules?: TargetModules;
  /** Modules trained in full next to the adapter (PEFT `modules_to_save`); undefined = the model's head. */
  readonly modulesToSave?: readonly string[];
  readonly dropout: number;
}

/**
 * One adapter method: a parser for its options and a plan of the tensors it puts on the
 * target modules. Everything else (variables, registration, merge, save) is shared.
 */
export interface AdapterMethod<C extends BaseAdapterConfig = BaseAdapterConfig> {
  readonly name: C["method"];
  readonly description: string;
  /** Validates options (accepts its own output, so parsing twice is harmless); errors name the field. */
  parse(options: Options): C;
  /** Tensors and wiring for the resolved target modules; throws naming the module if a rank does not fit. */
  plan(modules: readonly ModuleSpec[], config: C, context?: PlanContext): AdapterPlan;
}

export interface PlanContext {
  /** Planning for tensors read from a file: their shapes are given, so rank limits meant for new adapters do not apply. */
  readonly fromFile?: boolean;
}

export const SHARED_OPTION_KEYS = ["method", "r", "targetModules", "modulesToSave", "dropout"] as const;
