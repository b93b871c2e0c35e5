import type { TrainerControl } from "./trainer-plugin.js";

/** The trainer's side of TrainerControl: plugins request, the trainer reads and clears. */
export class RunControl implements TrainerControl {
  private stopReason: string | null = null;
  private checkpointWanted = false;

  requestStop(reason: string): void {
    this.stopReason ??= reason;
  }

  requestCheckpoint(): void {
    this.checkpointWanted = true;
  }

  get stopRequested(): string | null {
    return this.stopReason;
  }

  /** True once per request. */
  takeCheckpointRequest(): boolean {
    const w = this.checkpointWanted;
    this.checkpointWanted = false;
    return w;
  }
}
