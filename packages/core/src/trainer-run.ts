import "reflect-metadata";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import type { Subscription } from "rxjs";
import type { DependencyContainer } from "tsyringe";
import type { BackendName } from "./backend-name.js";
import { currentBackendName, selectBackend } from "./backend.js";
import { BestWeights } from "./best-weights.js";
import type { EventBus } from "./event-bus.js";
import type { RunEndStatus, RunSummary } from "./events.js";
import { writeFileAtomic } from "./io/atomic.js";
import {
  CheckpointKeys,
  checkpointName,
  pruneCheckpoints,
  readCheckpoint,
  recoverCheckpointRoot,
  writeCheckpoint,
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  type CheckpointState,
} from "./io/checkpoint.js";
import type { SafetensorsInput } from "./io/safetensors.js";
import type { TrainableModel } from "./model.js";
import { allFinite, firstNonFinite, firstNonFiniteArray, TrainingDivergedError } from "./non-finite.js";
import { AdamW } from "./optim/adamw.js";
import { clipByGlobalNorm, globalNorm } from "./optim/clip.js";
import { warmupStepsFor, type LrSchedule } from "./optim/lr-schedule.js";
import { getScheduler } from "./optim/schedulers.js";
import { defaultGreaterIsBetter, type TrainerOptions } from "./trainer-options.js";
import { readTrainerState, TrainerStateLog, TRAINER_STATE_FILE } from "./trainer-state.js";
import type { RunControl } from "./run-control.js";
import type { RunInfo } from "./run-info.js";
import { isStateful } from "./stateful.js";
import type { Json, PluginContext, Stateful, TrainerPlugin } from "./trainer-plugin.js";
import { Tokens } from "./tokens.js";

export interface Progress {
  step: number;
  epoch: number;
  batchPosition: number;
  trainableWithoutHeadSum: number;
  stepsCounted: number;
  lastLoss: number | null;
  best: { metric: string; value: number; step: number } | null;
  patienceCounter: number;
  skippedSteps: number;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The state of one `Trainer.run()`: the loop, evaluation, checkpoints and resume. */
export class TrainerRun<B> {
  private readonly registry;
  private readonly model: TrainableModel<B>;
  private readonly p: Progress = {
    step: 0,
    epoch: 0,
    batchPosition: 0,
    trainableWithoutHeadSum: 0,
    stepsCounted: 0,
    lastLoss: null,
    best: null,
    patienceCounter: 0,
    skippedSteps: 0,
  };
  private optimizer: AdamW | null = null;
  private best: BestWeights | null = null;
  private schedule!: LrSchedule;
  private backend!: BackendName;
  private trained: string[] = [];
  private stateful: Stateful[] = [];
  private lastEvalStep = -1;
  private lastCheckpointStep = -1;
  private readonly log: TrainerStateLog;
  private readonly greaterIsBetter: boolean | null;

  constructor(
    private readonly o: TrainerOptions<B>,
    private readonly info: RunInfo,
    private readonly bus: EventBus,
    private readonly control: RunControl,
    private readonly accumulation: number,
    private readonly container: DependencyContainer,
  ) {
    this.model = o.model;
    this.registry = o.model.params;
    const metric = this.metricName();
    this.greaterIsBetter = metric === null ? null : (o.greaterIsBetter ?? defaultGreaterIsBetter(metric));
    this.log = new TrainerStateLog({
      loggingSteps: o.loggingSteps ?? 500,
      evalSteps: typeof o.evalEvery === "number" ? o.evalEvery : null,
      saveSteps: typeof o.checkpointEvery === "number" ? o.checkpointEvery : null,
      maxSteps: info.totalSteps,
      epochs: info.epochs,
      stepsPerEpoch: info.stepsPerEpoch,
    });
  }

  /** The selection metric's name as the evaluator returns it (HF's `eval_` prefix dropped). */
  private metricName(): string | null {
    if (!this.o.evaluator) return null;
    return this.o.metricForBestModel?.replace(/^eval_/, "") ?? this.o.evaluator.selectionMetric;
  }

