import { readFileSync } from "node:fs";

export const FIXTURE_DIR = new URL("../../../fixtures/aflora-reference/", import.meta.url);

export interface Scenario {
  scenario: string;
  config: { beta1: number; beta2: number; deltaT: number; total_step: number };
  params: { name: string; shape: number[] }[];
  steps: {
    global_step: number;
    values?: Record<string, number[]>;
    grads?: Record<string, number[]>;
    expected: {
      skipped_stop_pruning?: boolean;
      ipt_mean?: Record<string, number>;
      exp_avg_ipt_mean?: Record<string, number>;
      exp_avg_unc_mean?: Record<string, number>;
      scores?: Record<string, number>;
      mask_threshold?: number;
      kth?: { k: number };
      frozen_now?: string[];
      error?: unknown;
    };
  }[];
}

export function scenarioFiles(): string[] {
  const index = JSON.parse(readFileSync(new URL("index.json", FIXTURE_DIR), "utf8")) as {
    scenarios: { file: string }[];
  };
  return index.scenarios.map((s) => s.file);
}

export function loadScenario(file: string): Scenario {
  return JSON.parse(readFileSync(new URL(file, FIXTURE_DIR), "utf8")) as Scenario;
}
