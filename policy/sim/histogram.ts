/**
 * Weighted latency histogram with fixed 0.25 ms bins: percentiles over
 * replica-time without keeping every sample, and exactly reproducible.
 */
const BIN_MS = 0.25
const MAX_MS = 5000
const BINS = Math.ceil(MAX_MS / BIN_MS) + 1

export class LatencyHistogram {
  private readonly bins = new Float64Array(BINS)
  private total = 0

  add (latencyMs: number, weight: number): void {
    if (weight <= 0) return
    const i = Math.min(BINS - 1, Math.max(0, Math.round(latencyMs / BIN_MS)))
    this.bins[i] = (this.bins[i] as number) + weight
    this.total += weight
  }

  /** The latency below which fraction `q` of the weight lies; 0 when empty. */
  quantile (q: number): number {
    if (this.total === 0) return 0
    const target = q * this.total
    let acc = 0
    for (let i = 0; i < BINS; i++) {
      acc += this.bins[i] as number
      if (acc >= target) return i * BIN_MS
    }
    return MAX_MS
  }
}