  async run(): Promise<RunSummary> {
    const t0 = performance.now();
    const teardowns: (() => void)[] = [];
    let freezeSub: Subscription | null = null;
    let teardownError: Error | null = null;
    let result!: RunSummary;
    try {
      this.backend = this.o.backend ? await selectBackend(this.o.backend) : currentBackendName();
      if (this.o.checkpointDir) await recoverCheckpointRoot(this.o.checkpointDir);
      this.schedule = this.o.schedule ?? this.makeSchedule();
      const variant = this.o.optim ? { variant: this.o.optim } : {};
      this.optimizer = new AdamW(this.registry, { ...this.o.optimizer, ...variant });
      freezeSub = this.registry.freezes.subscribe((n) =>
        this.bus.emit({
          type: "params:frozen",
          step: n.step,
          names: n.names,
          reason: n.reason,
          details: n.details,
          trainable: this.registry.counts(),
        }),
      );
      const plugins = [
        ...(this.o.plugins ?? []),
        ...(this.container.isRegistered(Tokens.Plugin, true) ? this.container.resolveAll(Tokens.Plugin) : []),
      ];
      this.stateful = this.collectStateful(plugins);
      if (this.o.resumeFrom) await this.resume(this.o.resumeFrom);
      else this.trained = this.registry.names({ trainable: true });
      const wantBest = this.o.loadBestModelAtEnd ?? this.o.evaluator !== undefined;
      if (!wantBest) this.best?.clear();
      this.best = wantBest ? (this.best ?? new BestWeights(this.registry, this.trained)) : null;
      const ctx: PluginContext = {
        events: this.bus.events,
        params: this.registry,
        control: this.control,
        run: this.info,
      };
      for (const plugin of plugins) {
        const td = plugin.attach(ctx);
        if (td) teardowns.push(td);
      }
      this.model.setTraining?.(true);
      this.registry.currentStep = this.p.step;
      this.bus.emit({
        type: "run:start",
        runId: this.info.runId,
        totalSteps: this.info.totalSteps,
        stepsPerEpoch: this.info.stepsPerEpoch,
        epochs: this.info.epochs,
        backend: this.backend,
        startStep: this.p.step,
        trainable: this.registry.counts(),
      });
      const status = await this.loop();
      if (this.best?.captured) this.best.restore();
      this.assertFiniteWeights();
      const wallTimeMs = performance.now() - t0;
      const summary: RunSummary = {
        steps: this.p.step,
        epochs: this.p.step / this.info.stepsPerEpoch,
        finalLoss: this.p.lastLoss,
        ...(this.p.best ? { bestMetric: { ...this.p.best } } : {}),
        averageTrainableWithoutHead:
          this.p.stepsCounted > 0
            ? this.p.trainableWithoutHeadSum / this.p.stepsCounted
            : this.registry.counts().trainableWithoutHead,
        wallTimeMs,
        stoppedEarly: status !== "completed",
        status,
        skippedSteps: this.p.skippedSteps,
        backend: this.backend,
      };
      this.log.onEnd(this.p.step, wallTimeMs);
      await this.writeTrainerState();
      this.bus.emit({ type: "run:end", step: this.p.step, summary });
      result = summary;
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      const diverged = error instanceof TrainingDivergedError;
      if (diverged) await this.writeTrainerState().catch(() => undefined);
      try {
        this.bus.emit({ type: "run:error", step: this.p.step, error, status: diverged ? "diverged" : "failed" });
      } catch {
        /* the original error is the one to report */
      }
      throw error;
    } finally {
      for (const td of teardowns.reverse()) {
        try {
          td();
        } catch (e) {
          teardownError ??= e instanceof Error ? e : new Error(String(e));
        }
      }
      freezeSub?.unsubscribe();
      this.optimizer?.dispose();
      this.best?.clear();
      this.bus.complete();
    }
    if (teardownError) throw teardownError;
    return result;
  }

