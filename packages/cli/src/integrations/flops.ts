// FLOP accounting for reports: the run's shapes are recorded at start; the report prices every
// optimizer step with @aflora/metrics' analytic formula, given the matrices still trainable then.
import { join } from "node:path";
import { writeFileAtomicSync } from "@aflora/core";
import {
  matrixPosition,
  stepFlops,
  type AdapterShape,
  type EncoderShape,
  type LinearRole,
  type RunReportExtras,
} from "@aflora/metrics";
import type { LoadedModel, LoadedTask, RunConfig } from "@aflora/core";

export const FLOP_SHAPES_FILE = "flops-shapes.json";

export interface FlopShapes {
  modelConfig: Record<string, unknown>;
  /** Examples per optimizer step. */
  batchSize: number;
  /** Tokens per example the FLOPs are counted at: maxSeqLength (an upper bound when batches are padded to their longest example). */
  seqLength: number;
  method: string;
  r: number;
  batchesPerEpoch: number;
}

export function writeFlopShapes(runDir: string, built: LoadedModel, loaded: LoadedTask, config: RunConfig): void {
  const shapes: FlopShapes = {
    modelConfig: built.modelConfig,
    batchSize: config.training.batchSize * config.training.gradientAccumulation,
    seqLength: config.training.maxSeqLength,
    method: config.adapter.name,
    r: typeof config.adapter.r === "number" ? config.adapter.r : 0,
    batchesPerEpoch: loaded.train.batchesPerEpoch,
  };
  writeFileAtomicSync(join(runDir, FLOP_SHAPES_FILE), JSON.stringify(shapes) + "\n");
}

/** The metrics formula's encoder shape from a Hugging Face config.json. */
export function encoderShape(s: FlopShapes): EncoderShape {
  const c = s.modelConfig as Record<string, number | boolean | string | undefined>;
  const num = (k: string, d?: number) => (typeof c[k] === "number" ? (c[k] as number) : d!);
  const shape: EncoderShape = {
    layers: num("num_hidden_layers"),
    hidden: num("hidden_size"),
    heads: num("num_attention_heads"),
    ffn: num("intermediate_size"),
    seq: s.seqLength,
    batch: s.batchSize,
    labels: num("num_labels", 2),
  };
  if (c.model_type === "deberta-v2" && c.relative_attention) {
    const buckets = num("position_buckets", -1);
    const maxRel = num("max_relative_positions", -1);
    shape.relativePositions = {
      span: buckets > 0 ? buckets : maxRel > 0 ? maxRel : num("max_position_embeddings", 512),
    };
  }
  return shape;
}

const ROLE: Record<string, LinearRole> = { q: "q", k: "k", v: "v", o: "o", inter: "int", out: "out" };

/** FLOPs of each optimizer step, given the names of the adapter matrices still trainable. */
export function flopsForRun(
  shapes: FlopShapes,
  _config?: RunConfig,
): Pick<RunReportExtras, "flopsOfStep" | "flopsNote"> {
  const shape = encoderShape(shapes);
  const kind: AdapterShape["kind"] = shapes.method === "full" ? "full" : shapes.method === "lora" ? "lora" : "vector";
  const cache = new Map<string, number>();
  return {
    flopsNote: `matmul FLOPs at ${shapes.seqLength} tokens per example`,
    flopsOfStep: (_step, trainable) => {
      const open = new Set<string>();
      for (const name of trainable) {
        const p = matrixPosition(name);
        if (p) open.add(`${p.layer}.${ROLE[p.module]}.${p.matrix}`);
      }
      const key = [...open].sort().join(",");
      let f = cache.get(key);
      if (f === undefined) {
        const adapter: AdapterShape =
          kind === "full"
            ? { kind }
            : { kind, r: shapes.r, matrixTrainable: (l, role, m) => open.has(`${l}.${role}.${m}`) };
        f = stepFlops(shape, adapter).total;
        cache.set(key, f);
      }
      return f;
    },
  };
}
