import { GLUE_METRIC_CONFIGS } from "@aflora/metrics";
import { taskInfo, type TaskInfo } from "./task-info.js";

export { HANS_LABELS, HANS_TASK, hansSchema, hansTaskData, type HansTaskDataOptions } from "./hans-task.js";

export const GLUE_TASK_NAMES = ["cola", "sst2", "mrpc", "qqp", "stsb", "mnli", "qnli", "rte", "wnli"] as const;
export type GlueTaskName = (typeof GLUE_TASK_NAMES)[number];

/** Column of a GLUE distribution TSV: a header name, or a 0-based index in headerless files. */
export type TsvColumn = string | number;

export interface GlueTsvLayout {
  /** Folder name in the GLUE distribution (`glue_data/<folder>/train.tsv`). */
  folder: string;
  /** False for CoLA's headerless train/dev files, which then have exactly `columnCount` columns. */
  header: boolean;
  columnCount?: number;
  textA: TsvColumn;
  textB?: TsvColumn;
  label: TsvColumn;
}

/** One evaluation split: the nyu-mll/glue split name, the TSV file, and the suffix its metrics get. */
export interface GlueEvalSplit {
  split: string;
  tsvFile: string;
  /** "" for the split that selects checkpoints, "_mm" for MNLI mismatched (as HF's run_glue). */
  metricSuffix: string;
}

export interface GlueTask extends TaskInfo {
  name: GlueTaskName;
  /** Official spelling (CoLA, SST-2, ...). */
  displayName: string;
  tsv: GlueTsvLayout;
  /** Text columns of the nyu-mll/glue parquet files. */
  parquetColumns: readonly string[];
  evalSplits: readonly GlueEvalSplit[];
  /**
   * Whether malformed rows are skipped (and counted) unless the user says otherwise: true for
   * QQP only, whose original distribution has rows with missing fields that HF's processor skips.
   */
  skipMalformedByDefault: boolean;
}

const DEV: GlueEvalSplit[] = [{ split: "validation", tsvFile: "dev.tsv", metricSuffix: "" }];

function glue(
  name: GlueTaskName,
  displayName: string,
  labels: string[] | null,
  parquetColumns: string[],
  tsv: GlueTsvLayout,
  evalSplits: GlueEvalSplit[] = DEV,
): GlueTask {
  return {
    ...taskInfo(name, labels, parquetColumns, GLUE_METRIC_CONFIGS[name]),
    name,
    displayName,
    tsv,
    parquetColumns,
    evalSplits,
    skipMalformedByDefault: name === "qqp",
  };
}

/** The nine GLUE tasks with Hugging Face's `glue` label order and metrics. */
export const GLUE_TASKS: Record<GlueTaskName, GlueTask> = {
  // CoLA train/dev: source, label, original judgement, sentence (no header).
  cola: glue("cola", "CoLA", ["unacceptable", "acceptable"], ["sentence"], {
    folder: "CoLA",
    header: false,
    columnCount: 4,
    textA: 3,
    label: 1,
  }),
  sst2: glue("sst2", "SST-2", ["negative", "positive"], ["sentence"], {
    folder: "SST-2",
    header: true,
    textA: "sentence",
    label: "label",
  }),
  mrpc: glue("mrpc", "MRPC", ["not_equivalent", "equivalent"], ["sentence1", "sentence2"], {
    folder: "MRPC",
    header: true,
    textA: "#1 String",
    textB: "#2 String",
    label: "Quality",
  }),
  qqp: glue("qqp", "QQP", ["not_duplicate", "duplicate"], ["question1", "question2"], {
    folder: "QQP",
    header: true,
    textA: "question1",
    textB: "question2",
    label: "is_duplicate",
  }),
  stsb: glue("stsb", "STS-B", null, ["sentence1", "sentence2"], {
    folder: "STS-B",
    header: true,
    textA: "sentence1",
    textB: "sentence2",
    label: "score",
  }),
  // MNLI train has 12 columns, dev 16 (five annotator labels); the gold label is always last.
  mnli: glue(
    "mnli",
    "MNLI",
    ["entailment", "neutral", "contradiction"],
    ["premise", "hypothesis"],
    { folder: "MNLI", header: true, textA: "sentence1", textB: "sentence2", label: "gold_label" },
    [
      { split: "validation_matched", tsvFile: "dev_matched.tsv", metricSuffix: "" },
      { split: "validation_mismatched", tsvFile: "dev_mismatched.tsv", metricSuffix: "_mm" },
    ],
  ),
  qnli: glue("qnli", "QNLI", ["entailment", "not_entailment"], ["question", "sentence"], {
    folder: "QNLI",
    header: true,
    textA: "question",
    textB: "sentence",
    label: "label",
  }),
  rte: glue("rte", "RTE", ["entailment", "not_entailment"], ["sentence1", "sentence2"], {
    folder: "RTE",
    header: true,
    textA: "sentence1",
    textB: "sentence2",
    label: "label",
  }),
  // WNLI files write 0/1 with 1 = entailment; HF's label order is (not_entailment, entailment).
  wnli: glue("wnli", "WNLI", ["not_entailment", "entailment"], ["sentence1", "sentence2"], {
    folder: "WNLI",
    header: true,
    textA: "sentence1",
    textB: "sentence2",
    label: "label",
  }),
};

/** Looks a task up by HF config name or GLUE spelling (`SST-2`, `sts-b`, `MNLI`). */
export function glueTask(name: string): GlueTask {
  const key = name
    .toLowerCase()
    .replace(/^glue[/:]/, "")
    .replace(/[-\s_]/g, "") as GlueTaskName;
  const task = GLUE_TASKS[key];
  if (task) return task;
  if ((key as string) === "ax") {
    throw new Error(
      `GLUE task "ax" cannot be trained or scored: Hugging Face's glue metric refuses it (the diagnostic set has no public labels). Known: ${GLUE_TASK_NAMES.join(", ")}`,
    );
  }
  if ((key as string) === "hans") {
    throw new Error(
      `"hans" is not in the GLUE distribution: load it with hansTaskData({ train, validation }) (HF's glue metric scores it with accuracy)`,
    );
  }
  throw new Error(`Unknown GLUE task "${name}". Known: ${GLUE_TASK_NAMES.join(", ")}`);
}
