/**
 * Tokenized examples packed into flat typed arrays (no per-example objects and no text kept),
 * so a 400k-example training set costs about 4 bytes per token. Example i's tokens are
 * `inputIds[offsets[i] .. offsets[i + 1])`.
 */
export interface EncodedDataset {
  readonly size: number;
  readonly offsets: Int32Array;
  readonly inputIds: Int32Array;
  /** Present when the tokenizer produces token types. */
  readonly tokenTypeIds: Int8Array | null;
  /** Class ids, or Float32 regression targets. */
  readonly labels: Int32Array | Float32Array;
}

export function exampleLength(data: EncodedDataset, i: number): number {
  return data.offsets[i + 1]! - data.offsets[i]!;
}

/** Growable builder for an EncodedDataset. */
export class EncodedDatasetBuilder {
  private ids = new Int32Array(1 << 12);
  private types: Int8Array | null = null;
  private offsets = new Int32Array(1 << 10);
  private labels: Int32Array | Float32Array;
  private n = 0;
  private tokens = 0;

  constructor(private readonly regression: boolean) {
    this.labels = regression ? new Float32Array(1 << 10) : new Int32Array(1 << 10);
  }

  get size(): number {
    return this.n;
  }

  add(inputIds: readonly number[], tokenTypeIds: readonly number[] | undefined, label: number): void {
    if (this.n + 2 > this.offsets.length) {
      this.offsets = grow(this.offsets, this.offsets.length * 2);
      this.labels = grow(this.labels, this.offsets.length);
    }
    const end = this.tokens + inputIds.length;
    if (end > this.ids.length) {
      const cap = Math.max(end, this.ids.length * 2);
      this.ids = grow(this.ids, cap);
      if (this.types) this.types = grow(this.types, cap);
    }
    this.ids.set(inputIds, this.tokens);
    if (tokenTypeIds) {
      this.types ??= new Int8Array(this.ids.length);
      this.types.set(tokenTypeIds, this.tokens);
    }
    this.labels[this.n] = label;
    this.n++;
    this.tokens = end;
    this.offsets[this.n] = end;
  }

  build(): EncodedDataset {
    return {
      size: this.n,
      offsets: this.offsets.slice(0, this.n + 1),
      inputIds: this.ids.slice(0, this.tokens),
      tokenTypeIds: this.types ? this.types.slice(0, this.tokens) : null,
      labels: this.labels.slice(0, this.n),
    };
  }
}

function grow<T extends Int32Array | Float32Array | Int8Array>(a: T, size: number): T {
  const b = new (a.constructor as new (n: number) => T)(size);
  b.set(a);
  return b;
}
