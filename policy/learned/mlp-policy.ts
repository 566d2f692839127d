/**
 * The learned scorer run in TypeScript: the trainer's view of the policy,
 * and the reference the ONNX model is checked against.
 */
import type { PlacementPolicy } from '../pipeline.ts'
import type { Rng } from '../rng.ts'
import { featureMatrix } from './features.ts'
import { predict, type Mlp } from './mlp.ts'

export function mlpPolicy (mlp: Mlp, name = 'learned-ts'): PlacementPolicy {
  return {
    name,
    rank: (req, candidates) => predict(mlp, featureMatrix(req, candidates), candidates.length)
  }
}

/** One sampled decision, kept for the policy-gradient update. */
export interface Step {
  x: Float32Array
  n: number
  chosen: number
  probs: Float64Array
}

export function softmax (logits: Float64Array): Float64Array {
  let max = -Infinity
  for (const l of logits) max = Math.max(max, l)
  const out = new Float64Array(logits.length)
  let sum = 0
  for (let i = 0; i < logits.length; i++) {
    out[i] = Math.exp((logits[i] as number) - max)
    sum += out[i] as number
  }
  for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) / sum
  return out
}

/**
 * Samples a node from softmax(scores) and records the step. It returns 1
 * for the sampled candidate and 0 elsewhere, so the pipeline (and its
 * constraint re-check) places exactly what was sampled.
 */
export function samplingPolicy (mlp: Mlp, rng: Rng, steps: Step[]): PlacementPolicy {
  return {
    name: 'learned-sampling',
    rank (req, candidates) {
      const n = candidates.length
      const x = featureMatrix(req, candidates)
      const probs = softmax(predict(mlp, x, n))
      let u = rng.next()
      let chosen = n - 1
      for (let i = 0; i < n; i++) {
        u -= probs[i] as number
        if (u < 0) { chosen = i; break }
      }
      steps.push({ x, n, chosen, probs })
      const out = new Float64Array(n)
      out[chosen] = 1
      return out
    }
  }
}
