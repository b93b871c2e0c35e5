// An example aflora plugin module (see docs/writing-a-plugin.md): a freezing score and a run plugin,
// registered by name. Use it from a config with `imports: [./docs/examples/last-gradient-scorer.mjs]`.
// Plain ESM JavaScript so it runs without a build; a TypeScript package looks the same with types.

/** Freezing score = |∇θ| at the latest step (no smoothing, no uncertainty): an ablation of AFLoRA's score. */
class LastGradientScorer {
  name = "last-gradient";
  stateKey = "scorer:last-gradient";
  /** @type {Map<string, Float32Array>} */
  latest = new Map();

  /** Called once per optimizer step with the still-trainable projection matrices (borrowed tensors). */
  update(_step, tracked) {
    for (const m of tracked) {
      const g = m.grad.dataSync(); // read now: the tensor is disposed after the callback
      this.latest.set(m.name, Float32Array.from(g, Math.abs));
    }
  }

  /** Element-wise scores; the controller compares each matrix's mean with the k-th smallest element. */
  elementScores(names) {
    return new Map(
      names.map((n) => {
        const s = this.latest.get(n);
        if (!s) throw new Error(`last-gradient scorer: no gradient seen for "${n}"`);
        return [n, s.slice()];
      }),
    );
  }

  forget(names) {
    for (const n of names) this.latest.delete(n);
  }

  // Stateful: checkpoints keep the scores, so a resumed run decides exactly as an uninterrupted one.
  saveState() {
    const tensors = {};
    for (const [n, s] of this.latest) tensors[n] = { data: s.slice(), shape: [s.length] };
    return { json: { names: [...this.latest.keys()] }, tensors };
  }

  loadState(state) {
    this.latest = new Map(state.json.names.map((n) => [n, Float32Array.from(state.tensors[n].data)]));
  }
}

/** A run plugin: prints one line per freezing decision. */
class FreezeLog {
  name = "freeze-log";
  constructor(prefix) {
    this.prefix = prefix;
  }
  attach(ctx) {
    const sub = ctx.events.subscribe((e) => {
      if (e.type === "params:frozen")
        process.stderr.write(
          `${this.prefix}step ${e.step}: froze ${e.names.length} (${e.trainable.trainableWithoutHead} trainable left)\n`,
        );
    });
    return () => sub.unsubscribe();
  }
}

/** Called by the CLI for every module in a config's `imports`. */
export function register(registry) {
  registry.register({
    kind: "scorer",
    name: "last-gradient",
    description: "|∇θ| of the latest step (example plugin)",
    package: "docs/examples",
    parse: (o) => {
      for (const k of Object.keys(o)) throw new Error(`${k}: unknown option (last-gradient takes none)`);
      return {};
    },
    create: () => new LastGradientScorer(),
  });
  registry.register({
    kind: "plugin",
    name: "freeze-log",
    description: "Prints every freezing decision (example plugin)",
    package: "docs/examples",
    parse: (o) => {
      if (o.prefix !== undefined && typeof o.prefix !== "string")
        throw new Error(`prefix: expected a string, got ${JSON.stringify(o.prefix)}`);
      return { prefix: o.prefix ?? "" };
    },
    create: (o) => new FreezeLog(o.prefix),
  });
}
