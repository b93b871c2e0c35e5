/**
 * The paper's main GLUE table (AFLoRA, ACL 2024, Table 1; DeBERTaV3-base, GLUE dev sets),
 * as data. Scores are ×100. MNLI is matched/mismatched accuracy, QQP accuracy/F1.
 * `Avg` averages MNLI as (m+mm)/2 and QQP as (acc+F1)/2.
 */
export const GLUE_TASKS = ["cola", "sst2", "mrpc", "qnli", "stsb", "rte", "mnli", "qqp"] as const;
export type GlueTaskName = (typeof GLUE_TASKS)[number];

export type PaperMethod = "full" | "lora" | "adalora" | "sora" | "elora" | "aflora";

export interface PaperRow {
  method: PaperMethod;
  label: string;
  /** Trainable parameters as printed (classifier excluded). */
  params: string;
  scores: Record<GlueTaskName, number | [number, number]>;
  avg: number;
}

export const PAPER_GLUE_TABLE: readonly PaperRow[] = [
  {
    method: "full",
    label: "FFT",
    params: "184M",
    avg: 87.82,
    scores: {
      cola: 69.21,
      sst2: 95.64,
      mrpc: 89.22,
      qnli: 93.78,
      stsb: 91.59,
      rte: 82.49,
      mnli: [89.98, 89.95],
      qqp: [92.05, 89.31],
    },
  },
  {
    method: "lora",
    label: "LoRA (r=8)",
    params: "1.33M",
    avg: 88.38,
    scores: {
      cola: 69.73,
      sst2: 95.57,
      mrpc: 89.71,
      qnli: 93.76,
      stsb: 91.86,
      rte: 85.32,
      mnli: [90.47, 90.46],
      qqp: [91.95, 89.26],
    },
  },
  {
    method: "adalora",
    label: "AdaLoRA",
    params: "1.27M",
    avg: 88.83,
    scores: {
      cola: 70.86,
      sst2: 95.95,
      mrpc: 90.22,
      qnli: 94.28,
      stsb: 91.39,
      rte: 87.36,
      mnli: [90.27, 90.3],
      qqp: [92.13, 88.41],
    },
  },
  {
    method: "sora",
    label: "SoRA (r=4)",
    params: "0.47M",
    avg: 88.71,
    scores: {
      cola: 71.05,
      sst2: 95.57,
      mrpc: 90.2,
      qnli: 93.92,
      stsb: 91.76,
      rte: 86.04,
      mnli: [90.38, 90.43],
      qqp: [92.06, 89.44],
    },
  },
  {
    method: "elora",
    label: "ELoRA* (r=1024)",
    params: "0.16M",
    avg: 88.53,
    scores: {
      cola: 70.74,
      sst2: 95.18,
      mrpc: 90.93,
      qnli: 93.58,
      stsb: 91.08,
      rte: 87.36,
      mnli: [90.11, 90.22],
      qqp: [90.69, 87.63],
    },
  },
  {
    method: "aflora",
    label: "AFLoRA (r=4)",
    params: "0.14M",
    avg: 89.23,
    scores: {
      cola: 72.01,
      sst2: 96.22,
      mrpc: 91.91,
      qnli: 94.42,
      stsb: 91.84,
      rte: 88.09,
      mnli: [89.88, 90.17],
      qqp: [90.81, 87.77],
    },
  },
];

/** What the paper's column for a task measures, and the metric names our evaluators report for it. */
export const PAPER_TASK_COLUMNS: Record<GlueTaskName, { column: string; metrics: string[] }> = {
  cola: { column: "Matthews corr.", metrics: ["matthews_correlation"] },
  sst2: { column: "accuracy", metrics: ["accuracy"] },
  mrpc: { column: "F1 (selection metric; the table's label is ambiguous)", metrics: ["f1"] },
  qnli: { column: "accuracy", metrics: ["accuracy"] },
  stsb: { column: "Pearson", metrics: ["pearson"] },
  rte: { column: "accuracy", metrics: ["accuracy"] },
  mnli: { column: "accuracy matched / mismatched", metrics: ["accuracy", "accuracy_mismatched"] },
  qqp: { column: "accuracy / F1", metrics: ["accuracy", "f1"] },
};

/** Task score as the Avg column counts it (MNLI and QQP: the mean of their two numbers). */
export function paperTaskScore(score: number | [number, number]): number {
  return Array.isArray(score) ? (score[0] + score[1]) / 2 : score;
}

export function paperRow(method: string): PaperRow | undefined {
  return PAPER_GLUE_TABLE.find((r) => r.method === method);
}

/** Normalises "SST-2", "sst2", "glue:sst2", "glue/sst-2" to the task key, or null. */
export function glueTaskKey(task: string | null | undefined): GlueTaskName | null {
  if (!task) return null;
  const k = task
    .toLowerCase()
    .replace(/^glue[:/]/, "")
    .replace(/[^a-z0-9]/g, "");
  return (GLUE_TASKS as readonly string[]).includes(k) ? (k as GlueTaskName) : null;
}
