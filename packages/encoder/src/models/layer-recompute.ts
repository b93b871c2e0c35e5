import * as tf from "@tensorflow/tfjs-core";
import { vjp } from "../layers/vjp.js";

/** One forward pass cut into stages; each closure recomputes its stage from the same inputs and dropout seeds. */
export interface EncoderStages {
  /** `bert`, `roberta` or `deberta`: where variables are placed by name. */
  prefix: string;
  numLayers: number;
  embed(): tf.Tensor2D;
  /** DeBERTa's shared relative table (a fresh tensor), or null. */
  relativeTable(): tf.Tensor2D | null;
  layer(index: number, h: tf.Tensor2D, rel: tf.Tensor2D | null): tf.Tensor2D;
  /** The loss from the last hidden state (head + loss). */
  headLoss(last: tf.Tensor2D): tf.Scalar;
}

export interface NamedGradients {
  loss: tf.Scalar;
  byName: Map<string, tf.Tensor>;
}

type Entry = [string, tf.Variable];

interface Segments {
  embeddings: Entry[];
  rel: Entry[];
  layers: Entry[][];
  head: Entry[];
  /** Variables not named after a known module (e.g. a foreign adapter): included in every segment, gradients summed. */
  floating: Entry[];
}

/** The plain backward: one tape over the whole forward (every activation alive until it returns). */
export function wholeGraphGradients(stages: EncoderStages, vars: ReadonlyMap<string, tf.Variable>): NamedGradients {
  const entries = [...vars.entries()];
  const { value, grads } = vjp(
    () => {
      const rel = stages.relativeTable();
      let h = stages.embed();
      for (let l = 0; l < stages.numLayers; l++) h = stages.layer(l, h, rel);
      return stages.headLoss(h);
    },
    entries.map(([, v]) => v),
  );
  const byName = new Map<string, tf.Tensor>();
  entries.forEach(([n], i) => {
    if (grads[i]) byName.set(n, grads[i]!);
  });
  return { loss: value as tf.Scalar, byName };
}

/**
 * Gradient checkpointing per layer: a tape-free forward keeps each layer's input; the
 * backward then recomputes one layer at a time under a vector-Jacobian product with respect
 * to [layer input, shared relative table, that layer's requested variables], so only one
 * layer's activations are alive at once. It stops below the lowest layer holding a requested
 * variable. Call inside tf.tidy.
 */
export function recomputedGradients(stages: EncoderStages, vars: ReadonlyMap<string, tf.Variable>): NamedGradients {
  const seg = segments(stages, vars);
  const n = stages.numLayers;
  const byName = new Map<string, tf.Tensor>();
  const collect = (entries: Entry[], grads: (tf.Tensor | undefined)[]) => {
    entries.forEach(([name], i) => {
      const g = grads[i];
      if (!g) return;
      const prev = byName.get(name);
      byName.set(name, prev ? tf.add(prev, g) : g);
      if (prev) tf.dispose([prev, g]);
    });
  };
  const tensors = (entries: Entry[]) => entries.map(([, v]) => v as tf.Tensor);

  const rel = stages.relativeTable();
  const states: tf.Tensor2D[] = [stages.embed()];
  for (let l = 0; l < n; l++) states.push(stages.layer(l, states[l]!, rel));

  const needEmbeddings = seg.embeddings.length > 0 || seg.floating.length > 0;
  const needRel = rel !== null && (seg.rel.length > 0 || seg.floating.length > 0);
  let lowest = n;
  if (needEmbeddings || needRel) lowest = 0;
  else for (let l = n - 1; l >= 0; l--) if (seg.layers[l]!.length > 0) lowest = l;

  const headEntries = [...seg.head, ...seg.floating];
  const head = vjp(() => stages.headLoss(states[n]!), [states[n]!, ...tensors(headEntries)]);
  collect(headEntries, head.grads.slice(1));
  let dh = head.grads[0];
  let dRel: tf.Tensor | undefined;
  for (let l = n - 1; l >= lowest; l--) {
    const entries = [...seg.layers[l]!, ...seg.floating];
    const xs = [states[l]!, ...(rel ? [rel] : []), ...tensors(entries)];
    const run = vjp(() => stages.layer(l, states[l]!, rel), xs, dh ?? tf.zeros(states[l + 1]!.shape));
    run.value.dispose();
    if (dh) dh.dispose();
    dh = run.grads[0];
    if (rel && run.grads[1]) {
      const prev = dRel;
      dRel = prev ? tf.add(prev, run.grads[1]) : run.grads[1];
      if (prev) tf.dispose([prev, run.grads[1]]);
    }
    collect(entries, run.grads.slice(rel ? 2 : 1));
  }
  if (needEmbeddings && dh) {
    const entries = [...seg.embeddings, ...seg.floating];
    const run = vjp(() => stages.embed(), tensors(entries), dh);
    run.value.dispose();
    collect(entries, run.grads);
  }
  if (needRel && dRel) {
    const entries = [...seg.rel, ...seg.floating];
    const run = vjp(() => stages.relativeTable()!, tensors(entries), dRel);
    run.value.dispose();
    collect(entries, run.grads);
  }
  return { loss: head.value as tf.Scalar, byName };
}

function segments(stages: EncoderStages, vars: ReadonlyMap<string, tf.Variable>): Segments {
  const seg: Segments = {
    embeddings: [],
    rel: [],
    layers: Array.from({ length: stages.numLayers }, () => []),
    head: [],
    floating: [],
  };
  const p = stages.prefix;
  const layerPrefix = `${p}.encoder.layer.`;
  for (const entry of vars.entries()) {
    const name = entry[0];
    const m = name.startsWith(layerPrefix) ? /^(\d+)\./.exec(name.slice(layerPrefix.length)) : null;
    if (name.startsWith(`${p}.embeddings.`)) seg.embeddings.push(entry);
    else if (name.startsWith(`${p}.encoder.rel_embeddings.`) || name.startsWith(`${p}.encoder.LayerNorm.`))
      seg.rel.push(entry);
    else if (m && Number(m[1]) < stages.numLayers) seg.layers[Number(m[1])]!.push(entry);
    else if (name.startsWith("classifier.") || name.startsWith("pooler.") || name.startsWith(`${p}.pooler.`))
      seg.head.push(entry);
    else seg.floating.push(entry);
  }
  return seg;
}
