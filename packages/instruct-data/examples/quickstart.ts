import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { evaluateMathTask, generateArithmeticSet } from "@aflora/instruct-data";

// A held-out arithmetic set in the LLM-Adapters format, and a "model" that always answers 7.
const { heldOut } = generateArithmeticSet({ seed: 0, train: 0, heldOut: 20 });
const generate = async (prompts: string[]) => prompts.map(() => "3 + 4 = 7\nThe answer is 7");

const result = await evaluateMathTask({
  task: "gsm8k",
  data: heldOut,
  generate,
  outDir: mkdtempSync(join(tmpdir(), "eval-")),
});
console.log(`accuracy ${result.correct}/${result.total}`);
console.log(`predictions in ${result.predictionsFile}`);
