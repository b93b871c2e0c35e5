import { z } from "zod";
import { filter, type Subscription } from "rxjs";
import type { StepEndEvent, TrainerEvent } from "../events.js";
import { definePlugin, type PluginRegistry } from "../plugin-registry.js";
import type { Json, PluginContext, Stateful, TrainerPlugin } from "../trainer-plugin.js";

export interface LossLoggerOptions {
  /** Log every N optimizer steps (default 1). */
  every?: number;
  /** Where lines go (default console.log). */
  write?: (line: string) => void;
}

/**
 * The smallest useful plugin: logs the loss at `step:end` and the running mean loss of the
 * run. The running sums are its state, so a resumed run goes on with the same mean.
 */
export class LossLogger implements TrainerPlugin, Stateful {
  readonly name = "loss-logger";
  readonly stateKey = "loss-logger";
  private sum = 0;
  private count = 0;
  private readonly every: number;
  private readonly write: (line: string) => void;

  constructor(options: LossLoggerOptions = {}) {
    this.every = options.every ?? 1;
    this.write = options.write ?? ((line) => console.log(line));
  }

  get meanLoss(): number {
    return this.count > 0 ? this.sum / this.count : Number.NaN;
  }

  attach(ctx: PluginContext): () => void {
    const sub: Subscription = ctx.events
      .pipe(filter((e: TrainerEvent): e is StepEndEvent => e.type === "step:end"))
      .subscribe((e) => {
        this.sum += e.loss;
        this.count += 1;
        if ((e.step + 1) % this.every === 0) {
          this.write(
            `step ${e.step + 1}/${ctx.run.totalSteps} epoch ${e.epoch} loss ${e.loss.toFixed(4)} mean ${this.meanLoss.toFixed(4)}`,
          );
        }
      });
    return () => sub.unsubscribe();
  }

  saveState(): { json: Json } {
    return { json: { sum: this.sum, count: this.count } };
  }

  loadState(state: { json: Json }): void {
    const j = state.json as { sum?: unknown; count?: unknown };
    if (typeof j?.sum !== "number" || typeof j?.count !== "number")
      throw new Error(`loss-logger state: expected { sum: number, count: number }, got ${JSON.stringify(state.json)}`);
    this.sum = j.sum;
    this.count = j.count;
  }
}

/** Registers the logger as plugin kind "plugin", name "loss-logger": config `{ "name": "loss-logger", "every": 10 }`. */
export function registerLossLogger(registry: PluginRegistry): PluginRegistry {
  return registry.register(
    definePlugin({
      kind: "plugin",
      name: "loss-logger",
      description: "Logs the mean training loss every N steps",
      package: "@aflora/core",
      options: z
        .object({ every: z.number().int().positive().optional().describe("steps between log lines (default 10)") })
        .strict(),
      create: (o) => new LossLogger(o.every !== undefined ? { every: o.every } : {}),
    }),
  );
}
