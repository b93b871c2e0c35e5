import { Observable, Subject, config } from "rxjs";
import type { TrainerEvent } from "./events.js";

/**
 * The run's one event stream. `emit` delivers synchronously to every subscriber; an event
 * emitted while another is being delivered (e.g. `params:frozen` from a freeze inside a
 * `step:end` handler) is queued and delivered right after, so every subscriber sees the same
 * order. An exception thrown by a subscriber is rethrown from `emit` (after the event reached
 * every subscriber), so a failing plugin fails the run with `run:error` instead of being
 * reported later on its own.
 */
export class EventBus {
  private readonly subject = new Subject<TrainerEvent>();
  private readonly queue: TrainerEvent[] = [];
  private delivering = false;
  readonly events: Observable<TrainerEvent> = this.subject.asObservable();

  emit(event: TrainerEvent): void {
    if (this.delivering) {
      this.queue.push(event);
      return;
    }
    this.delivering = true;
    const previous = config.useDeprecatedSynchronousErrorHandling;
    // RxJS 7 reports subscriber errors asynchronously unless this flag is set; set only during delivery.
    config.useDeprecatedSynchronousErrorHandling = true;
    try {
      let next: TrainerEvent | undefined = event;
      while (next) {
        this.subject.next(next);
        next = this.queue.shift();
      }
    } finally {
      this.queue.length = 0;
      config.useDeprecatedSynchronousErrorHandling = previous;
      this.delivering = false;
    }
  }

  complete(): void {
    this.subject.complete();
  }
}
