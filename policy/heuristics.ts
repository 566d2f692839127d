/**
 * Hand-written rankers: the baselines a learned policy has to beat.
 */
import type { PlacementPolicy } from './pipeline.ts'
import { GOAL_WEIGHTS, weightedTotal, type Candidate } from './scorers.ts'
import type { PlacementRequest } from './types.ts'

function byCandidate (name: string, f: (req: PlacementRequest, c: Candidate) => number): PlacementPolicy {
  return {
    name,
    rank (req, candidates) {
      const out = new Float64Array(candidates.length)
      for (let i = 0; i < candidates.length; i++) out[i] = f(req, candidates[i] as Candidate)
      return out
    }
  }
}

/** Kubernetes' LeastAllocated: the emptiest node first, whatever it costs. */
export const spreadPolicy: PlacementPolicy = byCandidate('spread', (_r, c) => 1 - c.utilAfter)

/** MostAllocated: fill nodes before opening new ones. */
export const binpackPolicy: PlacementPolicy = byCandidate('binpack', (_r, c) => c.utilAfter)

/**
 * The hand-tuned cost/latency heuristic: every scorer weighted by the
 * workload's goal, but SLO first: a node that meets the SLO always beats one
 * that misses it, since no cost saving is worth a broken latency promise.
 */
export const greedyPolicy: PlacementPolicy = byCandidate('greedy', (r, c) =>
  weightedTotal(c.scores, GOAL_WEIGHTS[r.goal]) - (c.scores.slo < 1 ? 1 : 0))

export const HEURISTIC_POLICIES: Record<string, PlacementPolicy> = {
  spread: spreadPolicy,
  binpack: binpackPolicy,
  greedy: greedyPolicy
}