  private makeSchedule(): LrSchedule {
    const total = this.info.totalSteps;
    return getScheduler(this.o.lrSchedulerType ?? "linear", {
      warmupSteps: this.warmupSteps(),
      totalSteps: total,
      baseLr: this.o.optimizer.lr,
      kwargs: this.o.lrSchedulerKwargs ?? {},
    });
  }

  /** HF: `warmup_steps` when > 0, else ceil(warmup_ratio · total steps). */
  private warmupSteps(): number {
    const steps = this.o.warmupSteps ?? 0;
    return steps > 0 ? steps : warmupStepsFor(this.info.totalSteps, this.o.warmupRatio ?? 0);
  }

  /** Runs the remaining steps; returns how the run ended. */
  private async loop(): Promise<RunEndStatus> {
    const { train } = this.o;
    const n = train.batchesPerEpoch;
    const total = this.info.totalSteps;
    if (this.p.step >= total) return "completed"; // a finished run resumed: nothing left to do
    for (let epoch = this.p.epoch; epoch < this.info.epochs; epoch++) {
      this.p.epoch = epoch;
      this.bus.emit({ type: "epoch:start", epoch, step: this.p.step });
      const iterator = train.epoch(epoch)[Symbol.iterator]();
      try {
        const next = (): B => {
          const r = iterator.next();
          if (r.done)
            throw new Error(
              `train.epoch(${epoch}) ended before its batch ${this.p.batchPosition + 1}, but batchesPerEpoch is ${n}`,
            );
          return r.value;
        };
        for (let i = 0; i < this.p.batchPosition; i++) next();
        while (this.p.batchPosition < n) {
          const micro = Math.min(this.accumulation, n - this.p.batchPosition);
          this.trainStep(epoch, micro, next);
          this.p.batchPosition += micro;
          // Signal handlers (Ctrl-C → interrupt) run here, so this step's afterStep sees them.
          await yieldToEventLoop();
          const epochDone = this.p.batchPosition === n;
          const final = this.p.step >= total;
          const stop = await this.afterStep(epochDone, final);
          if (stop || epochDone || final) {
            this.bus.emit({ type: "epoch:end", epoch, step: this.p.step });
            this.p.epoch = epoch + 1;
            this.p.batchPosition = 0;
            if (final) return "completed";
            if (stop) return this.control.interruptRequested !== null ? "interrupted" : "stopped early";
            break;
          }
        }
      } finally {
        iterator.return?.();
      }
    }
    return "completed";
  }

