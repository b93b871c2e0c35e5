/**
 * A restricted pickle virtual machine: just the opcodes that `torch.save` emits for a state
 * dict (protocols 2–5). Globals are never imported: `findGlobal` maps a (module, name) pair to
 * a JS function or refuses it, which is what makes reading untrusted checkpoints safe.
 */

/** A Python callable the caller allowed, e.g. `collections.OrderedDict`. */
export class PyGlobal {
  constructor(
    readonly qualname: string,
    readonly call: (args: unknown[]) => unknown,
  ) {}
}

/** A Python dict; keys are strings or numbers (all a state dict uses). */
export class PyDict extends Map<unknown, unknown> {
  /** Attributes set by BUILD (an OrderedDict's `_metadata`). */
  attributes: Map<unknown, unknown> | null = null;
}

export interface UnpickleHooks {
  /** Returns the allowed callable or throws naming the refused global. */
  findGlobal(module: string, name: string): PyGlobal;
  /** Resolves a BINPERSID id (for PyTorch: a storage reference). */
  persistentLoad(pid: unknown): unknown;
}

export function unpickle(bytes: Uint8Array, hooks: UnpickleHooks, source: string): unknown {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const utf8 = new TextDecoder("utf-8", { fatal: true });
  const stack: unknown[] = [];
  const marks: number[] = [];
  const memo = new Map<number, unknown>();
  let pos = 0;
  let op = 0;
  let opAt = 0;

  const fail = (msg: string): never => {
    throw new Error(`${source}: pickle opcode 0x${op.toString(16).padStart(2, "0")} at byte ${opAt}: ${msg}`);
  };
  const need = (n: number) => {
    if (pos + n > bytes.length) fail(`needs ${n} more bytes but the pickle ends at ${bytes.length} (truncated?)`);
  };
  const u8 = () => (need(1), bytes[pos++]!);
  const u16 = () => (need(2), (pos += 2), view.getUint16(pos - 2, true));
  const u32 = () => (need(4), (pos += 4), view.getUint32(pos - 4, true));
  const i32 = () => (need(4), (pos += 4), view.getInt32(pos - 4, true));
  const u64 = () => {
    need(8);
    const v = view.getBigUint64(pos, true);
    pos += 8;
    if (v > BigInt(bytes.length)) fail(`length ${v} exceeds the pickle`);
    return Number(v);
  };
  const take = (n: number) => (need(n), (pos += n), bytes.subarray(pos - n, pos));
  const text = (n: number) => {
    try {
      return utf8.decode(take(n));
    } catch {
      return fail("string is not valid UTF-8");
    }
  };
  const line = () => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) fail("unterminated text line");
    const s = new TextDecoder("latin1").decode(bytes.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const pop = () => {
    if (stack.length === 0 || (marks.length > 0 && stack.length <= marks[marks.length - 1]!)) fail("stack underflow");
    return stack.pop();
  };
  const top = () => {
    if (stack.length === 0) fail("stack underflow");
    return stack[stack.length - 1];
  };
  const popMark = () => {
    const m = marks.pop();
    if (m === undefined) fail("no MARK on the stack");
    return stack.splice(m!);
  };
  const get = (i: number) => {
    if (!memo.has(i)) fail(`memo slot ${i} was never written`);
    return memo.get(i);
  };
  const dict = (v: unknown) => (v instanceof PyDict ? v : fail(`expected a dict on the stack, found ${describe(v)}`));
  const list = (v: unknown) => (Array.isArray(v) ? v : fail(`expected a list on the stack, found ${describe(v)}`));
  const call = (fn: unknown, args: unknown) => {
    if (!(fn instanceof PyGlobal)) return fail(`cannot call ${describe(fn)}`);
    if (!Array.isArray(args)) return fail(`arguments of ${fn.qualname} are ${describe(args)}, not a tuple`);
    try {
      return fn.call(args);
    } catch (e) {
      return fail(`${fn.qualname}: ${(e as Error).message}`);
    }
  };
  const hook = <T>(f: () => T): T => {
    try {
      return f();
    } catch (e) {
      return fail((e as Error).message);
    }
  };
  const long = (b: Uint8Array): number | bigint => {
    let v = 0n;
    for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
    if (b.length > 0 && b[b.length - 1]! & 0x80) v -= 1n << BigInt(8 * b.length);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  };

  for (;;) {
    opAt = pos;
    op = u8();
    switch (op) {
      case 0x80: // PROTO
        if (u8() > 5) fail("pickle protocol above 5");
        break;
      case 0x95: // FRAME (a length hint only)
        take(8);
        break;
      case 0x2e: // STOP
        if (stack.length !== 1 || marks.length !== 0) fail(`STOP with ${stack.length} values on the stack`);
        return stack[0];
      case 0x28: // MARK
        marks.push(stack.length);
        break;
      case 0x7d: // EMPTY_DICT
        stack.push(new PyDict());
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push(Object.freeze([]));
        break;
      case 0x74: // TUPLE
        stack.push(Object.freeze(popMark()));
        break;
      case 0x85: // TUPLE1
        stack.push(Object.freeze([pop()]));
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        stack.push(Object.freeze([pop(), b]));
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        stack.push(Object.freeze([pop(), b, c]));
        break;
      }
      case 0x6c: // LIST
        stack.push(popMark());
        break;
      case 0x64: {
        // DICT
        const items = popMark();
        const d = new PyDict();
        for (let i = 0; i + 1 < items.length; i += 2) d.set(items[i], items[i + 1]);
        stack.push(d);
        break;
      }
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        dict(top()).set(k, v);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        const d = dict(top());
        if (items.length % 2) fail("SETITEMS with an odd number of items");
        for (let i = 0; i < items.length; i += 2) d.set(items[i], items[i + 1]);
        break;
      }
      case 0x61: {
        // APPEND
        const v = pop();
        list(top()).push(v);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        const target = list(top());
        // One push per item: spreading millions of arguments would overflow the call stack.
        for (const item of items) target.push(item);
        break;
      }
      case 0x58: // BINUNICODE
        stack.push(text(u32()));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(text(u8()));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(text(u64()));
        break;
      case 0x55: // SHORT_BINSTRING
        stack.push(new TextDecoder("latin1").decode(take(u8())));
        break;
      case 0x54: {
        // BINSTRING
        const n = i32();
        if (n < 0) fail("negative string length");
        stack.push(new TextDecoder("latin1").decode(take(n)));
        break;
      }
      case 0x43: // SHORT_BINBYTES
        stack.push(take(u8()).slice());
        break;
      case 0x42: // BINBYTES
        stack.push(take(u32()).slice());
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x4a: // BININT
        stack.push(i32());
        break;
      case 0x8a: // LONG1
        stack.push(long(take(u8())));
        break;
      case 0x8b: {
        // LONG4
        const n = i32();
        if (n < 0) fail("negative LONG4 length");
        // Decoding is quadratic in the length; no state dict needs an integer wider than 512 bits.
        if (n > 64) fail(`LONG4 of ${n} bytes is wider than any integer a state dict holds`);
        stack.push(long(take(n)));
        break;
      }
      case 0x49: {
        // INT (text; "I00"/"I01" are protocol-0 booleans)
        const s = line();
        if (s === "00" || s === "01") stack.push(s === "01");
        else if (/^-?\d+$/.test(s)) stack.push(Number(s));
        else fail(`bad INT literal ${JSON.stringify(s)}`);
        break;
      }
      case 0x47: // BINFLOAT (big-endian)
        need(8);
        stack.push(view.getFloat64(pos, false));
        pos += 8;
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x63: {
        // GLOBAL
        const module = line();
        const name = line();
        stack.push(hook(() => hooks.findGlobal(module, name)));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== "string" || typeof name !== "string") fail("STACK_GLOBAL needs two strings");
        stack.push(hook(() => hooks.findGlobal(module as string, name as string)));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        const fn = pop();
        stack.push(call(fn, args));
        break;
      }
      case 0x51: {
        // BINPERSID
        const pid = pop();
        stack.push(hook(() => hooks.persistentLoad(pid)));
        break;
      }
      case 0x62: {
        // BUILD
        const state = pop();
        const obj = top();
        if (obj instanceof PyDict && state instanceof PyDict) obj.attributes = state;
        else if (state !== null) fail(`BUILD of ${describe(obj)} with ${describe(state)} is not part of a state dict`);
        break;
      }
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
        stack.push(get(u8()));
        break;
      case 0x6a: // LONG_BINGET
        stack.push(get(u32()));
        break;
      case 0x70: // PUT (text)
        memo.set(Number(line()), top());
        break;
      case 0x67: // GET (text)
        stack.push(get(Number(line())));
        break;
      case 0x30: // POP
        if (marks.length > 0 && stack.length === marks[marks.length - 1]) marks.pop();
        else pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      default:
        fail("unsupported opcode (not used by a PyTorch state dict)");
    }
  }
}

function describe(v: unknown): string {
  if (v === null) return "None";
  if (v instanceof PyGlobal) return v.qualname;
  if (v instanceof PyDict) return "a dict";
  if (Array.isArray(v)) return "a tuple/list";
  return typeof v === "object" ? (v.constructor?.name ?? "an object") : `a ${typeof v}`;
}
