import { definePlugin, pathOption, type PluginDefinition } from "@aflora/core";
import { z } from "zod";
import { readInstructFile } from "../format/instruct-example.js";
import { generateArithmeticSet } from "../generate/arithmetic-set.js";
import { FINETUNE_DEFAULTS, instructTask, type InstructTaskData } from "./instruct-task.js";

const PACKAGE = "@aflora/instruct-data";
const d = FINETUNE_DEFAULTS;

const dataOptions = {
  cutoffLen: z
    .number()
    .int()
    .min(2)
    .default(d.cutoffLen)
    .describe("finetune.py cutoff_len: tokens per example, <s> and </s> included (authors: 256)"),
  trainOnInputs: z
    .boolean()
    .default(d.trainOnInputs)
    .describe("finetune.py train_on_inputs: false masks the prompt out of the loss (labels -100)"),
  valSetSize: z
    .number()
    .int()
    .min(0)
    .default(d.valSetSize)
    .describe("finetune.py val_set_size: examples held out for the validation loss (authors: 120)"),
  valSeed: z.number().int().min(0).default(d.valSeed).describe("seed of the train/validation split (finetune.py: 42)"),
  paddingSide: z.enum(["left", "right"]).default(d.paddingSide).describe('padding side (finetune.py: "left")'),
  padToMultipleOf: z
    .number()
    .int()
    .min(1)
    .default(d.padToMultipleOf)
    .describe("pad each batch to a multiple of this (finetune.py: 8)"),
};

/** Instruction tuning on LLM-Adapters JSON files (math_10k.json and the like). */
export const instructJsonTask = definePlugin({
  kind: "task",
  name: "instruct-json",
  description:
    "Causal-LM instruction tuning on an LLM-Adapters JSON file (instruction, input, output, answer), as finetune.py tokenizes it",
  package: PACKAGE,
  options: z
    .object({
      // Paths: relative to the config file that gives them, and checked to exist before the run starts.
      train: pathOption("training records: a JSON array file (math_10k.json) or .jsonl"),
      validation: pathOption("validation records; without it valSetSize records are held out of train").optional(),
      maxTrainExamples: z.number().int().min(1).optional().describe("use only the first N training records"),
      ...dataOptions,
    })
    .strict(),
  create: (o): InstructTaskData =>
    instructTask(
      "instruct-json",
      () => {
        const all = readInstructFile(o.train);
        const records = o.maxTrainExamples ? all.slice(0, o.maxTrainExamples) : all;
        const stats = [{ file: o.train, rows: records.length }];
        if (!o.validation) return { records, readStats: stats };
        const validation = readInstructFile(o.validation);
        return { records, validation, readStats: [...stats, { file: o.validation, rows: validation.length }] };
      },
      o,
    ),
});

/** The tiny demo's generated arithmetic set (no files). */
export const arithmeticDemoTask = definePlugin({
  kind: "task",
  name: "arithmetic-demo",
  description:
    "A generated arithmetic instruction set in the LLM-Adapters format (train + held-out), for the tiny decoder demo",
  package: PACKAGE,
  options: z
    .object({
      seed: z.number().int().min(0).default(0).describe("seed of the generated problems"),
      trainExamples: z.number().int().min(1).default(400).describe("generated training records"),
      heldOutExamples: z
        .number()
        .int()
        .min(1)
        .default(100)
        .describe("generated held-out records (never in train), used as the validation set"),
      maxOperand: z.number().int().min(1).default(20).describe("operands are integers in [0, maxOperand]"),
      operations: z
        .array(z.enum(["+", "-", "*"]))
        .min(1)
        .default(["+", "-"])
        .describe("operations to draw from"),
      ...dataOptions,
      valSetSize: dataOptions.valSetSize.describe("ignored: the held-out set is the validation set"),
    })
    .strict(),
  create: (o): InstructTaskData =>
    instructTask(
      "arithmetic-demo",
      () => {
        const set = generateArithmeticSet({
          seed: o.seed,
          train: o.trainExamples,
          heldOut: o.heldOutExamples,
          maxOperand: o.maxOperand,
          operations: o.operations,
        });
        return {
          records: set.train,
          validation: set.heldOut,
          readStats: [{ file: `generated:arithmetic(seed ${o.seed})`, rows: set.train.length + set.heldOut.length }],
        };
      },
      o,
    ),
});

/** Every task plugin of this package, for `register(registry)`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a list of definitions with different options types
export const instructTaskDefinitions: readonly PluginDefinition<InstructTaskData, any>[] = [
  instructJsonTask,
  arithmeticDemoTask,
];