  private trainStep(epoch: number, micro: number, next: () => B): void {
    const step = this.p.step;
    this.registry.currentStep = step;
    this.bus.emit({ type: "step:start", step, epoch });
    const vars = this.registry.trainableVariables();
    const trainable = this.registry.counts();
    let grads: Map<string, tf.Tensor> | null = null;
    let done = false;
    try {
      let lossSum = 0;
      let nonFinite: { term: string; what: string } | null = null;
      for (let i = 0; i < micro; i++) {
        const batch = next();
        if (nonFinite) continue; // the step is dropped, but its batches are consumed (the data position stays right)
        const r = this.model.lossAndGradients(batch, vars);
        const value = r.loss.dataSync()[0]!;
        r.loss.dispose();
        try {
          checkGradients(r.grads, vars);
        } catch (e) {
          for (const g of r.grads.values()) g.dispose();
          throw e;
        }
        if (!Number.isFinite(value)) {
          for (const g of r.grads.values()) g.dispose();
          const where = micro > 1 ? ` (micro-batch ${i + 1} of ${micro})` : "";
          nonFinite = { term: "loss", what: `the loss is ${value}${where}` };
          continue;
        }
        lossSum += value;
        if (!grads) grads = r.grads;
        else {
          for (const [k, g] of r.grads) {
            const prev = grads.get(k)!;
            grads.set(k, tf.add(prev, g));
            prev.dispose();
            g.dispose();
          }
        }
      }
      grads ??= new Map();
      if (micro > 1 && !nonFinite) {
        for (const [k, g] of grads) {
          grads.set(k, tf.div(g, micro));
          g.dispose();
        }
      }
      const loss = lossSum / micro;
      const norm = nonFinite ? NaN : globalNorm(grads);
      if (!nonFinite && !Number.isFinite(norm)) {
        const name = firstNonFinite(grads, vars.keys()) ?? "?";
        const what = `the gradient norm is ${norm}; first non-finite gradient: "${name}"`;
        nonFinite = { term: `gradient of ${name}`, what };
      }
      if (nonFinite) {
        this.onNonFinite(step, nonFinite.term, nonFinite.what, vars);
        this.p.skippedSteps += 1;
        this.p.trainableWithoutHeadSum += trainable.trainableWithoutHead;
        this.p.stepsCounted += 1;
        done = true;
        return;
      }
      this.bus.emit({ type: "step:gradients", step, epoch, gradients: grads, values: vars });
      // A matrix frozen while step:gradients was delivered (the decoder variant decides there) gets no update
      // this step, as in the authors' code; freezing at step:end (the GLUE controller) still updates it.
      let dropped = false;
      for (const [k, g] of grads) {
        if (!this.registry.get(k).trainable) {
          g.dispose();
          grads.delete(k);
          dropped = true;
        }
      }
      const gradNorm = clipByGlobalNorm(grads, this.o.maxGradNorm, dropped ? globalNorm(grads) : norm);
      const factor = this.schedule(step);
      this.optimizer!.step(grads, factor);
      this.p.lastLoss = loss;
      this.p.trainableWithoutHeadSum += trainable.trainableWithoutHead;
      this.p.stepsCounted += 1;
      const learningRates = this.optimizer!.learningRates(factor);
      this.bus.emit({ type: "step:end", step, epoch, loss, learningRates, gradNorm, trainable });
      this.log.onStep(step, loss, gradNorm, this.o.optimizer.lr * this.schedule(step + 1));
      done = true;
    } finally {
      if (grads) for (const g of grads.values()) g.dispose();
      // A step that threw (diverged, a plugin failed) is not counted as done.
      if (done) {
        this.p.step = step + 1;
        this.registry.currentStep = step + 1;
      }
    }
  }

  /** Stops the run (nanPolicy "stop") or lets the caller drop the step ("skip-step"). */
  private onNonFinite(step: number, term: string, what: string, vars: ReadonlyMap<string, tf.Variable>): void {
    if ((this.o.nanPolicy ?? "stop") === "skip-step") return;
    // Trainable first (what the update broke), then the frozen rest (a model loaded with NaN in it).
    const all = new Map(this.registry.list().map((p) => [p.name, p.variable] as const));
    const badParam = firstNonFinite(vars) ?? firstNonFinite(all);
    const cause = badParam
      ? `; first non-finite parameter: "${badParam}"`
      : term === "loss"
        ? " (loss term: the model's loss; every parameter is finite)"
        : "";
    throw new TrainingDivergedError(
      step,
      badParam ? `parameter ${badParam}` : term,
      `training diverged at step ${step}: ${what}${cause}. ` +
        `Nothing was written for this step; the last good checkpoint stays "latest". ` +
        `Lower the learning rate, or set nanPolicy "skip-step" to drop such steps.`,
    );
  }

  /** The weights a run ends with must be finite (they are saved as the run's result). */
  private assertFiniteWeights(): void {
    for (const n of this.trained) {
      if (!this.registry.has(n)) continue;
      if (!allFinite(this.registry.get(n).variable)) {
        const message = `training diverged: after step ${this.p.step} parameter "${n}" holds non-finite values; no result is saved`;
        throw new TrainingDivergedError(this.p.step, `parameter ${n}`, message);
      }
    }
  }

