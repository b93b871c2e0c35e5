import * as tf from "@tensorflow/tfjs-core";

/** Keys (after RoPE) and values of one layer, [B, kv_heads, T, d], before `repeat_kv`. */
export interface LayerKv {
  k: tf.Tensor4D;
  v: tf.Tensor4D;
}

/**
 * The KV cache of a batch being decoded: per layer the keys and values seen so far, the
 * attention mask over them and each row's last position id. `append` keeps the new tensors
 * and disposes the old ones, so a cache holds exactly one copy per layer.
 */
export class KvCache {
  readonly layers: (LayerKv | null)[];
  /** Columns the cache covers. */
  length = 0;
  /** Attention mask over the cached columns [B·length]. */
  mask: Int32Array = new Int32Array(0);
  /** Each row's last position id (what the next token continues from). */
  lastPosition: Int32Array;

  constructor(
    numLayers: number,
    readonly batchSize: number,
  ) {
    this.layers = new Array<LayerKv | null>(numLayers).fill(null);
    this.lastPosition = new Int32Array(batchSize).fill(-1);
  }

  /** Appends k, v [B, kv_heads, S, d] of `layer`; returns the full keys and values (owned by the cache). */
  append(layer: number, k: tf.Tensor4D, v: tf.Tensor4D): LayerKv {
    const old = this.layers[layer];
    const next: LayerKv = old
      ? { k: tf.keep(tf.concat([old.k, k], 2)), v: tf.keep(tf.concat([old.v, v], 2)) }
      : { k: tf.keep(tf.clone(k)), v: tf.keep(tf.clone(v)) };
    if (old) tf.dispose([old.k, old.v]);
    this.layers[layer] = next;
    return next;
  }

  /** Records S new columns (their mask and positions) once every layer has appended them. */
  advance(newMask: Int32Array, newPositions: Int32Array, seqLength: number): void {
    const b = this.batchSize;
    const total = this.length + seqLength;
    const mask = new Int32Array(b * total);
    for (let r = 0; r < b; r++) {
      mask.set(this.mask.subarray(r * this.length, (r + 1) * this.length), r * total);
      mask.set(newMask.subarray(r * seqLength, (r + 1) * seqLength), r * total + this.length);
      for (let s = 0; s < seqLength; s++)
        if (newMask[r * seqLength + s]) this.lastPosition[r] = newPositions[r * seqLength + s]!;
    }
    this.mask = mask;
    this.length = total;
  }

  dispose(): void {
    for (const l of this.layers) if (l) tf.dispose([l.k, l.v]);
    this.layers.fill(null);
  }
}
