import { stat } from "node:fs/promises";
import { join } from "node:path";
import { fetchGlueParquet, glueParquetPath, type GlueHubOptions } from "./hub/glue-hub.js";
import { readGlueTsv } from "./read/glue-tsv.js";
import { readParquetExamples } from "./read/parquet.js";
import { DataFormatError } from "./read/data-format-error.js";
import { glueTask, type GlueTask } from "./tasks/glue-tasks.js";
import { loadSplits, type SplitSource, type TaskData, type TaskLoadOptions } from "./task-data.js";

export interface GlueTaskDataOptions extends GlueHubOptions {
  /** `cola`, `sst2`, `SST-2`, ... */
  task: string;
  /**
   * A local folder: a GLUE distribution (`glue_data/` or `glue_data/RTE/`) or a nyu-mll/glue
   * parquet export (`glue/` or `glue/rte/`). Without it the files come from the hub (`glue:<task>`).
   */
  dataDir?: string;
  /** Skip and count malformed rows (default: false, except QQP whose original files need it). */
  skipMalformed?: boolean;
  maxTrainExamples?: number;
  maxEvalExamples?: number;
}

interface GlueFiles {
  format: "tsv" | "parquet";
  train: string;
  eval: string[];
}

/** Finds a task's files under `dataDir` in either layout; the error lists every place it looked. */
export async function locateGlueFiles(task: GlueTask, dataDir: string): Promise<GlueFiles> {
  const evalTsv = task.evalSplits.map((s) => s.tsvFile);
  const candidates: GlueFiles[] = [];
  for (const dir of [dataDir, join(dataDir, task.tsv.folder)]) {
    candidates.push({ format: "tsv", train: join(dir, "train.tsv"), eval: evalTsv.map((f) => join(dir, f)) });
  }
  for (const dir of [dataDir, join(dataDir, task.name)]) {
    const file = (split: string) => join(dir, glueParquetPath(task, split).split("/")[1]!);
    candidates.push({ format: "parquet", train: file("train"), eval: task.evalSplits.map((s) => file(s.split)) });
  }
  for (const c of candidates) {
    const present = await Promise.all([c.train, ...c.eval].map(isFile));
    if (present.every(Boolean)) return c;
    if (present.some(Boolean)) {
      const absent = [c.train, ...c.eval].filter((_, i) => !present[i]);
      throw new DataFormatError(
        dataDir,
        null,
        `GLUE ${task.displayName} folder is incomplete: missing ${absent.join(", ")}`,
      );
    }
  }
  throw new DataFormatError(
    dataDir,
    null,
    `no GLUE ${task.displayName} files found; looked for ${candidates.map((c) => c.train).join(", ")} (and the matching dev files)`,
  );
}

/** GLUE task data from a local folder or the hub. */
export function glueTaskData(options: GlueTaskDataOptions): TaskData {
  const task = glueTask(options.task);
  const skipMalformed = options.skipMalformed ?? task.skipMalformedByDefault;
  return {
    info: task,
    async load(loadOptions: TaskLoadOptions) {
      const files: GlueFiles = options.dataDir
        ? await locateGlueFiles(task, options.dataDir)
        : { format: "parquet", ...(await fetchGlueParquet(task, options)) };
      const source = (file: string, name: string, metricSuffix: string, maxExamples?: number): SplitSource => ({
        name,
        origin: file,
        metricSuffix,
        read: (stats) => {
          const read = { skipMalformed, ...(maxExamples !== undefined ? { maxExamples } : {}) };
          if (files.format === "tsv") return readGlueTsv(file, task.tsv, task.labels, read, stats);
          const [textA, textB] = task.parquetColumns;
          return readParquetExamples(
            file,
            { textA: textA!, ...(textB ? { textB } : {}), label: "label" },
            task.labels,
            read,
            stats,
          );
        },
      });
      const train = source(files.train, "train", "", options.maxTrainExamples);
      const evals = task.evalSplits.map((s, i) =>
        source(files.eval[i]!, s.split, s.metricSuffix, options.maxEvalExamples),
      );
      return loadSplits(task, train, evals, loadOptions);
    },
  };
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}