  /** Evaluation and checkpoint after a step; returns true when the run must stop. */
  private async afterStep(epochDone: boolean, final: boolean): Promise<boolean> {
    const step = this.p.step;
    const { evalEvery = "epoch", checkpointEvery = "epoch" } = this.o;
    // The last step (maxSteps may end the run mid-epoch) ends the run's last epoch.
    const epochEnd = epochDone || final;
    if (this.o.evaluator && (evalEvery === "epoch" ? epochEnd : step % evalEvery === 0)) this.evaluate();
    // Read after evaluating: early stopping (and plugins) decide at eval:end.
    const stop = this.control.stopRequested !== null;
    const interrupted = this.control.interruptRequested !== null;
    if (this.o.evaluator && stop && !interrupted && this.lastEvalStep !== step) this.evaluate();
    const due = checkpointEvery === "epoch" ? epochEnd : step % checkpointEvery === 0;
    const requested = this.control.takeCheckpointRequest();
    const atEnd = final && this.o.checkpointAtEnd === true;
    const wanted = due || requested || stop || atEnd;
    if (this.o.checkpointDir && wanted && this.lastCheckpointStep !== step) await this.checkpoint(epochDone);
    return stop;
  }

  private evaluate(): void {
    const ev = this.o.evaluator!;
    this.model.setTraining?.(false);
    let metrics: Record<string, number>;
    try {
      metrics = ev.evaluate(this.model);
    } finally {
      this.model.setTraining?.(true);
    }
    const metric = this.metricName()!;
    const value = metrics[metric];
    if (typeof value !== "number")
      throw new Error(
        `evaluator: selection metric "${metric}" is not among the metrics it returned (${Object.keys(metrics).join(", ") || "none"})`,
      );
    const prev = this.p.best;
    const better = (a: number, b: number) => (this.greaterIsBetter ? a > b : a < b);
    // NaN is the worst value: never the best, never an improvement.
    const isBest = !Number.isNaN(value) && (prev === null || better(value, prev.value));
    if (this.o.earlyStoppingPatience != null) {
      const threshold = this.o.earlyStoppingThreshold ?? 0;
      const improved =
        !Number.isNaN(value) &&
        (prev === null || (better(value, prev.value) && Math.abs(value - prev.value) > threshold));
      this.p.patienceCounter = improved ? 0 : this.p.patienceCounter + 1;
      if (this.p.patienceCounter >= this.o.earlyStoppingPatience) {
        const n = this.p.patienceCounter;
        this.control.requestStop(
          `early stopping: ${metric} did not improve by more than ${threshold} in ${n} evaluations`,
        );
      }
    }
    if (isBest) {
      this.p.best = { metric, value, step: this.p.step };
      this.best?.capture();
    }
    this.lastEvalStep = this.p.step;
    this.log.onEval(this.p.step, metrics);
    this.bus.emit({
      type: "eval:end",
      step: this.p.step,
      epoch: this.p.epoch,
      metrics,
      selection: { metric, value, isBest },
    });
  }

