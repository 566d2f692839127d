/**
 * One source of facts about this machine. A probe has up to two parts: facts
 * that hold for the life of the process (capacity, model, identity), read once
 * at start, and a reading taken every interval. Either part may be absent.
 *
 * Both get an AbortSignal that fires at the probe's deadline: a probe that
 * starts a process or a request must pass it on, so nothing it started
 * outlives the reading.
 */
export interface Probe<Static = unknown, Dynamic = unknown> {
  /** The field this probe fills in facts and samples (`cpu`, `gpus`, …). */
  readonly name: string
  readStatic?: (signal: AbortSignal) => Promise<Static>
  sample?: (signal: AbortSignal) => Promise<Dynamic>
}

/**
 * What one pass over a probe set produced: each probe's value, or null when it
 * failed or ran out of time, in which case `unknown` holds the error code under
 * the probe's name. A field whose probe is not in the set is null and absent
 * from `unknown`: "not on this machine" differs from "not known right now".
 */
export interface Readings<T> {
  values: { [K in keyof T]: T[K] | null }
  unknown: Partial<Record<keyof T & string, string>>
}
