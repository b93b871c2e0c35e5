import type { InstructExample } from "../format/instruct-example.js";

// The authors' templates are Python triple-quoted f-strings indented inside a function, so the
// indentation (16 spaces) and the trailing spaces are part of every prompt; kept verbatim.
const I = " ".repeat(16);

/**
 * The training prompt of LLM-Adapters / the authors' gsm8k/finetune.py `generate_prompt`,
 * character for character: with `input` when it is non-empty (Python truthiness), else without.
 */
export function trainingPrompt(example: InstructExample): string {
  const output = example.output ?? "";
  if (example.input) {
    return (
      "Below is an instruction that describes a task, paired with an input that provides further context. " +
      "Write a response that appropriately completes the request. \n\n" +
      `${I}### Instruction:\n${I}${example.instruction}\n${I}\n` +
      `${I}### Input:\n${I}${example.input}\n${I}\n` +
      `${I}### Response:\n${I}${output}`
    );
  }
  return (
    "Below is an instruction that describes a task. Write a response that appropriately completes the request.  \n\n" +
    `${I}### Instruction:\n${I}${example.instruction}\n${I}\n` +
    `${I}### Response:\n${I}${output}`
  );
}

/** The training prompt without the response: what `train_on_inputs: false` masks out of the loss. */
export function userPrompt(example: InstructExample): string {
  return trainingPrompt({ ...example, output: "" });
}

/**
 * The evaluation prompt of the authors' gsm8k/evaluate.py `generate_prompt` (it differs from
 * the training one in its blank lines and trailing spaces), ending where the response starts.
 */
export function evaluationPrompt(instruction: string, input?: string | null): string {
  if (input) {
    return (
      "Below is an instruction that describes a task, paired with an input that provides further context. " +
      "Write a response that appropriately completes the request.\n\n" +
      `${I}### Instruction:\n${I}${instruction}\n\n` +
      `${I}### Input:\n${I}${input}\n\n` +
      `${I}### Response:\n${I}`
    );
  }
  return (
    "Below is an instruction that describes a task. Write a response that appropriately completes the request. \n\n" +
    `${I}### Instruction:\n${I}${instruction}\n\n` +
    `${I}### Response:\n${I}`
  );
}

/** evaluate.py keeps what follows the first "### Response:" of the decoded text, stripped. */
export function responseOf(decoded: string): string {
  const at = decoded.indexOf("### Response:");
  return (at < 0 ? decoded : decoded.slice(at + "### Response:".length)).trim();
}
