import { readFileSync } from "node:fs";
import { paramsReport } from "@aflora/adapter";
import { readEncoderConfig } from "@aflora/encoder";
import { llamaParamsReport } from "@aflora/decoder";
import { ConfigError } from "../config/config-error.js";
import { formatCount, markdownTable } from "@aflora/metrics";

interface ParamsFlags {
  modelConfig: string;
  method: string;
  r?: string;
  trainablePm?: string;
  json?: boolean;
}

/** `aflora params`: trainable-parameter counts from a config.json alone (nothing is allocated). */
export function paramsCommand(flags: ParamsFlags): void {
  let text: string;
  try {
    text = readFileSync(flags.modelConfig, "utf8");
  } catch (e) {
    throw new ConfigError(
      `--model-config: cannot read ${flags.modelConfig} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  let r: number | undefined;
  if (flags.r !== undefined) {
    r = Number(flags.r);
    if (!Number.isInteger(r) || r < 1) throw new ConfigError(`--r: expected a positive integer (got "${flags.r}")`);
  }
  // The config is checked (and its size bounded) before anything is counted.
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new ConfigError(`${flags.modelConfig}: not valid JSON (${(e as Error).message})`);
  }
  if (raw.model_type === "llama") {
    const r = flags.r === undefined ? undefined : Number(flags.r);
    const report = llamaParamsReport(raw, { method: flags.method, ...(r !== undefined ? { r } : {}) });
    if (flags.json) process.stdout.write(JSON.stringify(report, null, 2) + "\n");
    else {
      const exact = (n: number) => `${n.toLocaleString("en-US")} (${formatCount(n)})`;
      const rows: [string, string][] = [
        ["trainable adapter elements at start", exact(report.adapter.trainable)],
        ["  of which projection matrices A/B (freezable)", exact(report.adapter.trainableMatrices)],
        ["trainable once every A/B is frozen", exact(report.adapter.trainableAfterFreezing)],
        ["adapter elements (frozen included)", exact(report.adapter.total)],
        ["base model", exact(report.base)],
      ];
      process.stdout.write(
        `${flags.method}${r !== undefined ? ` r=${r}` : ""} on ${flags.modelConfig} (LLaMA)\n\n${markdownTable(["", "parameters"], rows)}\n`,
      );
    }
    return;
  }
  try {
    readEncoderConfig(raw, flags.modelConfig);
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
  const report = paramsReport(
    text,
    {
      method: flags.method,
      ...(r !== undefined ? { r } : {}),
      ...(flags.trainablePm ? { trainablePm: flags.trainablePm } : {}),
    },
    flags.modelConfig,
  );
  if (flags.json) {
    process.stdout.write(JSON.stringify(report, null, 2) + "\n");
    return;
  }
  const exact = (n: number) => `${n.toLocaleString("en-US")} (${formatCount(n)})`;
  const rows: [string, string][] = [
    ["trainable at start, classifier excluded (paper)", exact(report.trainableWithoutHead)],
    ["  of which projection matrices A/B (freezable)", exact(report.adapter.trainableMatrices)],
    ["trainable once every A/B is frozen", exact(report.adapter.trainableAfterFreezing)],
    ["classifier head", exact(report.head)],
    ["adapter elements (frozen included)", exact(report.adapter.total)],
    ["base model", exact(report.base)],
    ["all parameters", exact(report.total)],
  ];
  process.stdout.write(
    `${flags.method}${r !== undefined ? ` r=${r}` : ""} on ${flags.modelConfig}\n\n${markdownTable(["", "parameters"], rows)}\n`,
  );
}
