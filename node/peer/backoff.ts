/**
 * Exponential backoff with jitter. Jitter keeps a fleet that lost its
 * bootstrap at the same moment from re-dialling it in lockstep.
 */
export interface BackoffOptions {
  /** @default 1_000 */
  initialMs?: number
  /**
   * A node cut off for an hour still retries at least this often; short, so
   * that a healed partition reconnects (and its two coordinators meet) in
   * seconds. A refused dial costs a few packets. @default 5_000
   */
  maxMs?: number
  /** Fraction of the delay randomised either way. @default 0.2 */
  jitter?: number
}

export function backoffDelay (attempt: number, random: () => number, opts: BackoffOptions = {}): number {
  const initial = opts.initialMs ?? 1_000
  const max = opts.maxMs ?? 5_000
  const jitter = opts.jitter ?? 0.2
  const base = Math.min(max, initial * 2 ** Math.max(0, attempt))
  return Math.round(base * (1 - jitter + 2 * jitter * random()))
}
