/**
 * The feature vector of one (replica, node) candidate, as the learned scorer
 * sees it. Append-only: the model file records these names, and a model whose
 * names differ is refused (the policy then falls back to the heuristic).
 */
import { GOAL_WEIGHTS, weightedTotal, type Candidate } from '../scorers.ts'
import type { PlacementRequest } from '../types.ts'

export const FEATURE_NAMES = [
  'score.cost', 'score.latency', 'score.slo', 'score.spot', 'score.locality', 'score.packing', 'score.risk',
  'log1p.costPerHour', 'latencyMs/100', 'opensIdleNode', 'share', 'spot',
  'goal.cost', 'goal.latency', 'goal.default', 'hasUsers', 'greedyTotal', 'score.gpu'
] as const

export const FEATURE_COUNT = FEATURE_NAMES.length

/** Row-major [candidates × FEATURE_COUNT] matrix. */
export function featureMatrix (req: PlacementRequest, candidates: Candidate[]): Float32Array {
  const F = FEATURE_COUNT
  const out = new Float32Array(candidates.length * F)
  const goal = req.goal
  const weights = GOAL_WEIGHTS[goal]
  for (let i = 0; i < candidates.length; i++) {
    const c = candidates[i] as Candidate
    const s = c.scores
    const o = i * F
    out[o] = s.cost
    out[o + 1] = s.latency
    out[o + 2] = s.slo
    out[o + 3] = s.spot
    out[o + 4] = s.locality
    out[o + 5] = s.packing
    out[o + 6] = s.risk
    out[o + 7] = Math.log1p(c.costPerHour)
    out[o + 8] = Math.min(c.latencyMs, 1000) / 100
    out[o + 9] = c.node.replicas === 0 ? 1 : 0
    out[o + 10] = Math.min(c.share, 1)
    out[o + 11] = c.node.spot ? 1 : 0
    out[o + 12] = goal === 'cost' ? 1 : 0
    out[o + 13] = goal === 'latency' ? 1 : 0
    out[o + 14] = goal === 'default' ? 1 : 0
    out[o + 15] = req.users.length > 0 ? 1 : 0
    out[o + 16] = weightedTotal(s, weights)
    out[o + 17] = s.gpu
  }
  return out
}
