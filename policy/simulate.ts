/**
 * The simulator's front door, as `hyperion simulate` and the benchmark call
 * it: named policies in one run on the same trace.
 */
import { InvalidInputError } from '../protocol/errors.ts'
import { HEURISTIC_POLICIES, spreadPolicy } from './heuristics.ts'
import { LEARNED_POLICY_NAME, loadLearnedPolicy } from './learned/policy.ts'
import { optimalBound } from './optimal.ts'
import type { PlacementPolicy } from './pipeline.ts'
import type { Scenario } from './scenario.ts'
import { simulateOne, type SimulationResult } from './sim/simulator.ts'

/**
 * Every policy `simulate` knows, in the order results are printed. `optimal`
 * is an offline lower bound (optimal.ts), computed only for small scenarios.
 */
export const POLICY_NAMES = ['static', 'spread', 'binpack', 'greedy', 'learned', 'optimal'] as const
export type PolicyName = typeof POLICY_NAMES[number]

export interface SimulateOptions {
  /** @default all of POLICY_NAMES */
  policies?: readonly string[]
  /** Overrides the scenario's seed. */
  seed?: number
  /** The learned model file or bytes. @default fixtures/policy/placement.onnx */
  model?: string | URL | Uint8Array
  /** An already loaded learned policy (skips loading `model`). */
  learned?: PlacementPolicy
}

export interface SimulateReport {
  scenario: string
  seed: number
  results: SimulationResult[]
  /** E.g. the learned model could not be loaded and greedy stood in. */
  warnings: string[]
}

export async function simulate (scenario: Scenario, options: SimulateOptions = {}): Promise<SimulateReport> {
  const names = options.policies ?? POLICY_NAMES
  for (const n of names) {
    if (!(POLICY_NAMES as readonly string[]).includes(n)) {
      throw new InvalidInputError(`--policy: unknown policy ${JSON.stringify(n)}; known: ${POLICY_NAMES.join(', ')}`, 'UNKNOWN_POLICY')
    }
  }
  const warnings: string[] = []
  const seed = options.seed ?? scenario.seed
  const results: SimulationResult[] = []
  for (const name of POLICY_NAMES.filter(n => names.includes(n))) {
    if (name === 'optimal') {
      const bound = await optimalBound(scenario, { seed })
      if (bound.result !== undefined) results.push(bound.result)
      else warnings.push(`no optimal row: ${bound.reason ?? 'unknown'}`)
      continue
    }
    if (name === 'static') {
      results.push(await simulateOne(scenario, spreadPolicy, { staticFleet: true, seed }))
      continue
    }
    let policy = HEURISTIC_POLICIES[name]
    if (name === LEARNED_POLICY_NAME) {
      if (options.learned !== undefined) {
        policy = options.learned
      } else {
        const loaded = await loadLearnedPolicy(options.model)
        if (loaded.warning !== undefined) warnings.push(loaded.warning)
        policy = loaded.policy
      }
    }
    if (policy === undefined) throw new Error(`no policy registered as ${name}`)
    const result = await simulateOne(scenario, policy, { seed })
    // A stand-in keeps the requested row name, flagged, so tables stay aligned.
    if (policy.fallback !== undefined) result.policy = `${name} (fallback: ${policy.name})`
    results.push(result)
  }
  return { scenario: scenario.name, seed, results, warnings }
}
