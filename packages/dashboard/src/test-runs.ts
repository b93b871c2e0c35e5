import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Test data: run folders as the CLI writes them (events.jsonl, config.json, parameters.json). */
export const MATRICES = [0, 1].flatMap((layer) =>
  ["query_proj", "key_proj"].flatMap((m) =>
    ["A", "B"].map((ab) => `deberta.encoder.layer.${layer}.attention.self.${m}.lora_${ab}.weight`),
  ),
);

const counts = (t: number) => ({ total: 1000, trainable: t + 10, trainableWithoutHead: t, byGroup: {} });

export function stepLines(
  from: number,
  to: number,
  t0: number,
  options: { trainable?: (s: number) => number; loss?: (s: number) => number } = {},
): string {
  let out = "";
  for (let s = from; s < to; s++) {
    const time = t0 + s * 100;
    out += `${JSON.stringify({ type: "step:start", step: s, epoch: 0, time })}\n`;
    out += `${JSON.stringify({ type: "step:gradients", time: time + 40, step: s, epoch: 0, variables: MATRICES })}\n`;
    out += `${JSON.stringify({
      type: "step:end",
      step: s,
      epoch: 0,
      loss: options.loss ? options.loss(s) : 1 / (s + 1),
      learningRates: { head: 0.01, default: 0.001 * (s + 1) },
      gradNorm: 0.5,
      trainable: counts(options.trainable ? options.trainable(s) : 800),
      time: time + 80,
    })}\n`;
  }
  return out;
}

export function makeRun(
  root: string,
  id: string,
  options: { steps?: number; method?: string; lr?: number; finished?: boolean; t0?: number } = {},
): string {
  const dir = join(root, id);
  mkdirSync(dir, { recursive: true });
  const steps = options.steps ?? 10;
  const t0 = options.t0 ?? 1_700_000_000_000;
  writeFileSync(
    join(dir, "config.json"),
    JSON.stringify({
      method: options.method ?? "aflora",
      data: { name: "glue/rte" },
      training: { lr: options.lr ?? 0.001, epochs: 1 },
    }),
  );
  writeFileSync(
    join(dir, "parameters.json"),
    JSON.stringify(MATRICES.map((name) => ({ name, group: "adapter-matrix", size: 16, trainable: true }))),
  );
  let text = `${JSON.stringify({ type: "run:start", runId: id, totalSteps: steps, stepsPerEpoch: steps, epochs: 1, backend: "cpu", startStep: 0, trainable: counts(800), time: t0 })}\n`;
  text += stepLines(0, steps, t0);
  text += `${JSON.stringify({ type: "params:frozen", step: 3, names: [MATRICES[0]], reason: "x", trainable: counts(600), time: t0 + 390 })}\n`;
  text += `${JSON.stringify({ type: "eval:end", step: steps, epoch: 0, metrics: { accuracy: 0.75, f1: 0.5 }, selection: { metric: "accuracy", value: 0.75, isBest: true }, time: t0 + steps * 100 })}\n`;
  if (options.finished !== false) {
    text += `${JSON.stringify({ type: "run:end", step: steps, summary: { status: "completed", stoppedEarly: false }, time: t0 + steps * 100 + 5 })}\n`;
  }
  appendFileSync(join(dir, "events.jsonl"), text);
  return dir;
}
