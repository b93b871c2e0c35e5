import { Rng } from "@aflora/core";
import type { InstructExample } from "../format/instruct-example.js";

export interface ArithmeticSetOptions {
  /** Seed of the draw: the same options always give the same records. */
  seed: number;
  /** Training records (math_10k-style: instruction, input "", output with the working, answer). */
  train: number;
  /** Held-out records: problems that never occur in `train`. */
  heldOut: number;
  /** Operands are integers in [0, maxOperand] (default 20). */
  maxOperand?: number;
  /** Default ["+", "-"]; subtraction never goes below zero. */
  operations?: readonly ("+" | "-" | "*")[];
}

type Problem = { a: number; op: "+" | "-" | "*"; b: number };

const NOUNS = ["apples", "pencils", "marbles", "books", "coins", "stickers"] as const;
const NAMES = ["Tom", "Ana", "Lee", "Maya", "Sam", "Noor"] as const;

function value({ a, op, b }: Problem): number {
  return op === "+" ? a + b : op === "-" ? a - b : a * b;
}

/** The instruction of one problem: a one-sentence word problem or a bare expression, chosen by the draw. */
function instructionOf(p: Problem, rng: Rng): string {
  const name = NAMES[rng.int(NAMES.length)]!;
  const noun = NOUNS[rng.int(NOUNS.length)]!;
  if (rng.int(2) === 0) return `What is ${p.a} ${p.op} ${p.b}?`;
  if (p.op === "+") return `${name} has ${p.a} ${noun} and gets ${p.b} more. How many ${noun} does ${name} have now?`;
  if (p.op === "-") return `${name} has ${p.a} ${noun} and gives away ${p.b}. How many ${noun} are left?`;
  return `${name} has ${p.a} bags with ${p.b} ${noun} in each bag. How many ${noun} does ${name} have?`;
}

function recordOf(p: Problem, rng: Rng): InstructExample {
  const c = value(p);
  return {
    instruction: instructionOf(p, rng),
    input: "",
    output: `${p.a} ${p.op} ${p.b} = ${c}\nThe answer is ${c}`,
    answer: String(c),
  };
}

/**
 * A generated arithmetic instruction set in the LLM-Adapters format, for the tiny decoder
 * demo: every distinct problem (a op b) over the operand range, shuffled by the seed; the
 * first `train` are the training set, the next `heldOut` the held-out test set (evaluated like
 * the numeric math sets: last number of the response, tolerance 0.001).
 */
export function generateArithmeticSet(options: ArithmeticSetOptions): {
  train: InstructExample[];
  heldOut: InstructExample[];
} {
  const max = options.maxOperand ?? 20;
  const ops = options.operations ?? ["+", "-"];
  for (const [k, v] of [
    ["train", options.train],
    ["heldOut", options.heldOut],
    ["maxOperand", max],
  ] as const) {
    if (!Number.isInteger(v) || v < 0) throw new Error(`${k}: expected a non-negative integer, got ${v}`);
  }
  if (ops.length === 0) throw new Error("operations: expected at least one of +, -, *");
  const problems: Problem[] = [];
  for (const op of ops)
    for (let a = 0; a <= max; a++) for (let b = 0; b <= (op === "-" ? a : max); b++) problems.push({ a, op, b });
  if (options.train + options.heldOut > problems.length) {
    throw new Error(
      `train + heldOut: ${options.train + options.heldOut} records asked for, but only ${problems.length} distinct problems exist with maxOperand ${max} and operations ${ops.join(" ")}`,
    );
  }
  const rng = new Rng(options.seed).fork("arithmetic-set");
  rng.shuffle(problems);
  const words = rng.fork("wording");
  const records = problems.slice(0, options.train + options.heldOut).map((p) => recordOf(p, words));
  return { train: records.slice(0, options.train), heldOut: records.slice(options.train) };
}
