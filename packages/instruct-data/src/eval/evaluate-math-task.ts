import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomicSync } from "@aflora/core";
import { readInstructFile, type InstructExample } from "../format/instruct-example.js";
import { evaluationPrompt } from "../prompt/prompt-template.js";
import { MATH_TASKS, goldAnswer, judge, type MathTask } from "./extract-answer.js";

export interface MathPrediction {
  index: number;
  /** The record as read (instruction, input, output, answer, and any other field). */
  record: InstructExample;
  /** evaluate.py `output_pred`: the text after "### Response:" (up to a second one), stripped. */
  outputPred: string;
  /** evaluate.py `pred`: the extracted number (null where none was found: +inf in the reference) or letter. */
  pred: number | string | null;
  /** evaluate.py `flag`. */
  correct: boolean;
}

export interface MathEvaluation {
  task: MathTask;
  total: number;
  correct: number;
  accuracy: number;
  predictions: MathPrediction[];
  /** The JSONL file every prediction was written to, when `outDir` was given. */
  predictionsFile: string | null;
}

export interface EvaluateMathTaskOptions {
  task: MathTask;
  /** The test records, or the path of a test.json (JSON array) or .jsonl file. */
  data: readonly InstructExample[] | string;
  /** Generates one continuation per prompt (e.g. @aflora/decoder's greedy `generate`, returning the new text). */
  generate: (prompts: string[]) => Promise<string[]>;
  /** Prompts per `generate` call (default 8). */
  batchSize?: number;
  /** Folder for `predictions-<task>.jsonl` and `metrics-<task>.json` (created if missing). */
  outDir?: string;
  onProgress?: (done: number, total: number, correct: number) => void;
}

/** The response as evaluate.py cuts it from prompt + generation: between the first and a second "### Response:". */
export function responseFromGeneration(prompt: string, generated: string): string {
  return ((prompt + generated).split("### Response:")[1] ?? "").trim();
}

/**
 * The authors' gsm8k/evaluate.py loop: each record's instruction (only; the reference passes no
 * input) in evaluate.py's prompt, one generation each, the answer extracted from the response
 * (last number, or first option letter for AQuA) and compared with `answer` (|Δ| ≤ 0.001).
 * Every prediction is kept, and written as JSON Lines when `outDir` is given.
 */
export async function evaluateMathTask(options: EvaluateMathTaskOptions): Promise<MathEvaluation> {
  const { task, generate } = options;
  if (!(MATH_TASKS as readonly string[]).includes(task))
    throw new Error(`task: expected one of ${MATH_TASKS.join(", ")}, got ${JSON.stringify(task)}`);
  const origin = typeof options.data === "string" ? options.data : "data";
  const records = typeof options.data === "string" ? readInstructFile(options.data) : [...options.data];
  if (records.length === 0) throw new Error(`${origin}: no records to evaluate`);
  const golds = records.map((r, i) => goldAnswer(task, r.answer, `${origin}: record ${i}`));
  const batchSize = options.batchSize ?? 8;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new Error(`batchSize: expected a positive integer, got ${batchSize}`);
  const predictions: MathPrediction[] = [];
  let correct = 0;
  for (let start = 0; start < records.length; start += batchSize) {
    const chunk = records.slice(start, start + batchSize);
    const prompts = chunk.map((r) => evaluationPrompt(r.instruction));
    const outputs = await generate(prompts);
    if (!Array.isArray(outputs) || outputs.length !== prompts.length) {
      throw new Error(
        `generate: returned ${Array.isArray(outputs) ? outputs.length : typeof outputs} outputs for ${prompts.length} prompts`,
      );
    }
    chunk.forEach((record, j) => {
      const index = start + j;
      const outputPred = responseFromGeneration(prompts[j]!, outputs[j]!);
      const { pred, correct: ok } = judge(task, outputPred, golds[index]!);
      if (ok) correct++;
      predictions.push({
        index,
        record,
        outputPred,
        pred: typeof pred === "number" && !Number.isFinite(pred) ? null : pred,
        correct: ok,
      });
    });
    options.onProgress?.(predictions.length, records.length, correct);
  }
  const result: MathEvaluation = {
    task,
    total: records.length,
    correct,
    accuracy: correct / records.length,
    predictions,
    predictionsFile: null,
  };
  if (options.outDir) result.predictionsFile = writeEvaluation(options.outDir, result);
  return result;
}

/** Writes `predictions-<task>.jsonl` (evaluate.py's record + output_pred, pred, flag per line) and `metrics-<task>.json`. */
export function writeEvaluation(outDir: string, e: MathEvaluation): string {
  mkdirSync(outDir, { recursive: true });
  const lines = e.predictions.map((p) =>
    JSON.stringify({ ...p.record, output_pred: p.outputPred, pred: p.pred, flag: p.correct }),
  );
  const file = join(outDir, `predictions-${e.task}.jsonl`);
  writeFileAtomicSync(file, lines.join("\n") + "\n");
  writeFileAtomicSync(
    join(outDir, `metrics-${e.task}.json`),
    JSON.stringify({ task: e.task, total: e.total, correct: e.correct, accuracy: e.accuracy }, null, 2) + "\n",
  );
  return file;
}
