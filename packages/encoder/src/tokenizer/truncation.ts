/**
 * The `longest_first` strategy of Hugging Face fast tokenizers (tokenizers' truncation.rs):
 * with n1 ≤ n2 the shorter keeps everything if the longer can fill the rest; when both must be
 * cut the shorter gets ⌊max/2⌋ and the longer ⌈max/2⌉. Tokens are removed from the right.
 * (The slow Python tokenizers remove one token at a time and can differ by one on ties.)
 */
export function longestFirstLengths(lenA: number, lenB: number, max: number): [number, number] {
  if (lenA + lenB <= max) return [lenA, lenB];
  const swap = lenA > lenB;
  let n1 = swap ? lenB : lenA;
  let n2: number;
  if (n1 > max) n2 = n1;
  else n2 = Math.max(n1, max - n1);
  if (n1 + n2 > max) {
    n1 = Math.floor(max / 2);
    n2 = n1 + (max % 2);
  }
  return swap ? [n2, n1] : [n1, n2];
}
