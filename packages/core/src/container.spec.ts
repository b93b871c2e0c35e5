import "reflect-metadata";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { container } from "tsyringe";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { createRunContainer } from "./container.js";
import type { TrainerEvent } from "./events.js";
import { LossLogger, registerLossLogger } from "./examples/loss-logger.js";
import { PluginRegistry } from "./plugin-registry.js";
import type { RunInfo } from "./run-info.js";
import { Tokens } from "./tokens.js";
import { planRun } from "./train-plan.js";
import { Trainer } from "./trainer.js";
import { tinySetup } from "../test/harness.js";

describe("run container and plugin registry", () => {
  beforeAll(async () => {
    await tf.setBackend("cpu");
  });

  it("selects an implementation by the config's name; an unknown name lists the known ones", () => {
    const plugins = new PluginRegistry();
    plugins.register({
      kind: "scorer",
      name: "x",
      description: "test scorer x",
      create: (_o, c) => ({ name: "x", run: c.resolve(Tokens.RunInfo) }),
    });
    plugins.register({
      kind: "scorer",
      name: "aflora",
      description: "test scorer aflora",
      create: () => ({ name: "aflora" }),
    });
    const { model } = tinySetup();
    const runInfo: RunInfo = {
      runId: "r",
      seed: 1,
      epochs: 1,
      outputDir: null,
      ...planRun({ batchesPerEpoch: 4, epochs: 1 }),
    };
    const c = createRunContainer(container, { registry: model.params, runInfo, plugins });
    const config = { scorer: { name: "x" } };
    expect(plugins.create("scorer", config.scorer, c, "scorer")).toEqual({ name: "x", run: runInfo });
    expect(() => plugins.create("scorer", { name: "nope" }, c, "scorer")).toThrow(
      'Unknown scorer "nope". Known scorer names: aflora, x.',
    );
    expect(c.resolve(Tokens.PluginRegistry)).toBe(plugins);
    expect(c.resolve(Tokens.ParameterRegistry)).toBe(model.params);
    // One child per run: another run's container holds its own values.
    const other = createRunContainer(container, { registry: model.params, runInfo: { ...runInfo, runId: "r2" } });
    expect(other.resolve(Tokens.RunInfo).runId).toBe("r2");
    expect(other.resolve(Tokens.Events)).not.toBe(c.resolve(Tokens.Events));
    expect(container.isRegistered(Tokens.RunInfo)).toBe(false);
    model.dispose();
  });

  it("runs the loss-logger example plugin, built by name in the run container, on the Trainer", async () => {
    const plugins = new PluginRegistry();
    registerLossLogger(plugins);
    const { model, options } = tinySetup({ epochs: 2, gradientAccumulation: 2 });
    const runInfo: RunInfo = {
      runId: "logged",
      seed: options.seed,
      epochs: 2,
      outputDir: null,
      ...planRun({ batchesPerEpoch: 4, epochs: 2, gradientAccumulation: 2 }),
    };
    const c = createRunContainer(container, { registry: model.params, runInfo, plugins });
    const lines: string[] = [];
    const log = vi.spyOn(console, "log").mockImplementation((l: string) => void lines.push(l));
    const logger = plugins.create<LossLogger>("plugin", { name: "loss-logger", every: 2 }, c, "plugins[0]");
    // A plugin that injects the run's Events token sees the same stream the Trainer emits on.
    const injected: TrainerEvent["type"][] = [];
    c.resolve(Tokens.Events).subscribe((e) => injected.push(e.type));
    const trainer = new Trainer({ ...options, container: c, plugins: [logger] });
    const losses: number[] = [];
    trainer.events.subscribe((e) => e.type === "step:end" && losses.push(e.loss));
    await trainer.run();
    log.mockRestore();
    expect(lines).toEqual([
      `step 2/4 epoch 0 loss ${losses[1]!.toFixed(4)} mean ${((losses[0]! + losses[1]!) / 2).toFixed(4)}`,
      `step 4/4 epoch 1 loss ${losses[3]!.toFixed(4)} mean ${(losses.reduce((a, b) => a + b) / 4).toFixed(4)}`,
    ]);
    expect(injected[0]).toBe("run:start");
    expect(injected.at(-1)).toBe("run:end");
    expect(() => plugins.create("plugin", { name: "loss-logger", every: 0 }, c, "plugins[0]")).toThrow(
      'plugins[0] (plugin "loss-logger"): every: Too small: expected number to be >0, got 0',
    );
    // Plugins registered under Tokens.Plugin in the run container are attached too.
    const second = tinySetup({ epochs: 1 });
    const c2 = createRunContainer(container, {
      registry: second.model.params,
      runInfo: { ...runInfo, runId: "second", totalSteps: 4, stepsPerEpoch: 4, epochs: 1 },
    });
    const viaToken: string[] = [];
    c2.register(Tokens.Plugin, {
      useValue: { name: "via-token", attach: (ctx) => void ctx.events.subscribe((e) => viaToken.push(e.type)) },
    });
    await new Trainer({ ...second.options, container: c2 }).run();
    expect(viaToken.filter((t) => t === "step:end")).toHaveLength(4);
    second.model.dispose();
    expect(() => new Trainer({ ...options, epochs: 3, container: c })).toThrow(
      /RunInfo.totalSteps is 4, but the trainer's options give 6/,
    );
    model.dispose();
  });
});
