import { oneCharLen, utf8Encoder } from "./utf8.js";

interface Node {
  next: Map<number, Node>;
  terminal: boolean;
}

/**
 * sentencepiece's PrefixMatcher: the longest user-defined symbol at a position (such symbols are
 * neither normalized nor split), else one character.
 */
export class PrefixMatcher {
  private readonly root: Node = { next: new Map(), terminal: false };
  readonly empty: boolean;

  constructor(symbols: Iterable<string>) {
    let count = 0;
    for (const s of symbols) {
      if (s.length === 0) continue;
      let node = this.root;
      for (const b of utf8Encoder.encode(s)) {
        let child = node.next.get(b);
        if (!child) node.next.set(b, (child = { next: new Map(), terminal: false }));
        node = child;
      }
      node.terminal = true;
      count++;
    }
    this.empty = count === 0;
  }

  /** Byte length of the longest symbol at `pos` (0 when none). */
  longestMatch(bytes: Uint8Array, pos: number, end: number): number {
    let node: Node | undefined = this.root;
    let best = 0;
    for (let i = pos; i < end; i++) {
      node = node.next.get(bytes[i]!);
      if (!node) break;
      if (node.terminal) best = i + 1 - pos;
    }
    return best;
  }

  /** The symbol's length and `true`, or one character's length and `false`. */
  prefixMatch(bytes: Uint8Array, pos: number, end: number): [number, boolean] {
    const n = this.longestMatch(bytes, pos, end);
    if (n > 0) return [n, true];
    return [Math.min(end - pos, oneCharLen(bytes[pos]!)), false];
  }
}
