import { z } from "zod";

/**
 * The `training` section: the Trainer's options under Hugging Face `TrainingArguments` meanings
 * (camelCase names; docs/cli.md maps each HF field). Defaults are HF's where HF has one.
 */
export const trainingSchema = z
  .object({
    epochs: z.number().int().positive().default(3).describe("training epochs (HF num_train_epochs)"),
    batchSize: z
      .number()
      .int()
      .positive()
      .default(8)
      .describe("examples per micro-batch (HF per_device_train_batch_size)"),
    lr: z
      .number()
      .min(0)
      .default(5e-5)
      .describe("learning rate of the adapter, or of the whole model for full fine-tuning (HF learning_rate)"),
    classifierLr: z.number().positive().optional().describe("learning rate of the classifier head (default: lr)"),
    weightDecay: z.number().min(0).default(0).describe("AdamW weight decay (HF weight_decay)"),
    classifierWeightDecay: z
      .number()
      .min(0)
      .optional()
      .describe("weight decay of the head weights (default: weightDecay)"),
    warmupRatio: z
      .number()
      .min(0)
      .max(1)
      .default(0)
      .describe("fraction of steps with linear LR warm-up (HF warmup_ratio)"),
    maxGradNorm: z.number().positive().default(1).describe("global gradient-norm clipping (HF max_grad_norm)"),
    gradientAccumulation: z
      .number()
      .int()
      .positive()
      .default(1)
      .describe("micro-batches per optimizer step (HF gradient_accumulation_steps)"),
    maxSeqLength: z.number().int().positive().default(128).describe("tokens per example after truncation"),
    seed: z.number().int().default(42).describe("seed for every initialiser and shuffle (HF seed)"),
    evalEvery: z
      .union([z.literal("epoch"), z.number().int().positive()])
      .default("epoch")
      .describe('"epoch" or a number of optimizer steps (HF eval_strategy / eval_steps)'),
    checkpointEvery: z
      .number()
      .int()
      .positive()
      .optional()
      .describe("also checkpoint every N optimizer steps (HF save_steps)"),
    maxSteps: z
      .number()
      .int()
      .positive()
      .optional()
      .describe("train N optimizer steps: overrides epochs and sets the LR schedule's horizon (HF max_steps)"),
    padToMaxLength: z
      .boolean()
      .optional()
      .describe("pad every batch to maxSeqLength (the authors' setting) instead of the batch's longest example"),
    lrSchedulerType: z
      .enum(["linear", "cosine", "constant", "constant_with_warmup", "polynomial"])
      .default("linear")
      .describe("learning-rate schedule (HF lr_scheduler_type)"),
    lrSchedulerKwargs: z
      .object({ numCycles: z.number().optional(), lrEnd: z.number().optional(), power: z.number().optional() })
      .strict()
      .default({})
      .describe("schedule options (HF lr_scheduler_kwargs): numCycles (cosine), lrEnd and power (polynomial)"),
    warmupSteps: z
      .number()
      .int()
      .min(0)
      .default(0)
      .describe("linear warm-up steps; overrides warmupRatio when > 0 (HF warmup_steps)"),
    loggingSteps: z
      .number()
      .int()
      .positive()
      .default(500)
      .describe("log_history entries every N steps in trainer_state.json (HF logging_steps)"),
    saveTotalLimit: z
      .number()
      .int()
      .positive()
      .default(2)
      .describe("checkpoints kept: the newest N plus the best (HF save_total_limit)"),
    loadBestModelAtEnd: z
      .boolean()
      .default(true)
      .describe("restore the best evaluation's weights at the end (HF load_best_model_at_end)"),
    metricForBestModel: z
      .string()
      .min(1)
      .optional()
      .describe("the metric that picks the best weights (HF metric_for_best_model; default: the task's)"),
    greaterIsBetter: z
      .boolean()
      .optional()
      .describe("whether a larger metricForBestModel is better (HF greater_is_better)"),
    earlyStoppingPatience: z
      .number()
      .int()
      .positive()
      .optional()
      .describe("stop after N evaluations without improvement (HF EarlyStoppingCallback)"),
    earlyStoppingThreshold: z
      .number()
      .min(0)
      .default(0)
      .describe("the improvement that counts (HF early_stopping_threshold)"),
    nanPolicy: z
      .enum(["stop", "skip-step"])
      .default("stop")
      .describe("a non-finite loss or gradient stops the run (diverged) or skips that step"),
    logLevel: z
      .enum(["info", "debug"])
      .default("info")
      .describe("detail of events.jsonl: debug adds per-step gradient names and trainable counts per group"),
    optim: z.string().default("adamw_torch").describe('optimizer by name, a registered "optimizer" plugin (HF optim)'),
    optimArgs: z
      .record(z.string(), z.unknown())
      .default({})
      .describe("options of the optimizer plugin (HF optim_args)"),
  })
  .strict();

export type TrainingConfig = z.output<typeof trainingSchema>;
