/**
 * The fabric's failure-detection and election timing: every default in one
 * place with the reason for its value, and the formulas as pure functions
 * (tested with tables). Targets: a dead node declared dead by every node of
 * its region within 3 s on a LAN; no healthy node declared dead over 10
 * minutes with 10% packet loss on every link.
 */
export const TIMING_DEFAULTS = {
  probeIntervalMs: 400, // one probe per period: a member of a 3-node region is probed every ~0.8 s
  probeTimeoutMs: 200, // LAN RTT is ~1 ms; 200 ms rides out one QUIC retransmission under loss
  indirectProbes: 3, // memberlist's k: three other paths before suspecting
  suspicionMult: 3, // suspicion lasts mult · log10(n+1) · interval, Lifeguard-style, at least...
  minSuspicionMs: 800, // ... this long, so a refutation can cross a lossy link (QUIC retransmits)
  maxSuspicionFactor: 2, // ... and starts at up to 2x that, shrinking as others confirm (Lifeguard); small regions need the 3 s budget
  claimIntervalMs: 1_000, // a coordinator's claim is its heartbeat; deaths are the failure detector's job, so 1/s is plenty
  settleMs: 2_000 // membership must be quiet this long (two claims) before a node without a coordinator claims
} as const

export type Timing = typeof TIMING_DEFAULTS

/** memberlist's suspicion timeout: grows with log10 of the region size, never below the minimum. */
export function suspicionTimeoutMs (members: number, t: Pick<Timing, 'suspicionMult' | 'probeIntervalMs' | 'minSuspicionMs'> = TIMING_DEFAULTS): number {
  const scaled = t.suspicionMult * Math.log10(Math.max(1, members) + 1) * t.probeIntervalMs
  return Math.max(t.minSuspicionMs, Math.round(scaled))
}

/**
 * Lifeguard: a suspicion starts at `max` and shrinks towards `min` as
 * independent members confirm it (k expected confirmations), so a node
 * suspected by many is declared dead quickly and one suspected by a single
 * flaky observer gets time to refute.
 */
export function lifeguardTimeoutMs (minMs: number, maxMs: number, confirmations: number, expected: number): number {
  if (expected <= 0 || confirmations >= expected) return minMs
  const frac = Math.log(confirmations + 1) / Math.log(expected + 1)
  return Math.max(minMs, Math.round(maxMs - (maxMs - minMs) * frac))
}
