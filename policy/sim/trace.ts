/**
 * The policy-independent randomness of a run: workload arrivals and node
 * disruptions are drawn once from the scenario's seed, so every policy faces
 * the same trace (common random numbers) and differences are the policy's.
 */
import { createRng, deriveSeed, exponential, uniform, uniformInt } from '../rng.ts'
import type { Scenario, ScenarioNodeClass, ScenarioWorkload } from '../scenario.ts'

export interface WorkloadInstance {
  id: string
  kind: ScenarioWorkload
  arrivalHours: number
  endHours: number
  replicas: number
}

export interface Disruption {
  /** Hours since the start. */
  time: number
  kind: 'interruption' | 'failure'
}

export function workloadTrace (scenario: Scenario, seed = scenario.seed): WorkloadInstance[] {
  const out: WorkloadInstance[] = []
  for (const kind of scenario.workloads) {
    const rng = createRng(deriveSeed(seed, `workload:${kind.name}`))
    let t = 0
    for (let i = 0; i < kind.count; i++) {
      t += exponential(rng, kind.arrivalPerHour)
      if (t >= scenario.durationHours) break
      const d = kind.durationHours
      const duration = Array.isArray(d) ? uniform(rng, d[0], d[1]) : d
      const r = kind.replicas
      const replicas = Array.isArray(r) ? uniformInt(rng, r[0], r[1]) : r
      out.push({ id: `${kind.name}-${i}`, kind, arrivalHours: t, endHours: Math.min(scenario.durationHours, t + duration), replicas })
    }
  }
  return out.sort((a, b) => a.arrivalHours - b.arrivalHours || a.id.localeCompare(b.id))
}

/** Disruption times of one node: Poisson interruptions (spot only) and failures over the run. */
export function disruptionTrace (scenario: Scenario, cls: ScenarioNodeClass, nodeId: string, seed = scenario.seed): Disruption[] {
  const rng = createRng(deriveSeed(seed, `node:${nodeId}`))
  const out: Disruption[] = []
  const draw = (perDay: number, kind: Disruption['kind']): void => {
    let t = 0
    for (;;) {
      t += exponential(rng, perDay / 24)
      if (t >= scenario.durationHours) return
      out.push({ time: t, kind })
    }
  }
  if (cls.spot) draw(cls.interruptionsPerDay, 'interruption')
  draw(cls.failuresPerDay, 'failure')
  return out.sort((a, b) => a.time - b.time)
}
