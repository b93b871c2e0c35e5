import { parse as parseYamlScalar } from "yaml";
import { ConfigError } from "./config-error.js";
import { setPath } from "./merge.js";
import { expandDataShorthand } from "./schema.js";

/** A command-line flag that overrides one config field. */
export interface ConfigFlag {
  flag: string;
  /** Commander's camelCase option key. */
  key: string;
  path: string;
  description: string;
  kind: "string" | "number" | "value";
}

const f = (flag: string, path: string, description: string, kind: ConfigFlag["kind"] = "number"): ConfigFlag => ({
  flag,
  key: flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()),
  path,
  description,
  kind,
});

/** Every override flag of `aflora train` / `aflora eval`; flags win over the config file and the preset. */
export const CONFIG_FLAGS: ConfigFlag[] = [
  f("model", "model", '"demo", a Hugging Face model folder, or a hub id (e.g. microsoft/deberta-v3-base)', "string"),
  f("tokenizer", "tokenizer", "tokenizer folder or tokenizer.json when it is not in the model folder", "string"),
  f("method", "method", "aflora | lora | elora | full", "string"),
  f("r", "adapter.r", "adapter rank (defaults: AFLoRA 4, LoRA 8, ELoRA 1024)"),
  f("trainable-pm", "adapter.trainablePm", "AFLoRA: projection matrices trainable at the start: ffn | attention | all | none", "string"),
  f("scorer", "scorer.name", "freezing score by name (AFLoRA only), e.g. aflora, sensitivity, magnitude", "string"),
  f("schedule", "schedule.name", "freezing schedule by name (AFLoRA only), e.g. cubic, linear", "string"),
  f("epochs", "training.epochs", "training epochs"),
  f("batch-size", "training.batchSize", "examples per micro-batch"),
  f("lr", "training.lr", "learning rate of the adapter (or of the whole model for full)"),
  f("classifier-lr", "training.classifierLr", "learning rate of the classifier head"),
  f("weight-decay", "training.weightDecay", "AdamW weight decay"),
  f("warmup-ratio", "training.warmupRatio", "fraction of steps with linear LR warm-up"),
  f("max-grad-norm", "training.maxGradNorm", "global gradient-norm clipping"),
  f("gradient-accumulation", "training.gradientAccumulation", "micro-batches per optimizer step"),
  f("max-seq-length", "training.maxSeqLength", "tokens per example after truncation"),
  f("seed", "training.seed", "seed for every initialiser and shuffle"),
  f("eval-every", "training.evalEvery", '"epoch" or a number of optimizer steps', "value"),
  f("checkpoint-every", "training.checkpointEvery", "also checkpoint every N optimizer steps"),
  f("max-steps", "training.maxSteps", "stop after N optimizer steps"),
  f("max-train-examples", "data.maxTrainExamples", "GLUE/CSV/JSONL tasks: use only the first N training examples"),
  f("max-eval-examples", "data.maxEvalExamples", "GLUE/CSV/JSONL tasks: use only the first N evaluation examples"),
  f("backend", "backend", "auto | tensorflow-gpu | tensorflow | wasm | cpu (env AFLORA_BACKEND works too)", "string"),
  f("output", "output", "parent folder of run folders (default ./runs)", "string"),
  f("name", "name", "short name used in the run folder's name", "string"),
];

/**
 * Turns parsed flags into a config layer. `--data` accepts `glue:<task>`, `spam-assassin`
 * or a GLUE folder (with `--task` or a preset's task); `--set a.b=value` sets any field.
 */
export function flagsToConfig(opts: Record<string, unknown>, base: Record<string, unknown> = {}): Record<string, unknown> {
  const layer: Record<string, unknown> = {};
  for (const flag of CONFIG_FLAGS) {
    const raw = opts[flag.key];
    if (raw === undefined) continue;
    const value = flag.kind === "string" ? String(raw) : parseYamlScalar(String(raw));
    if (flag.kind === "number" && typeof value !== "number") throw new ConfigError(`--${flag.flag}: expected a number (got "${raw}")`);
    setPath(layer, flag.path, value);
  }
  if (opts.data !== undefined || opts.task !== undefined) {
    const data = dataFlag(opts.data as string | undefined, opts.task as string | undefined, base.data);
    // --max-train-examples and friends given with --data stay on the new section.
    layer.data = { ...data, ...((layer.data as object | undefined) ?? {}) };
  }
  for (const assignment of (opts.set as string[] | undefined) ?? []) {
    const eq = assignment.indexOf("=");
    if (eq <= 0) throw new ConfigError(`--set: expected path=value (got "${assignment}")`);
    setPath(layer, assignment.slice(0, eq), parseYamlScalar(assignment.slice(eq + 1)));
  }
  return layer;
}

function dataFlag(data: string | undefined, task: string | undefined, base: unknown): Record<string, unknown> {
  const baseName = (expandDataShorthand(base) as { name?: string } | undefined)?.name;
  const baseTask = baseName?.startsWith("glue/") ? baseName.slice(5) : undefined;
  if (data === undefined) return { name: `glue/${task}` };
  if (/^glue[:/]/.test(data) || data === "spam-assassin") return expandDataShorthand(data) as Record<string, unknown>;
  const t = task ?? baseTask;
  if (!t) throw new ConfigError(`--data: a GLUE folder needs the task: add --task <cola|sst2|mrpc|qnli|stsb|rte|mnli|qqp> or a --preset glue/<task> (got "${data}")`);
  return { name: `glue/${t}`, dataDir: data };
}
