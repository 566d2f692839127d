/**
 * `optimal`: an offline integer program over the whole trace, solved with
 * HiGHS, for small scenarios. It knows every arrival in advance, so it
 * bounds what any online policy can reach:
 *
 * - each replica goes to one node class for its whole life or stays unplaced;
 * - in every segment between trace events, a class bills an integer number of
 *   busy nodes whose summed capacity covers its load (an aggregate bin-packing
 *   relaxation: identical nodes make per-node variables pure symmetry, which
 *   kept the per-node program from finishing in 20 s; aggregating can only
 *   lower the bound, never raise it);
 * - latency is the users' RTT without the queueing term, and disruptions are
 *   ignored: both only add to the objective, so leaving them out keeps this a
 *   lower bound;
 * - the goal weight on cost is the smallest among replicas running at that
 *   time (the simulator splits a node's bill among its replicas by goal; the
 *   smallest weight never overstates it).
 *
 * When the MIP does not finish within its time limit, the LP relaxation (a
 * weaker but still valid bound) is reported instead, and the row says so.
 */
import { firstRejection } from './filters.ts'
import { rtt, userLatencyMs } from './latency.ts'
import { COST_REF_PER_HOUR, GOAL_TRADEOFF, LATENCY_REF_MS, SLO_PENALTY, UNPLACED_PENALTY } from './objective.ts'
import type { Scenario } from './scenario.ts'
import { buildFleet, type SimNode } from './sim/fleet.ts'
import { LatencyTally } from './sim/latency-tally.ts'
import { requestOf, type SimulationResult } from './sim/simulator.ts'
import { workloadTrace } from './sim/trace.ts'
import type { PlacementRequest } from './types.ts'

/** Above these sizes the program is too large to solve on one core in seconds. */
export const OPTIMAL_MAX_NODES = 30
export const OPTIMAL_MAX_REPLICAS = 60

interface Rep {
  req: PlacementRequest
  start: number
  end: number
}

export interface OptimalOptions {
  seed?: number
  /** @default 20 */
  timeLimitSeconds?: number
}

