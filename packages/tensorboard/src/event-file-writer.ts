import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { encodeEvent, type TbEvent, type TbValue } from "./proto.js";
import { frameRecord } from "./record.js";
import { pngSize } from "./png-size.js";

/** The version string TensorBoard expects in the first event of every file. */
export const FILE_VERSION = "brain.Event:2";

export interface EventFileWriterOptions {
  /** Clock in milliseconds (tests pin it). */
  now?: () => number;
  host?: string;
}

/**
 * Appends TensorBoard events to `<logDir>/events.out.tfevents.<seconds>.<host>`, as TensorFlow's
 * and PyTorch's SummaryWriter do. Each event is written (and reaches the OS) when added, so
 * TensorBoard and the dashboard see a run while it trains; the file is an append-only log
 * (readers skip a record cut short), so it is not written atomically.
 */
export class EventFileWriter {
  readonly path: string;
  private fd: number | null;
  private readonly now: () => number;

  constructor(logDir: string, options: EventFileWriterOptions = {}) {
    this.now = options.now ?? Date.now;
    mkdirSync(logDir, { recursive: true });
    const base = join(logDir, `events.out.tfevents.${Math.floor(this.now() / 1000)}.${options.host ?? hostname()}`);
    let path = base;
    // A resumed run restarted within the same second gets a second file, never a mixed one.
    for (let i = 1; existsSync(path); i++) path = `${base}.${i}`;
    this.path = path;
    this.fd = openSync(path, "wx");
    this.write({ wallTime: this.wallTime(), step: 0, fileVersion: FILE_VERSION });
  }

  /** Scalars of one step, in one event (TensorBoard reads each value as its own series). */
  addScalars(values: Record<string, number>, step: number, wallTime = this.wallTime()): void {
    const value: TbValue[] = Object.entries(values)
      .filter(([, v]) => Number.isFinite(v))
      .map(([tag, simpleValue]) => ({ tag, simpleValue }));
    if (value.length) this.write({ wallTime, step, summary: { value } });
  }

  addScalar(tag: string, value: number, step: number, wallTime = this.wallTime()): void {
    this.addScalars({ [tag]: value }, step, wallTime);
  }

  /** A PNG image summary (TensorBoard's Images tab). */
  addImage(tag: string, png: Uint8Array, step: number, wallTime = this.wallTime()): void {
    const { width, height, channels } = pngSize(png);
    this.write({
      wallTime,
      step,
      summary: { value: [{ tag, image: { height, width, colorspace: channels, encodedImageString: png } }] },
    });
  }

  /**
   * Marks a restart at `step` (a resumed run): TensorBoard drops the points it already has at this
   * step or later, as with PyTorch's `SummaryWriter(purge_step=...)`.
   */
  addSessionStart(step: number, wallTime = this.wallTime()): void {
    this.write({ wallTime, step, sessionLog: { status: 1 } });
  }

  close(): void {
    if (this.fd === null) return;
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = null;
  }

  private write(event: TbEvent): void {
    if (this.fd === null) throw new Error(`${this.path}: the event file is closed`);
    writeSync(this.fd, frameRecord(encodeEvent(event)));
  }

  private wallTime(): number {
    return this.now() / 1000;
  }
}
