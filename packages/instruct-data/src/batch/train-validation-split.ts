import { Rng } from "@aflora/core";

/**
 * finetune.py's `train_test_split(test_size=val_set_size, shuffle=True, seed=42)`: a seeded
 * shuffle, then `valSetSize` examples held out. aflora's shuffle is its own seeded
 * Fisher–Yates (Rng), not numpy's, so the held-out examples differ from the authors' run.
 */
export function trainValidationSplit<T>(
  examples: readonly T[],
  valSetSize: number,
  seed = 42,
): { train: T[]; validation: T[] } {
  if (!Number.isInteger(valSetSize) || valSetSize < 0)
    throw new Error(`valSetSize: expected a non-negative integer, got ${valSetSize}`);
  if (valSetSize >= examples.length && valSetSize > 0) {
    throw new Error(`valSetSize: ${valSetSize} validation examples leave none of the ${examples.length} for training`);
  }
  if (valSetSize === 0) return { train: [...examples], validation: [] };
  const order = examples.map((_, i) => i);
  new Rng(seed).fork("train_test_split").shuffle(order);
  return {
    validation: order.slice(0, valSetSize).map((i) => examples[i]!),
    train: order.slice(valSetSize).map((i) => examples[i]!),
  };
}
