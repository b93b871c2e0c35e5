import { readCustomExamples, type CustomFormat } from "./read/custom.js";
import { customTaskInfo, type CustomTaskSchema } from "./tasks/custom-task.js";
import { loadSplits, type TaskData, type TaskLoadOptions } from "./task-data.js";

export interface CustomTaskDataOptions extends CustomTaskSchema {
  name?: string;
  /** Training file (.csv, .tsv, .jsonl). */
  train: string;
  /** Evaluation file. */
  validation: string;
  format?: CustomFormat;
  skipMalformed?: boolean;
  maxTrainExamples?: number;
  maxEvalExamples?: number;
}

/** A task described by a small schema over CSV/TSV/JSONL files. */
export function customTaskData(options: CustomTaskDataOptions): TaskData {
  const info = customTaskInfo(options.name ?? "custom", options);
  const split = (file: string, name: string, maxExamples?: number) => ({
    name,
    origin: file,
    metricSuffix: "",
    read: (stats: Parameters<typeof readCustomExamples>[3]) =>
      readCustomExamples(
        file,
        options,
        {
          ...(options.format ? { format: options.format } : {}),
          ...(options.skipMalformed ? { skipMalformed: true } : {}),
          ...(maxExamples !== undefined ? { maxExamples } : {}),
        },
        stats,
      ),
  });
  return {
    info,
    load: (loadOptions: TaskLoadOptions) =>
      loadSplits(
        info,
        split(options.train, "train", options.maxTrainExamples),
        [split(options.validation, "validation", options.maxEvalExamples)],
        loadOptions,
      ),
  };
}
