/** One compared quantity of a parity fixture. */
export interface DecoderParityCheck {
  /** e.g. "tokenizer[5].ids", "right_padded.logits", "grad model.layers.0.self_attn.q_proj.weight", "generation.new_tokens" */
  quantity: string;
  /** The measured error (absolute; 0/1 for exact comparisons; gradients relative to their bound's scale). */
  error: number;
  tolerance: number;
  pass: boolean;
}

export type Nested = number | Nested[];

export function flat(x: Nested): number[] {
  return Array.isArray(x) ? x.flatMap(flat) : [x];
}

/** Collects checks; `close` records max |a − b| over the positions `where` allows. */
export class CheckList {
  readonly checks: DecoderParityCheck[] = [];

  add(quantity: string, error: number, tolerance: number): void {
    this.checks.push({ quantity, error, tolerance, pass: Number.isFinite(error) && error <= tolerance });
  }

  exact(quantity: string, equal: boolean): void {
    this.add(quantity, equal ? 0 : 1, 0);
  }

  close(
    quantity: string,
    actual: ArrayLike<number>,
    expected: ArrayLike<number>,
    tolerance: number,
    where?: (i: number) => boolean,
  ): void {
    if (actual.length !== expected.length) {
      this.add(`${quantity} (length ${actual.length} vs ${expected.length})`, Number.POSITIVE_INFINITY, tolerance);
      return;
    }
    let worst = 0;
    for (let i = 0; i < actual.length; i++) {
      if (where && !where(i)) continue;
      const d = Math.abs(actual[i]! - expected[i]!);
      worst = Number.isNaN(d) ? Number.POSITIVE_INFINITY : Math.max(worst, d);
    }
    this.add(quantity, worst, tolerance);
  }
}
