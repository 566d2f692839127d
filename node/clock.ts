/**
 * Time as the daemon's components see it. Injected so that timeouts,
 * backoff and expiry are tested with a fake clock instead of sleeps.
 */
export interface Clock {
  now(): number
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms)
    // Timers alone must never keep a stopping daemon (or a test) alive.
    t.unref()
    return t
  },
  clearTimeout: (handle) => { clearTimeout(handle as NodeJS.Timeout) }
}
