import { PieceType } from "../sentencepiece-model.js";
import type { PieceTable } from "./pieces.js";
import { utf8Encoder } from "./utf8.js";

/** A token of the encoder: [start, end) in code units of the normalized text, and its id. */
export type Span = [start: number, end: number, id: number];

// sentencepiece's kUnkPenalty and FLT_MIN (max_score_ starts there, so it stays FLT_MIN for negative scores).
const UNK_PENALTY = 10;
const FLT_MIN = 1.1754943508222875e-38;

/**
 * Unigram Viterbi as in sentencepiece's unigram_model.cc (EncodeOptimized): best path over
 * NORMAL and USER_DEFINED pieces, UNUSED pieces skipped, a character with no single-character
 * piece scored min − 10 as unknown, the first of equal-scoring paths kept. Scores are float32
 * in sentencepiece, so sums are rounded to float32 where it stores them (and user-defined scores,
 * `length·max_score − 0.1`, are computed in double as its ternary does).
 */
export class UnigramModel {
  private readonly maxPieceChars: number;
  /** Every proper prefix of a piece: the search from a position stops at the first substring that is none. */
  private readonly prefixes = new Set<string>();
  private readonly unkScore: number;
  private readonly maxScore: number;
  private readonly scores: Float64Array;
  private readonly userDefined: Uint8Array;
  private readonly unused: Uint8Array;
  private readonly byteLength: Int32Array;

  constructor(private readonly table: PieceTable) {
    let min = 3.4028234663852886e38;
    let max = FLT_MIN;
    const n = table.model.pieces.length;
    this.scores = new Float64Array(n);
    this.userDefined = new Uint8Array(n);
    this.unused = new Uint8Array(n);
    this.byteLength = new Int32Array(n);
    let maxChars = 1;
    table.model.pieces.forEach((p, id) => {
      this.scores[id] = Math.fround(p.score);
      if (p.type === PieceType.NORMAL) {
        min = Math.min(min, this.scores[id]!);
        max = Math.max(max, this.scores[id]!);
      }
      this.userDefined[id] = p.type === PieceType.USER_DEFINED ? 1 : 0;
      this.unused[id] = p.type === PieceType.UNUSED ? 1 : 0;
      this.byteLength[id] = utf8Encoder.encode(p.piece).length;
    });
    for (const piece of table.pieces.keys()) {
      maxChars = Math.max(maxChars, piece.length);
      for (let end = charLength(piece, 0); end < piece.length; end += charLength(piece, end))
        this.prefixes.add(piece.slice(0, end));
    }
    this.maxPieceChars = maxChars;
    this.unkScore = Math.fround(min - UNK_PENALTY);
    this.maxScore = max;
  }

  encode(normalized: string): Span[] {
    const n = normalized.length;
    if (n === 0) return [];
    const best = new Float64Array(n + 1);
    const startsAt = new Int32Array(n + 1).fill(-1);
    const ids = new Int32Array(n + 1).fill(-1);
    const { pieces } = this.table;
    for (let start = 0; start < n;) {
      const base = best[start]!;
      const charLen = charLength(normalized, start);
      let hasSingle = false;
      const limit = Math.min(n, start + this.maxPieceChars);
      for (let end = start + charLen; end <= limit; end += charLength(normalized, end)) {
        const sub = normalized.slice(start, end);
        const id = pieces.get(sub);
        if (id !== undefined && !this.unused[id]) {
          const score = this.userDefined[id]
            ? Math.fround(this.byteLength[id]! * this.maxScore) - 0.1
            : this.scores[id]!;
          const candidate = score + base;
          if (startsAt[end] === -1 || candidate > best[end]!) {
            best[end] = Math.fround(candidate);
            startsAt[end] = start;
            ids[end] = id;
          }
          if (end - start === charLen) hasSingle = true;
        }
        if (end >= n || !this.prefixes.has(sub)) break;
      }
      if (!hasSingle) {
        const end = start + charLen;
        const candidate = Math.fround(this.unkScore + base);
        if (startsAt[end] === -1 || candidate > best[end]!) {
          best[end] = candidate;
          startsAt[end] = start;
          ids[end] = this.table.unkId;
        }
      }
      start += charLen;
    }
    const spans: Span[] = [];
    for (let end = n; end > 0; end = startsAt[end]!) spans.push([startsAt[end]!, end, ids[end]!]);
    return spans.reverse();
  }
}

/** Code units of the character at `i` (2 for a surrogate pair). */
export function charLength(s: string, i: number): number {
  const c = s.charCodeAt(i);
  return c >= 0xd800 && c <= 0xdbff && i + 1 < s.length ? 2 : 1;
}
