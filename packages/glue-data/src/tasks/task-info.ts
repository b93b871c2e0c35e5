import type { TaskMetricSpec } from "@aflora/metrics";

/** What a model and a trainer need to know about a task. */
export interface TaskInfo {
  name: string;
  /** Class names in label-id order, or null for regression (one output). */
  labels: readonly string[] | null;
  /** Output width of the head: the number of classes, or 1 for regression. */
  numLabels: number;
  /** The Hugging Face `problem_type` of the head. */
  problemType: "single_label_classification" | "regression";
  /** One field (single sentence) or two (sentence pair). */
  textFields: readonly string[];
  metrics: TaskMetricSpec;
}

export function taskInfo(
  name: string,
  labels: readonly string[] | null,
  textFields: readonly string[],
  metrics: TaskMetricSpec,
): TaskInfo {
  return {
    name,
    labels,
    numLabels: labels === null ? 1 : labels.length,
    problemType: labels === null ? "regression" : "single_label_classification",
    textFields,
    metrics,
  };
}
