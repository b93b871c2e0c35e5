import {
  appendFileSync,
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readSync,
  fstatSync,
  ftruncateSync,
} from "node:fs";
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
    warn: (message: string) => void = (m) => process.stderr.write(`warning: ${m}\n`),
  ) {
    repairTornTail(eventsPath, warn);
    repairTornTail(metricsPath, warn);
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

  private closed = false;

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
    closeSync(this.metricsFd);
  }
}

/**
 * A process killed (or a disk filled) during an append leaves a partial last line. Before anything
 * is appended, the file is cut back to its last complete line, so the log stays one JSON record per line.
 */
export function repairTornTail(path: string, warn: (message: string) => void): void {
  if (!existsSync(path)) return;
  const fd = openSync(path, "r+");
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return;
    const last = Buffer.alloc(1);
    readSync(fd, last, 0, 1, size - 1);
    if (last[0] === 0x0a) return;
    // Scan back in chunks for the last newline; everything after it is the torn record.
    const chunk = Buffer.alloc(64 * 1024);
    let end = size;
    let keep = 0;
    while (end > 0) {
      const start = Math.max(0, end - chunk.length);
      const n = readSync(fd, chunk, 0, end - start, start);
      const i = chunk.subarray(0, n).lastIndexOf(0x0a);
      if (i >= 0) {
        keep = start + i + 1;
        break;
      }
      end = start;
    }
    ftruncateSync(fd, keep);
    warn(`${path}: cut a partial last line (${size - keep} bytes) left by an interrupted write`);
  } finally {
    closeSync(fd);
  }
}
