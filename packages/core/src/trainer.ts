import "reflect-metadata";
import type { Observable } from "rxjs";
import { container as rootContainer, type DependencyContainer } from "tsyringe";
import { createRunContainer, RunTokens } from "./container.js";
import type { EventBus } from "./event-bus.js";
import type { RunSummary, TrainableCounts, TrainerEvent } from "./events.js";
import type { TextBatch, TrainableModel } from "./model.js";
import type { RunControl } from "./run-control.js";
import type { RunInfo } from "./run-info.js";
import { Tokens } from "./tokens.js";
import { planRun } from "./train-plan.js";
import { validateTrainerOptions, type TrainerOptions } from "./trainer-options.js";
import type { TrainerControl } from "./trainer-plugin.js";
import { TrainerRun } from "./trainer-run.js";

export type { TrainerOptions } from "./trainer-options.js";

/**
 * Trains a TrainableModel with AdamW, emitting the events of events.ts synchronously in the
 * order documented in docs/architecture.md. Build it, subscribe to `events`, `await run()`.
 */
export class Trainer<B = TextBatch> {
  readonly container: DependencyContainer;
  readonly runInfo: RunInfo;
  readonly control: TrainerControl;
  private readonly bus: EventBus;
  private readonly runControl: RunControl;
  private readonly o: TrainerOptions<B>;
  private readonly accumulation: number;
  private started = false;

  constructor(options: TrainerOptions<B>) {
    this.o = options;
    validateTrainerOptions(options);
    const plan = planRun({
      batchesPerEpoch: options.train.batchesPerEpoch,
      epochs: options.epochs,
      gradientAccumulation: options.gradientAccumulation,
      maxSteps: options.maxSteps ?? null,
    });
    this.accumulation = options.gradientAccumulation ?? 1;
    const expected: Record<string, number> = {
      totalSteps: plan.totalSteps,
      stepsPerEpoch: plan.stepsPerEpoch,
      epochs: plan.numTrainEpochs,
      seed: options.seed,
    };
    if (options.container) {
      this.container = options.container;
      if (!this.container.isRegistered(RunTokens.EventBus))
        throw new Error("Trainer: options.container must come from createRunContainer");
      this.runInfo = this.container.resolve(Tokens.RunInfo);
      const mismatch = (["totalSteps", "stepsPerEpoch", "epochs", "seed"] as const).find(
        (k) => this.runInfo[k] !== expected[k],
      );
      if (mismatch)
        throw new Error(
          `Trainer: the run container's RunInfo.${mismatch} is ${this.runInfo[mismatch]}, but the trainer's options give ${expected[mismatch]} (see planRun)`,
        );
      if (this.container.resolve(Tokens.ParameterRegistry) !== options.model.params)
        throw new Error("Trainer: the run container's ParameterRegistry is not the model's");
    } else {
      this.runInfo = {
        runId: options.runInfo?.runId ?? `run-${new Date().toISOString().replace(/[:.]/g, "-")}`,
        totalSteps: plan.totalSteps,
        stepsPerEpoch: plan.stepsPerEpoch,
        epochs: plan.numTrainEpochs,
        seed: options.seed,
        outputDir: options.runInfo?.outputDir ?? null,
      };
      this.container = createRunContainer(rootContainer, {
        registry: options.model.params,
        runInfo: this.runInfo,
        // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the run container holds the model whatever its batch type
        model: options.model as TrainableModel<any>,
      });
    }
    this.bus = this.container.resolve(RunTokens.EventBus);
    this.runControl = this.container.resolve(RunTokens.RunControl);
    this.control = this.runControl;
  }

  /** Every event of the run, delivered synchronously. Tensors in events are borrowed. */
  get events(): Observable<TrainerEvent> {
    return this.bus.events;
  }

  /** Asks the run to stop after the current step (it evaluates and checkpoints first). */
  requestStop(reason: string): void {
    this.runControl.requestStop(reason);
  }

  /**
   * Ctrl-C: the run finishes its current step, writes a checkpoint (when it has a checkpoint
   * folder; no extra evaluation) and resolves with status "interrupted". Resuming from that
   * checkpoint continues exactly as the uninterrupted run. The loop yields to the event loop
   * after every step, so a signal handler that calls this runs before the step's checkpoint decision.
   */
  interrupt(reason = "SIGINT"): void {
    this.runControl.requestInterrupt(reason);
  }

  /** Trains to the end (or an early stop) and returns the summary; rejects after `run:error` on failure. */
  async run(): Promise<RunSummary> {
    if (this.started) throw new Error("Trainer.run: a Trainer runs once; build a new one for another run");
    this.started = true;
    return new TrainerRun(this.o, this.runInfo, this.bus, this.runControl, this.accumulation, this.container).run();
  }
}

export type { TrainableCounts };
