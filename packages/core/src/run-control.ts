import type { TrainerControl } from "./trainer-plugin.js";

/** The trainer's side of TrainerControl: plugins request, the trainer reads and clears. */
export class RunControl implements TrainerControl {
  private stopReason: string | null = null;
  private interruptReason: string | null = null;
  private checkpointWanted = false;

  requestStop(reason: string): void {
    this.stopReason ??= reason;
  }

  requestCheckpoint(): void {
    this.checkpointWanted = true;
  }

  /**
   * Ctrl-C: finish the current step, write a checkpoint (no evaluation, so a resumed run is the
   * uninterrupted one) and end the run with status "interrupted".
   */
  requestInterrupt(reason: string): void {
    this.interruptReason ??= reason;
    this.requestStop(reason);
  }

  get stopRequested(): string | null {
    return this.stopReason;
  }

  get interruptRequested(): string | null {
    return this.interruptReason;
  }

  /** True once per request. */
  takeCheckpointRequest(): boolean {
    const w = this.checkpointWanted;
    this.checkpointWanted = false;
    return w;
  }
}
