// Reading examples: GLUE TSV and parquet layouts, custom CSV/JSONL/TSV files.
export type { Example } from "./read/example.js";
export { DataFormatError } from "./read/data-format-error.js";
export { readParquetExamples, type ParquetColumns } from "./read/parquet.js";
export { readCustomExamples, type CustomFormat } from "./read/custom.js";

// Task definitions: the nine GLUE tasks, HANS, SpamAssassin.
export type { TaskInfo } from "./tasks/task-info.js";
export {
  GLUE_TASK_NAMES,
  GLUE_TASKS,
  glueTask,
  HANS_TASK,
  hansTaskData,
  type GlueEvalSplit,
  type GlueTask,
  type GlueTaskName,
  type GlueTsvLayout,
  type HansTaskDataOptions,
  type TsvColumn,
} from "./tasks/glue-tasks.js";

// Tokenizing once per run, then batching and evaluating.
export type { EncodedDataset } from "./encode/encoded-dataset.js";
export { encodeExamples, type EncodeExamplesOptions } from "./encode/encode-examples.js";
export { TextBatchSource, type TextBatchSourceOptions } from "./batching/text-batch-source.js";
export { TaskEvaluator, type EvalSplit, type TaskEvaluatorOptions } from "./evaluate/task-evaluator.js";

// Loading a task's splits in code.
export type { LoadedTask, TaskData, TaskLoadOptions } from "./task-data.js";
export { glueTaskData, type GlueTaskDataOptions } from "./glue-task-data.js";
export { customTaskData, type CustomTaskDataOptions } from "./custom-task-data.js";

// Downloading GLUE from the Hugging Face Hub.
export { fetchGlueParquet, GlueDownloadError, type GlueHubOptions } from "./hub/glue-hub.js";

// SpamAssassin (the email task) and the task plugins for core's registry.
export {
  spamAssassinSplits,
  spamAssassinTask,
  type SpamAssassinOptions,
  type SpamRecord,
} from "./spam-assassin/spam-assassin-task.js";
export { register, registerTasks } from "./register/register-tasks.js";