  private async checkpoint(epochDone: boolean): Promise<void> {
    const root = this.o.checkpointDir!;
    const tensors: Record<string, SafetensorsInput> = {};
    const put = (key: string, t: tf.Tensor) => {
      tensors[key] = { dtype: "F32", shape: t.shape, data: t.dataSync() as Float32Array };
    };
    const names = this.o.checkpointParameters === "trained" ? this.trained : this.registry.names();
    for (const n of names) {
      const v = this.registry.stateValue(n);
      put(n, v);
      v.dispose();
    }
    const opt = this.optimizer!.saveState();
    for (const [n, m] of opt.moments) {
      put(CheckpointKeys.expAvg(n), m.expAvg);
      put(CheckpointKeys.expAvgSq(n), m.expAvgSq);
    }
    const bad = firstNonFiniteArray(Object.entries(tensors) as [string, SafetensorsInput & { data: Float32Array }][]);
    if (bad) {
      throw new TrainingDivergedError(
        this.p.step - 1,
        `parameter ${bad}`,
        `training diverged: after step ${this.p.step} "${bad}" holds non-finite values, ` +
          `so ${checkpointName(this.p.step)} is not written; the last good checkpoint stays "latest"`,
      );
    }
    const bestNames = this.best?.captured ? [...this.best.tensors().keys()] : [];
    for (const n of bestNames) put(CheckpointKeys.best(n), this.best!.tensors().get(n)!);
    const statefulJson: Record<string, Json> = {};
    for (const s of this.stateful) {
      const saved = s.saveState();
      statefulJson[s.stateKey] = saved.json;
      for (const [tn, t] of Object.entries(saved.tensors ?? {})) {
        const { data, shape } = t instanceof Float32Array ? { data: t, shape: [t.length] } : t;
        tensors[CheckpointKeys.state(s.stateKey, tn)] = { dtype: "F32", shape, data };
      }
    }
    const state: CheckpointState = {
      format: CHECKPOINT_FORMAT,
      version: CHECKPOINT_VERSION,
      runId: this.info.runId,
      seed: this.info.seed,
      backend: this.backend,
      step: this.p.step,
      epoch: epochDone ? this.p.epoch + 1 : this.p.epoch,
      batchPosition: epochDone ? 0 : this.p.batchPosition,
      epochs: this.info.epochs,
      stepsPerEpoch: this.info.stepsPerEpoch,
      totalSteps: this.info.totalSteps,
      parameters: names,
      optimizer: { steps: opt.steps },
      registry: this.registry.flags(),
      stateful: statefulJson,
      best: this.p.best,
      bestParameters: bestNames,
      accounting: {
        trainableWithoutHeadSum: this.p.trainableWithoutHeadSum,
        stepsCounted: this.p.stepsCounted,
        lastLoss: this.p.lastLoss,
      },
      trainer: { patienceCounter: this.p.patienceCounter, skippedSteps: this.p.skippedSteps },
      hyperparameters: this.hyperparameters(),
      savedAt: new Date().toISOString(),
    };
    const name = checkpointName(this.p.step);
    if (this.p.best?.step === this.p.step) this.log.bestModelCheckpoint = join(root, name);
    const trainerState = JSON.stringify(this.log.json(this.p.step, this.p.best), null, 2) + "\n";
    const path = await writeCheckpoint(root, name, tensors, state, { [TRAINER_STATE_FILE]: trainerState });
    this.lastCheckpointStep = this.p.step;
    if (this.o.checkpointLimit !== undefined)
      await pruneCheckpoints(root, this.o.checkpointLimit, this.p.best ? [checkpointName(this.p.best.step)] : []);
    this.bus.emit({ type: "checkpoint:saved", step: this.p.step, epoch: this.p.epoch, path });
  }

  /** What a resumed run must share with its checkpoint besides the plan (a custom `schedule` is not comparable). */
  private hyperparameters(): Record<string, number | string | null> {
    const o = this.o;
    return {
      lr: o.optimizer.lr,
      weightDecay: o.optimizer.weightDecay ?? 0.01,
      optim: o.optim ?? o.optimizer.variant ?? "adamw_torch",
      lrSchedulerType: o.schedule ? "custom" : (o.lrSchedulerType ?? "linear"),
      warmupSteps: o.schedule ? null : this.warmupSteps(),
      maxGradNorm: o.maxGradNorm ?? null,
      nanPolicy: o.nanPolicy ?? "stop",
    };
  }

  /** trainer_state.json in the run's output folder (RunInfo.outputDir), when it has one. */
  private async writeTrainerState(): Promise<void> {
    if (!this.info.outputDir) return;
    const json = JSON.stringify(this.log.json(this.p.step, this.p.best), null, 2) + "\n";
    await writeFileAtomic(join(this.info.outputDir, TRAINER_STATE_FILE), json);
  }

