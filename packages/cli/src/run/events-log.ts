import { appendFileSync, closeSync, fsyncSync, openSync } from "node:fs";
import { eventLogRecord, type EventLogLevel, type TrainerEvent } from "@aflora/core";

/**
 * Appends trainer events to events.jsonl as one JSON line each (at "info", the per-step detail is
 * left out: see core's eventLogRecord), and each evaluation to metrics.jsonl. Appends are
 * synchronous so a killed process loses at most the line being written, which readers skip.
 */
export class EventsLog {
  private readonly fd: number;
  private readonly metricsFd: number;

  constructor(
    eventsPath: string,
    metricsPath: string,
    private readonly level: EventLogLevel = "info",
  ) {
    this.fd = openSync(eventsPath, "a");
    this.metricsFd = openSync(metricsPath, "a");
  }

  write(event: TrainerEvent): void {
    const record = eventLogRecord(event, this.level);
    const time = Date.now();
    if (record) appendFileSync(this.fd, JSON.stringify({ ...record, time }) + "\n");
    if (event.type === "eval:end")
      appendFileSync(
        this.metricsFd,
        JSON.stringify({ step: event.step, epoch: event.epoch, ...event.metrics, time }) + "\n",
      );
    // A checkpoint is only useful with the events leading to it on disk.
    if (event.type === "checkpoint:saved") fsyncSync(this.fd);
  }

  close(): void {
    closeSync(this.fd);
    closeSync(this.metricsFd);
  }
}
