import { appendFileSync, closeSync, fsyncSync, openSync } from "node:fs";
import type { TrainerEvent } from "@aflora/core";
import { eventToRecord } from "@aflora/metrics";

/**
 * Appends every trainer event to events.jsonl as one JSON line (tensors omitted), and each
 * evaluation to metrics.jsonl. Appends are synchronous so a killed process loses at most
 * the line being written, which the reader tolerates.
 */
export class EventsLog {
  private readonly fd: number;
  private readonly metricsFd: number;

  constructor(eventsPath: string, metricsPath: string) {
    this.fd = openSync(eventsPath, "a");
    this.metricsFd = openSync(metricsPath, "a");
  }

  write(event: TrainerEvent): void {
    const record = eventToRecord(event);
    appendFileSync(this.fd, JSON.stringify(record) + "\n");
    if (event.type === "eval:end") appendFileSync(this.metricsFd, JSON.stringify({ step: event.step, epoch: event.epoch, ...event.metrics, time: record.time }) + "\n");
    // A checkpoint is only useful with the events leading to it on disk.
    if (event.type === "checkpoint:saved") fsyncSync(this.fd);
  }

  close(): void {
    closeSync(this.fd);
    closeSync(this.metricsFd);
  }
}
