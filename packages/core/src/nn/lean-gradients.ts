import * as tf from "@tensorflow/tfjs-core";

interface TapeNode {
  id: number;
  kernelName: string;
  inputs: Record<string, tf.Tensor>;
  outputs: tf.Tensor[];
  saved?: tf.Tensor[];
  gradient?: (dys: (tf.Tensor | null)[]) => Record<string, () => tf.Tensor>;
}

/** The engine members this module drives (public on the object, absent from tfjs's typings). */
interface EngineInternals {
  state: { activeTape: TapeNode[] | null; gradientDepth: number };
  startTape(): void;
  endTape(): void;
  scopedRun<T>(start: () => void, end: () => void, f: () => T): T;
  tidy<T extends tf.TensorContainer>(nameOrFn: string | (() => T), fn?: () => T): T;
}

/** The tape nodes on a path from some x to y, each with only its inputs that depend on an x (tfjs's own rule). */
function nodesFromXToY(tape: TapeNode[], xs: tf.Tensor[], y: tf.Tensor): TapeNode[] {
  const fromX = new Set<number>(xs.map((x) => x.id));
  const nodeFromX = new Set<number>();
  for (const node of tape) {
    if (Object.values(node.inputs).some((t) => fromX.has(t.id))) {
      nodeFromX.add(node.id);
      for (const o of node.outputs) fromX.add(o.id);
    }
  }
  const toY = new Set<number>([y.id]);
  const nodeToY = new Set<number>();
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i]!;
    if (node.outputs.some((o) => toY.has(o.id))) {
      nodeToY.add(node.id);
      for (const t of Object.values(node.inputs)) toY.add(t.id);
    }
  }
  const filtered: TapeNode[] = [];
  for (const node of tape) {
    if (!nodeFromX.has(node.id) || !nodeToY.has(node.id)) continue;
    const inputs: Record<string, tf.Tensor> = {};
    for (const [name, t] of Object.entries(node.inputs)) if (fromX.has(t.id)) inputs[name] = t;
    filtered.push({ ...node, inputs });
  }
  return filtered;
}

/**
 * `tf.engine().gradients(f, xs, dy, true)` with the same tape, the same gradient functions and
 * the same accumulation order (so the same values), but freeing memory as it goes: TensorFlow.js
 * keeps every saved activation and every intermediate gradient until the whole backward ends,
 * so a step's peak held both at once. Here a node's saved tensors are released once its
 * gradients are taken (nodes off the x→y path right after the forward), and a tensor's
 * gradient once its producer consumed it. Returns `undefined` for an x that y does not depend on.
 */
export function leanGradients(
  f: () => tf.Tensor,
  xs: tf.Tensor[],
  dy?: tf.Tensor,
): { value: tf.Tensor; grads: (tf.Tensor | undefined)[] } {
  if (xs.length === 0) throw new Error("leanGradients: xs is empty");
  if (dy && dy.dtype !== "float32") throw new Error(`leanGradients: dy must be float32, got ${dy.dtype}`);
  const engine = tf.engine() as unknown as EngineInternals;
  let y: tf.Tensor;
  try {
    y = engine.scopedRun(
      () => engine.startTape(),
      () => engine.endTape(),
      () => engine.tidy("forward", f),
    );
    if (!(y instanceof tf.Tensor)) throw new Error("leanGradients: f must return a tensor");
  } catch (e) {
    // tfjs would leave the failed forward's saved tensors on the tape for good.
    if (engine.state.gradientDepth === 0) {
      for (const node of engine.state.activeTape ?? []) for (const t of node.saved ?? []) t.dispose();
      engine.state.activeTape = null;
    }
    throw e;
  }
  const tape = engine.state.activeTape ?? [];
  const outermost = engine.state.gradientDepth === 0;
  const filtered = nodesFromXToY(tape, xs, y);
  const release = (node: TapeNode) => {
    if (outermost) for (const t of node.saved ?? []) t.dispose();
  };
  const onPath = new Set(filtered.map((n) => n.id));
  for (const node of tape) if (!onPath.has(node.id)) release(node);
  const byId = new Map(tape.map((n) => [n.id, n]));

  return engine.tidy("backward", () => {
    const keep = new Set(xs.map((x) => x.id));
    const acc = new Map<number, tf.Tensor>();
    acc.set(y.id, dy ?? tf.onesLike(y));
    const held = new Set<tf.Tensor>(acc.values());
    for (let i = filtered.length - 1; i >= 0; i--) {
      const node = filtered[i]!;
      if (!node.gradient)
        throw new Error(`Cannot compute gradient: gradient function not found for ${node.kernelName}.`);
      const dys = node.outputs.map((o) => acc.get(o.id) ?? null);
      const inputGradients = node.gradient(dys);
      for (const [name, x] of Object.entries(node.inputs)) {
        if (!(name in inputGradients)) {
          throw new Error(
            `Cannot backprop through input ${name}. Available gradients found: ${Object.keys(inputGradients)}.`,
          );
        }
        let dx = engine.tidy(() => inputGradients[name]!());
        // A gradient function may hand back a tensor it did not create (dy itself): own a copy.
        if (held.has(dx) || dys.includes(dx)) dx = tf.clone(dx);
        if (dx.dtype !== "float32") {
          throw new Error(
            `Error in gradient for op ${node.kernelName}. The gradient of input ${name} must have 'float32' dtype, but has '${dx.dtype}'`,
          );
        }
        if (!tf.util.arraysEqual(dx.shape, x.shape)) {
          throw new Error(
            `Error in gradient for op ${node.kernelName}. The gradient of input '${name}' has shape '${dx.shape}', which does not match the shape of the input '${x.shape}'`,
          );
        }
        const prev = acc.get(x.id);
        if (prev) {
          const sum = tf.add(prev, dx);
          held.delete(prev);
          prev.dispose();
          dx.dispose();
          dx = sum;
        }
        acc.set(x.id, dx);
        held.add(dx);
      }
      for (const o of node.outputs) {
        const g = acc.get(o.id);
        if (!g || keep.has(o.id)) continue;
        acc.delete(o.id);
        held.delete(g);
        if (g !== dy) g.dispose();
      }
      release(byId.get(node.id)!);
    }
    const grads = xs.map((x) => acc.get(x.id));
    if (outermost) engine.state.activeTape = null;
    return { value: y, grads };
  }) as unknown as { value: tf.Tensor; grads: (tf.Tensor | undefined)[] };
}
