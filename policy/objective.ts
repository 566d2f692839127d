/**
 * The combined objective the simulator reports and the trainer optimises
 * (the seed's reward, negated): goal-weighted cost and latency per
 * replica-hour, plus large penalties for missed SLOs, downtime and work left
 * unplaced. Lower is better. One definition, so training and reporting agree.
 */
import type { Goal } from './types.ts'

/** $/h that counts as one unit of cost: about one on-demand GPU VM. */
export const COST_REF_PER_HOUR = 1
/** Latency that counts as one unit: a cross-continent round trip. */
export const LATENCY_REF_MS = 100
/** Per replica-hour over its SLO: worse than any cost or latency difference. */
export const SLO_PENALTY = 2
/** Per replica-hour down after an interruption or failure. */
export const DOWNTIME_PENALTY = 4
/** Per replica-hour waiting for capacity. */
export const UNPLACED_PENALTY = 4

export const GOAL_TRADEOFF: Record<Goal, { cost: number, latency: number }> = {
  cost: { cost: 1, latency: 0.25 },
  latency: { cost: 0.25, latency: 1 },
  default: { cost: 0.5, latency: 0.5 }
}

/** What one placement led to, accumulated while the replica ran there. */
export interface Outcome {
  goal: Goal
  hours: number
  /** $ attributed to the replica (its node's bill split among its replicas). */
  cost: number
  /** Mean user latency × hours, in ms·h. */
  latencyMsHours: number
  sloViolationHours: number
  downtimeHours: number
}

/** Objective contribution of one placement's outcome (not normalised). */
export function outcomeCost (o: Outcome): number {
  const w = GOAL_TRADEOFF[o.goal]
  return w.cost * o.cost / COST_REF_PER_HOUR +
    w.latency * o.latencyMsHours / LATENCY_REF_MS +
    SLO_PENALTY * o.sloViolationHours +
    DOWNTIME_PENALTY * o.downtimeHours
}
