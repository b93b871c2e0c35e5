import type { TrainerEvent } from "./events.js";

/**
 * How much of the event stream a run log keeps. "info" (the default): one small record per
 * step (`step:end` with loss, learning rates, gradient norm and trainable counts) plus the rare
 * events, so a log costs a few hundred bytes per step. "debug": every event, with the detail
 * fields (`step:start`, `step:gradients` with the names of the variables, freezing details,
 * trainable counts per group on every step).
 */
export const EVENT_LOG_LEVELS = ["info", "debug"] as const;
export type EventLogLevel = (typeof EVENT_LOG_LEVELS)[number];

/** The lowest level at which an event is logged at all. */
export function eventLogLevel(type: TrainerEvent["type"]): EventLogLevel {
  return type === "step:start" || type === "step:gradients" ? "debug" : "info";
}

/**
 * The JSON record of `event` for a log at `level`, or null when the level drops it. Tensors
 * are never included (`step:gradients` keeps the variable names); errors keep name, message and
 * stack; at "info" `step:end` keeps the totals of its trainable counts (not per group) and
 * `params:frozen` drops its free-form `details`.
 */
export function eventLogRecord(event: TrainerEvent, level: EventLogLevel = "info"): Record<string, unknown> | null {
  if (level === "info" && eventLogLevel(event.type) === "debug") return null;
  switch (event.type) {
    case "step:gradients":
      return { type: event.type, step: event.step, epoch: event.epoch, variables: [...event.gradients.keys()] };
    case "run:error": {
      const e = event.error as Error & { status?: string; term?: string };
      return {
        type: event.type,
        step: event.step,
        ...(event.status ? { status: event.status } : {}),
        error: { name: e.name, message: e.message, stack: e.stack, ...(e.term ? { term: e.term } : {}) },
      };
    }
    case "step:end": {
      if (level === "debug") return { ...event };
      const { byGroup: _byGroup, ...totals } = event.trainable;
      return { ...event, trainable: totals };
    }
    case "params:frozen": {
      if (level === "debug") return { ...event };
      const { details: _details, ...rest } = event;
      return rest;
    }
    default:
      return { ...event };
  }
}
