import { LatencyHistogram } from './histogram.ts'

/** What the tally needs of a replica's request. */
interface SloRequest { goal: string, sloLatencyMs?: number | undefined }

/**
 * The latency and SLO figures of a simulation result, accumulated the same
 * way by the simulator and by the LP bound: user latency weighted by
 * replica-hours and user share, SLO checks counted per sample, and both again
 * for latency-goal workloads alone.
 */
export class LatencyTally {
  private readonly all = new LatencyHistogram()
  private readonly latencyGoal = new LatencyHistogram()
  private sloSamples = 0
  private sloViolations = 0
  private goalSamples = 0
  private goalViolations = 0

  /** One user's latency to a replica, for `weight` replica-hours. */
  latency (req: SloRequest, ms: number, weight: number): void {
    this.all.add(ms, weight)
    if (req.goal === 'latency' && req.sloLatencyMs !== undefined) this.latencyGoal.add(ms, weight)
  }

  /** `samples` SLO checks of a replica whose worst user saw `worstMs`; true when they violate it. */
  slo (req: SloRequest, worstMs: number, samples = 1): boolean {
    if (req.sloLatencyMs === undefined) return false
    const violated = worstMs > req.sloLatencyMs
    this.sloSamples += samples
    if (violated) this.sloViolations += samples
    if (req.goal === 'latency') {
      this.goalSamples += samples
      if (violated) this.goalViolations += samples
    }
    return violated
  }

  result () {
    return {
      p50LatencyMs: this.all.quantile(0.5),
      p99LatencyMs: this.all.quantile(0.99),
      sloViolations: this.sloViolations,
      sloAttainment: this.sloSamples === 0 ? 1 : 1 - this.sloViolations / this.sloSamples,
      latencyGoalP99Ms: this.goalSamples === 0 ? null : this.latencyGoal.quantile(0.99),
      latencyGoalSloAttainment: this.goalSamples === 0 ? null : 1 - this.goalViolations / this.goalSamples
    }
  }
}