/** The bound as a result row, or undefined with a reason when the scenario is too large. */
export async function optimalBound (scenario: Scenario, options: OptimalOptions = {}): Promise<{ result?: SimulationResult, reason?: string }> {
  const seed = options.seed ?? scenario.seed
  const nodes = buildFleet(scenario, false, seed)
  const reps: Rep[] = []
  for (const inst of workloadTrace(scenario, seed)) {
    for (let i = 0; i < inst.replicas; i++) reps.push({ req: requestOf(inst, i), start: inst.arrivalHours, end: inst.endHours })
  }
  if (nodes.length > OPTIMAL_MAX_NODES || reps.length > OPTIMAL_MAX_REPLICAS) {
    return { reason: `optimal needs <= ${OPTIMAL_MAX_NODES} nodes and <= ${OPTIMAL_MAX_REPLICAS} replicas, scenario has ${nodes.length} and ${reps.length}` }
  }
  const startupH = scenario.replicaStartupSeconds / 3600
  const times = [...new Set(reps.flatMap(r => [r.start, r.end]))].sort((a, b) => a - b)
  const segments = times.slice(0, -1).map((t, k) => ({ from: t, to: times[k + 1] as number }))
  const active = (r: Rep, k: number): boolean => r.start <= (segments[k]?.from as number) && r.end >= (segments[k]?.to as number)

  // One representative node per class: classes differ, nodes within one do not (disruptions aside).
  const classes = [...new Set(nodes.map(n => n.cls.name))].map(name => {
    const members = nodes.filter(n => n.cls.name === name)
    return { node: members[0] as SimNode, count: members.length }
  })
  const obj: string[] = []
  const rows: string[] = []
  const binaries: string[] = []
  const integers: string[] = []
  const bounds: string[] = []
  const feasible = reps.map(r => classes.map((c, j) => firstRejection(r.req, c.node) === undefined ? j : -1).filter(j => j >= 0))
  const serveCost = (r: Rep, n: SimNode): number => {
    const hours = Math.max(0, r.end - r.start - startupH)
    const lat = userLatencyMs(scenario.latencyMs, r.req.users, n.region, 0)
    const worst = r.req.users.length === 0 ? 0 : Math.max(...r.req.users.map(u => rtt(scenario.latencyMs, u.region, n.region)))
    const over = r.req.sloLatencyMs !== undefined && worst > r.req.sloLatencyMs ? SLO_PENALTY : 0
    return hours * (GOAL_TRADEOFF[r.req.goal].latency * lat / LATENCY_REF_MS + over)
  }
  reps.forEach((r, i) => {
    const terms = (feasible[i] as number[]).map(j => `x_${i}_${j}`)
    for (const j of feasible[i] as number[]) {
      obj.push(`${serveCost(r, (classes[j] as { node: SimNode }).node).toFixed(9)} x_${i}_${j}`)
      binaries.push(`x_${i}_${j}`)
    }
    obj.push(`${(UNPLACED_PENALTY * (r.end - r.start)).toFixed(9)} u_${i}`)
    bounds.push(`0 <= u_${i} <= 1`)
    rows.push(`assign_${i}: ${[...terms, `u_${i}`].join(' + ')} = 1`)
  })
  segments.forEach((seg, k) => {
    const running = reps.map((r, i) => active(r, k) ? i : -1).filter(i => i >= 0)
    if (running.length === 0) return
    const wc = Math.min(...running.map(i => GOAL_TRADEOFF[(reps[i] as Rep).req.goal].cost))
    classes.forEach(({ node: n, count }, j) => {
      const here = running.filter(i => (feasible[i] as number[]).includes(j))
      if (here.length === 0) return
      const z = `z_${j}_${k}`
      obj.push(`${(n.pricePerHour * (seg.to - seg.from) * wc / COST_REF_PER_HOUR).toFixed(9)} ${z}`)
      integers.push(z)
      bounds.push(`0 <= ${z} <= ${count}`)
      const dims: Array<[string, (r: Rep) => number, number]> = [
        ['cpu', r => r.req.resources.cpuMillis, n.capacity.cpuMillis],
        ['mem', r => r.req.resources.memoryBytes / 2 ** 20, n.capacity.memoryBytes / 2 ** 20],
        ['gpu', r => r.req.resources.gpus, n.capacity.gpus]
      ]
      // A busy node per replica at least as large as the largest single replica share.
      for (const i of here) rows.push(`busy_${i}_${j}_${k}: x_${i}_${j} - ${z} <= 0`)
      for (const [dim, use, cap] of dims) {
        const terms = here.filter(i => use(reps[i] as Rep) > 0).map(i => `${use(reps[i] as Rep)} x_${i}_${j}`)
        if (terms.length > 0) rows.push(`${dim}_${j}_${k}: ${terms.join(' + ')} - ${cap} ${z} <= 0`)
      }
    })
  })
  const lp = (integer: boolean): string => [
    'Minimize', ` obj: ${obj.join(' + ')}`, 'Subject To', ...rows.map(r => ` ${r}`),
    'Bounds', ...binaries.map(b => ` 0 <= ${b} <= 1`), ...bounds.map(b => ` ${b}`),
    ...(integer ? ['General', ...binaries.map(b => ` ${b}`), ...integers.map(z => ` ${z}`)] : []), 'End'
  ].join('\n')

  // highs is CommonJS whose module.exports is the loader; its typings describe an ES default export.
  const loader = (await import('highs')).default as unknown as (typeof import('highs'))['default']
  const highs = await loader()
  const started = performance.now()
  let solution = highs.solve(lp(true), { time_limit: options.timeLimitSeconds ?? 20, mip_rel_gap: 1e-6 })
  let label = 'optimal'
  if (solution.Status !== 'Optimal') {
    solution = highs.solve(lp(false), {})
    label = 'optimal (LP bound)'
    if (solution.Status !== 'Optimal') return { reason: `HiGHS could not solve the bound: ${solution.Status}` }
  }
  const seconds = (performance.now() - started) / 1000
  const value = (name: string): number => (solution.Columns[name] as { Primal?: number } | undefined)?.Primal ?? 0
  const requestedHours = reps.reduce((s, r) => s + r.end - r.start, 0)
  const tally = new LatencyTally()
  let bill = 0
  let placed = 0
  const dtH = scenario.sampleMinutes / 60
  reps.forEach((r, i) => {
    for (const j of feasible[i] as number[]) {
      const x = value(`x_${i}_${j}`)
      if (x < 0.5) continue
      placed++
      const n = (classes[j] as { node: SimNode }).node
      const hours = Math.max(0, r.end - r.start - startupH)
      let worst = 0
      const total = r.req.users.reduce((s, u) => s + u.weight, 0)
      for (const u of r.req.users) {
        const ms = rtt(scenario.latencyMs, u.region, n.region)
        worst = Math.max(worst, ms)
        tally.latency(r.req, ms, hours * u.weight / total)
      }
      tally.slo(r.req, worst, Math.round(hours / dtH))
    }
  })
  segments.forEach((seg, k) => classes.forEach(({ node: n }, j) => { bill += value(`z_${j}_${k}`) * n.pricePerHour * (seg.to - seg.from) }))
  return {
    result: {
      policy: label,
      costPerHour: bill / scenario.durationHours,
      ...tally.result(),
      placed,
      unplaced: reps.length - placed,
      interruptedReplicaMinutes: 0,
      migrations: 0,
      // Not a per-decision policy: the whole trace is one solve.
      decisionsPerSecond: seconds > 0 ? reps.length / seconds : 0,
      objective: solution.ObjectiveValue / requestedHours,
      warnings: []
    }
  }
}