  private async resume(path: string): Promise<void> {
    const ck = await readCheckpoint(path);
    const s = ck.state;
    const where = `${ck.dir}/state.json`;
    for (const k of ["totalSteps", "stepsPerEpoch", "epochs", "seed"] as const) {
      if (s[k] !== this.info[k])
        throw new Error(
          `${where}: ${k} is ${s[k]} but this run has ${this.info[k]}; resume with the same seed, epochs, batches and gradient accumulation`,
        );
    }
    const now = this.hyperparameters();
    for (const [k, v] of Object.entries(s.hyperparameters ?? {})) {
      if (k in now && now[k] !== v) {
        const change = `${k} is ${JSON.stringify(v)} but this run has ${JSON.stringify(now[k])}`;
        throw new Error(`${where}: ${change}; a resume continues the same run (start a new run to change it)`);
      }
    }
    const unknown = s.parameters.find((n) => !this.registry.has(n));
    if (unknown) throw new Error(`${where}: parameter "${unknown}" is not in the model's ParameterRegistry`);
    if (this.o.checkpointParameters !== "trained") {
      const missing = this.registry.names().find((n) => !s.parameters.includes(n));
      if (missing) throw new Error(`${where}: the checkpoint has no value for parameter "${missing}"`);
    }
    const scoped = <T>(f: (t: (n: string) => tf.Tensor) => T): T => {
      const made: tf.Tensor[] = [];
      try {
        return f((n) => {
          const e = ck.tensors.get(n)!;
          const t = tf.tensor(e.data, e.shape, "float32");
          made.push(t);
          return t;
        });
      } finally {
        for (const t of made) t.dispose();
      }
    };
    scoped((t) => {
      for (const n of s.parameters) this.registry.assignState(n, t(n));
      this.registry.restoreFlags(s.registry);
      const moments = new Map(
        Object.keys(s.optimizer.steps).map((n) => [
          n,
          { expAvg: t(CheckpointKeys.expAvg(n)), expAvgSq: t(CheckpointKeys.expAvgSq(n)) },
        ]),
      );
      this.optimizer!.loadState({ steps: s.optimizer.steps, moments });
      this.trained = Object.entries(s.registry)
        .filter(([, f]) => f.trainable || f.frozenAt)
        .map(([n]) => n);
      if (s.bestParameters.length > 0) {
        this.best = new BestWeights(this.registry, this.trained);
        this.best.load(new Map(s.bestParameters.map((n) => [n, t(CheckpointKeys.best(n))])));
      }
    });
    for (const st of this.stateful) {
      if (!(st.stateKey in s.stateful)) throw new Error(`${where}: no state for "${st.stateKey}"`);
      const prefix = CheckpointKeys.state(st.stateKey, "");
      const tensors: Record<string, { data: Float32Array; shape: number[] }> = {};
      for (const [k, v] of ck.tensors) if (k.startsWith(prefix)) tensors[k.slice(prefix.length)] = v;
      st.loadState({ json: s.stateful[st.stateKey]!, tensors });
    }
    Object.assign(this.p, {
      step: s.step,
      epoch: s.epoch,
      batchPosition: s.batchPosition,
      trainableWithoutHeadSum: s.accounting.trainableWithoutHeadSum,
      stepsCounted: s.accounting.stepsCounted,
      lastLoss: s.accounting.lastLoss,
      best: s.best,
      patienceCounter: s.trainer?.patienceCounter ?? 0,
      skippedSteps: s.trainer?.skippedSteps ?? 0,
    });
    this.log.restore(readTrainerState(join(ck.dir, TRAINER_STATE_FILE)), s.step);
    this.lastCheckpointStep = s.step;
  }

  private collectStateful(plugins: TrainerPlugin[]): Stateful[] {
    const all = [this.o.model, this.o.train, this.o.evaluator, ...plugins, ...(this.o.stateful ?? [])].filter(
      isStateful,
    );
    const keys = new Set<string>();
    for (const s of all) {
      if (keys.has(s.stateKey)) throw new Error(`Trainer: two stateful parts use the stateKey "${s.stateKey}"`);
      keys.add(s.stateKey);
    }
    return all;
  }
}

function checkGradients(grads: Map<string, tf.Tensor>, vars: ReadonlyMap<string, tf.Variable>): void {
  for (const n of vars.keys())
    if (!grads.has(n)) throw new Error(`model.lossAndGradients returned no gradient for trainable parameter "${n}"`);
  for (const n of grads.keys())
    if (!vars.has(n))
      throw new Error(`model.lossAndGradients returned a gradient for "${n}", which is not in the trainable set`);
}
