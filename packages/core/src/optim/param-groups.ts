import type { NamedParameter } from "../parameter-registry.js";

/**
 * One optimizer parameter group. A parameter joins the first group whose `match` accepts it;
 * parameters no group matches join the group "default" (base lr and weight decay).
 */
export interface ParamGroupSpec {
  name: string;
  match: (p: NamedParameter) => boolean;
  /** The group's own learning rate (e.g. the paper's classifier lr). */
  lr?: number;
  /** Multiplier of the base learning rate; ignored when `lr` is given. */
  lrScale?: number;
  /** The group's weight decay (0 for biases and LayerNorm weights in Hugging Face's recipe). */
  weightDecay?: number;
}

export interface ResolvedGroup {
  name: string;
  lr: number;
  weightDecay: number;
}

export const DEFAULT_GROUP = "default";

/** Hugging Face Trainer's rule: no weight decay on biases and LayerNorm weights. */
export function isNoDecayParameter(p: NamedParameter): boolean {
  return /(^|\.)bias$/.test(p.name) || /(LayerNorm|layer_norm|layernorm)\.weight$/.test(p.name);
}

export interface PaperGroupsOptions {
  /** Learning rate of the classifier head (weights and biases); omit to use the base lr. */
  headLr?: number;
  /** Weight decay of the head weights and of the rest; biases and LayerNorm weights get none. */
  weightDecay: number;
}

/**
 * The paper's grouping: the head (group "head" in the ParameterRegistry) with its own lr,
 * split into weights (decayed) and biases (not decayed); every other bias or LayerNorm weight
 * without decay; the rest with decay.
 */
export function paperParamGroups(o: PaperGroupsOptions): ParamGroupSpec[] {
  const headLr = o.headLr !== undefined ? { lr: o.headLr } : {};
  return [
    { name: "head-no-decay", match: (p) => p.group === "head" && isNoDecayParameter(p), weightDecay: 0, ...headLr },
    { name: "head", match: (p) => p.group === "head", weightDecay: o.weightDecay, ...headLr },
    { name: "no-decay", match: isNoDecayParameter, weightDecay: 0 },
  ];
}
