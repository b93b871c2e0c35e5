import { PieceType } from "../sentencepiece-model.js";
import type { PieceTable } from "./pieces.js";
import { charLength, type Span } from "./unigram.js";

interface Symbol {
  start: number;
  end: number;
  prev: number;
  next: number;
  freeze: boolean;
}

interface Pair {
  left: number;
  right: number;
  score: number;
  size: number;
}

/**
 * BPE as in sentencepiece's bpe_model.cc: characters (user-defined symbols whole and frozen),
 * then repeatedly the adjacent pair whose merge is the highest-scoring piece (ties: the leftmost),
 * and UNUSED pieces split back into the pieces they were merged from.
 */
export class BpeModel {
  private readonly userDefined: Set<string>;
  private readonly maxUserChars: number;

  constructor(private readonly table: PieceTable) {
    this.userDefined = new Set(table.userDefined);
    this.maxUserChars = Math.max(0, ...table.userDefined.map((s) => s.length));
  }

  encode(normalized: string): Span[] {
    const symbols: Symbol[] = [];
    for (let pos = 0; pos < normalized.length;) {
      const [len, freeze] = this.prefixMatch(normalized, pos);
      symbols.push({ start: pos, end: pos + len, prev: symbols.length - 1, next: -1, freeze });
      pos += len;
    }
    if (symbols.length === 0) return [];
    for (let i = 0; i + 1 < symbols.length; i++) symbols[i]!.next = i + 1;

    const agenda = new PairHeap();
    const revMerge = new Map<string, [string, string]>();
    const text = (s: Symbol) => normalized.slice(s.start, s.end);
    const maybeAdd = (left: number, right: number) => {
      if (left === -1 || right === -1) return;
      const l = symbols[left]!;
      const r = symbols[right]!;
      if (l.freeze || r.freeze) return;
      const piece = normalized.slice(l.start, r.end);
      const id = this.table.pieces.get(piece);
      if (id === undefined) return;
      agenda.push({ left, right, score: Math.fround(this.table.score(id)), size: piece.length });
      if (this.table.type(id) === PieceType.UNUSED) revMerge.set(piece, [text(l), text(r)]);
    };
    for (let i = 1; i < symbols.length; i++) maybeAdd(i - 1, i);

    for (let top = agenda.pop(); top; top = agenda.pop()) {
      const l = symbols[top.left]!;
      const r = symbols[top.right]!;
      const lLen = l.end - l.start;
      const rLen = r.end - r.start;
      if (lLen === 0 || rLen === 0 || lLen + rLen !== top.size || l.end !== r.start) continue;
      l.end = r.end;
      l.next = r.next;
      if (r.next >= 0) symbols[r.next]!.prev = top.left;
      r.start = r.end;
      maybeAdd(l.prev, top.left);
      maybeAdd(top.left, l.next);
    }

    const out: Span[] = [];
    const resegment = (start: number, piece: string) => {
      const id = this.table.pieceToId(piece);
      const halves = this.table.type(id) === PieceType.UNUSED ? revMerge.get(piece) : undefined;
      if (!halves) {
        out.push([start, start + piece.length, id]);
        return;
      }
      resegment(start, halves[0]);
      resegment(start + halves[0].length, halves[1]);
    };
    for (let i = 0; i !== -1; i = symbols[i]!.next) resegment(symbols[i]!.start, text(symbols[i]!));
    return out;
  }

  private prefixMatch(s: string, pos: number): [number, boolean] {
    for (let len = Math.min(this.maxUserChars, s.length - pos); len > 0; len--) {
      if (this.userDefined.has(s.slice(pos, pos + len))) return [len, true];
    }
    return [charLength(s, pos), false];
  }
}

/** sentencepiece's agenda: a max-heap on score, ties broken by the smaller left index. */
class PairHeap {
  private readonly heap: Pair[] = [];

  private static before(a: Pair, b: Pair): boolean {
    return a.score > b.score || (a.score === b.score && a.left < b.left);
  }

  push(p: Pair): void {
    const h = this.heap;
    h.push(p);
    for (let i = h.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (!PairHeap.before(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  pop(): Pair | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && PairHeap.before(h[l]!, h[m]!)) m = l;
        if (r < h.length && PairHeap.before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}
