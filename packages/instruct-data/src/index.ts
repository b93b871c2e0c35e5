// The LLM-Adapters JSON format and the authors' prompt templates.
export {
  InstructFormatError,
  parseInstructExamples,
  readInstructFile,
  type InstructExample,
} from "./format/instruct-example.js";
export { evaluationPrompt, trainingPrompt } from "./prompt/prompt-template.js";

// Training data: tokenized with the prompt masked out, batched with left padding, a validation split.
export type { CausalTokenizer } from "./tokenize/causal-tokenizer.js";
export {
  tokenizeExample,
  tokenizePrompt,
  type TokenizedExample,
  type TokenizeOptions,
} from "./tokenize/tokenize-example.js";
export { collate, type CollateOptions, type InstructBatch } from "./batch/collate.js";
export { InstructBatchSource, type InstructBatchSourceOptions } from "./batch/instruct-batch-source.js";
export { trainValidationSplit } from "./batch/train-validation-split.js";
export { ValidationLossEvaluator } from "./batch/validation-loss-evaluator.js";

// Evaluation as evaluate.py does it, and a generated arithmetic set for the demo.
export {
  extractAnswerLetter,
  extractAnswerNumber,
  MATH_TASKS,
  NUMERIC_TOLERANCE,
  type MathTask,
} from "./eval/extract-answer.js";
export {
  evaluateMathTask,
  type EvaluateMathTaskOptions,
  type MathEvaluation,
  type MathPrediction,
} from "./eval/evaluate-math-task.js";
export { generateArithmeticSet, type ArithmeticSetOptions } from "./generate/arithmetic-set.js";

// Task plugins for core's registry and the decoder presets.
export {
  instructTask,
  type InstructDataOptions,
  type InstructLoadOptions,
  type InstructTaskData,
  type InstructTaskInfo,
  type LoadedInstructTask,
} from "./plugin/instruct-task.js";
export { instructTaskDefinitions } from "./plugin/definitions.js";
export { DECODER_PRESETS_DIR, listDecoderPresets, loadDecoderPreset } from "./presets/presets.js";
export { register } from "./register.js";
