/**
 * Time as every layer sees it. Every loop, timeout and poller takes a
 * Clock so tests drive time by hand and nothing reads global timers directly.
 */

/** An opaque timer handle; only the clock that made it can clear it. */
export type TimerHandle = unknown

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number
  setTimeout(fn: () => void, ms: number): TimerHandle
  clearTimeout(handle: TimerHandle): void
}

/** The process's real clock. Timers are unref'd: timers alone never keep a stopping daemon (or a test) alive. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = globalThis.setTimeout(fn, ms)
    t.unref()
    return t
  },
  clearTimeout: (handle) => { globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>) }
}
