/**
 * Discrete-event simulation of one policy on one scenario. Arrivals and
 * disruptions come from the seeded trace; the policy decides placements;
 * the simulator bills busy nodes, samples user latency (RTT plus queueing on
 * the node), moves replicas off nodes under spot notice (make-before-break)
 * and re-places replicas of failed nodes after failure detection.
 */
import { queueMs, rtt } from '../latency.ts'
import { UNPLACED_PENALTY, outcomeCost, type Outcome } from '../objective.ts'
import { place, type PlacementPolicy } from '../pipeline.ts'
import type { Scenario } from '../scenario.ts'
import type { PlacementRequest } from '../types.ts'
import { EventHeap } from './heap.ts'
import { LatencyTally } from './latency-tally.ts'
import { buildFleet, fabricOf, type SimNode } from './fleet.ts'
import { workloadTrace, type WorkloadInstance } from './trace.ts'

const GIB = 1024 ** 3

export interface SimulationResult {
  policy: string
  costPerHour: number
  p50LatencyMs: number
  p99LatencyMs: number
  /** Replica samples (one per sampleMinutes) whose worst user latency exceeded the workload's SLO. */
  sloViolations: number
  /** Fraction of SLO-bound replica time within the SLO. */
  sloAttainment: number
  /** p99 user latency of latency-goal workloads with an SLO (the goal is stated for them); null without any. */
  latencyGoalP99Ms: number | null
  /** Fraction of latency-goal replica time within the SLO; null without any. */
  latencyGoalSloAttainment: number | null
  placed: number
  unplaced: number
  interruptedReplicaMinutes: number
  migrations: number
  /** Wall-clock placements per second: the only figure that is not reproducible. */
  decisionsPerSecond: number
  /** Combined objective per requested replica-hour (objective.ts); lower is better. */
  objective: number
  warnings: string[]
}

export interface SimulateOneOptions {
  /** Run the seed's static deployment (one region, one class, on-demand) instead of the full fleet. */
  staticFleet?: boolean
  /** Overrides the scenario's seed. */
  seed?: number
  /** Collects one outcome per successful placement, in decision order (for training). */
  outcomes?: Outcome[]
  /** Stops after this many hours (shorter training episodes). @default scenario.durationHours */
  hours?: number
}

interface Replica {
  inst: WorkloadInstance
  req: PlacementRequest
  node?: SimNode
  readyAt: number
  /** When service stopped because of a disruption; cleared once a replacement is ready. */
  disruptedAt?: number
  disruptedOutcome?: Outcome
  placedOnce: boolean
  done: boolean
  outcome?: Outcome
}

type Event =
  | { time: number, seq: number, kind: 'arrive' | 'end', inst: WorkloadInstance }
  | { time: number, seq: number, kind: 'interruption' | 'failure' | 'reclaim' | 'recover', node: SimNode }
  | { time: number, seq: number, kind: 'replace', replicas: Replica[] }
  | { time: number, seq: number, kind: 'sample' }
type EventInit = Event extends infer E ? E extends Event ? Omit<E, 'seq'> : never : never

export function requestOf (inst: WorkloadInstance, index: number): PlacementRequest {
  const k = inst.kind
  const req: PlacementRequest = {
    workload: inst.id,
    replica: index,
    resources: { cpuMillis: k.cpu * 1000, memoryBytes: k.memoryGiB * GIB, gpus: k.gpus },
    driver: k.driver,
    goal: k.goal,
    constraints: {},
    preferSpot: k.preferSpot,
    users: k.users
  }
  const c = k.constraints
  if (c.geographies !== undefined) req.constraints.geographies = c.geographies
  if (c.clouds !== undefined) req.constraints.providers = c.clouds
  if (c.regions !== undefined) req.constraints.regions = c.regions
  if (c.nodeSelector !== undefined) req.constraints.nodeSelector = c.nodeSelector
  if (k.dataLocality !== undefined) req.dataLocality = k.dataLocality
  if (k.sloLatencyMs !== undefined) req.sloLatencyMs = k.sloLatencyMs
  return req
}

export async function simulateOne (scenario: Scenario, policy: PlacementPolicy, options: SimulateOneOptions = {}): Promise<SimulationResult> {
  const seed = options.seed ?? scenario.seed
  const horizon = Math.min(options.hours ?? scenario.durationHours, scenario.durationHours)
  const nodes = buildFleet(scenario, options.staticFleet === true, seed)
  const fabric = fabricOf(scenario, nodes)
  const startupH = scenario.replicaStartupSeconds / 3600
  const detectH = scenario.failureDetectionSeconds / 3600
  const dtH = scenario.sampleMinutes / 60
  const heap = new EventHeap<Event>()
  let seq = 0
  const at = (e: EventInit): void => { if (e.time <= horizon) heap.push({ ...e, seq: seq++ } as Event) }

  for (const inst of workloadTrace(scenario, seed)) {
    if (inst.arrivalHours >= horizon) continue
    at({ time: inst.arrivalHours, kind: 'arrive', inst })
    at({ time: Math.min(inst.endHours, horizon), kind: 'end', inst })
  }
  for (const node of nodes) for (const d of node.disruptions) at({ time: d.time, kind: d.kind, node })
  for (let t = dtH; t <= horizon + 1e-9; t += dtH) at({ time: t, kind: 'sample' })

  const onNode = new Map<SimNode, Set<Replica>>(nodes.map(n => [n, new Set()]))
  const byInstance = new Map<WorkloadInstance, Replica[]>()
  let pending: Replica[] = []
  const byId = new Map(nodes.map(n => [n.id, n]))
  const outcomes = options.outcomes ?? []
  const tally = new LatencyTally()
  const warnings = new Set<string>()
  let placed = 0
  let unplaced = 0
  let migrations = 0
  let interruptedHours = 0
  let pendingHours = 0
  let requestedHours = 0
  let decisions = 0
  let decisionMs = 0

  const bill = (node: SimNode, t: number): void => {
    if (node.replicas > 0 || node.draining) node.cost += node.pricePerHour * (t - node.billedAt)
    node.billedAt = t
  }
  const attach = (r: Replica, node: SimNode, t: number): void => {
    bill(node, t)
    const res = r.req.resources
    node.allocated.cpuMillis += res.cpuMillis
    node.allocated.memoryBytes += res.memoryBytes
    node.allocated.gpus += res.gpus
    node.replicas++
    onNode.get(node)?.add(r)
    r.node = node
    r.readyAt = t + startupH
  }
  const detach = (r: Replica, t: number): void => {
    const node = r.node
    if (node === undefined) return
    bill(node, t)
    const res = r.req.resources
    node.allocated.cpuMillis -= res.cpuMillis
    node.allocated.memoryBytes -= res.memoryBytes
    node.allocated.gpus -= res.gpus
    node.replicas--
    onNode.get(node)?.delete(r)
    r.node = undefined
  }
  /** Ends a disrupted replica's downtime, charging it to the placement that was disrupted. */
  const closeDowntime = (r: Replica, until: number): void => {
    if (r.disruptedAt === undefined) return
    const h = Math.max(0, Math.min(until, r.inst.endHours) - r.disruptedAt)
    interruptedHours += h
    if (r.disruptedOutcome !== undefined) r.disruptedOutcome.downtimeHours += h
    r.disruptedAt = undefined
    r.disruptedOutcome = undefined
  }
  const tryPlace = async (r: Replica, t: number, exclude?: SimNode): Promise<boolean> => {
    const req = exclude === undefined ? r.req : { ...r.req, excludeNodes: [exclude.id] }
    const started = performance.now()
    const decision = await place(req, fabric, policy, { keepRanked: 1 })
    decisionMs += performance.now() - started
    decisions++
    for (const w of decision.warnings) warnings.add(w)
    if (decision.node === undefined) return false
    const node = byId.get(decision.node)
    if (node === undefined) throw new Error(`policy placed on unknown node ${decision.node}`)
    attach(r, node, t)
    if (r.disruptedAt !== undefined) migrations++
    if (!r.placedOnce) placed++
    r.placedOnce = true
    r.outcome = { goal: r.req.goal, hours: 0, cost: 0, latencyMsHours: 0, sloViolationHours: 0, downtimeHours: 0 }
    outcomes.push(r.outcome)
    closeDowntime(r, r.readyAt)
    return true
  }
  const retryPending = async (t: number): Promise<void> => {
    const still: Replica[] = []
    for (const r of pending) {
      if (r.done) continue
      if (!(await tryPlace(r, t))) still.push(r)
    }
    pending = still
  }
  /** Takes every replica off a node; their service stops at `serviceEndsAt`. */
  const displace = (node: SimNode, t: number, serviceEndsAt: number): Replica[] => {
    const moved = [...(onNode.get(node) ?? [])]
    for (const r of moved) {
      detach(r, t)
      r.disruptedAt = serviceEndsAt
      r.disruptedOutcome = r.outcome
      r.outcome = undefined
    }
    return moved
  }

  for (let e = heap.pop(); e !== undefined; e = heap.pop()) {
    const t = e.time
    switch (e.kind) {
      case 'arrive': {
        const reps: Replica[] = []
        for (let i = 0; i < e.inst.replicas; i++) {
          const r: Replica = { inst: e.inst, req: requestOf(e.inst, i), readyAt: Infinity, placedOnce: false, done: false }
          reps.push(r)
          requestedHours += Math.min(e.inst.endHours, horizon) - e.inst.arrivalHours
          if (!(await tryPlace(r, t))) pending.push(r)
        }
        byInstance.set(e.inst, reps)
        break
      }
      case 'end': {
        for (const r of byInstance.get(e.inst) ?? []) {
          r.done = true
          closeDowntime(r, t)
          if (r.node !== undefined) detach(r, t)
          if (!r.placedOnce) unplaced++
        }
        byInstance.delete(e.inst)
        await retryPending(t)
        break
      }
      case 'interruption': {
        const node = e.node
        if (node.state !== 'alive' || node.draining) break
        node.cordoned = true
        node.draining = true
        const reclaimAt = t + node.noticeSeconds / 3600
        at({ time: reclaimAt, kind: 'reclaim', node })
        // Make-before-break: replacements start now, while the old node still serves.
        for (const r of displace(node, t, reclaimAt)) {
          if (!(await tryPlace(r, t, node))) pending.push(r)
        }
        break
      }
      case 'reclaim': {
        if (!e.node.draining) break
        bill(e.node, t)
        e.node.draining = false
        e.node.state = 'dead'
        at({ time: t + scenario.recoveryHours, kind: 'recover', node: e.node })
        break
      }
      case 'failure': {
        const node = e.node
        if (node.state !== 'alive') break
        bill(node, t)
        node.state = 'dead'
        node.draining = false
        const moved = displace(node, t, t)
        at({ time: t + detectH, kind: 'replace', replicas: moved })
        at({ time: t + scenario.recoveryHours, kind: 'recover', node })
        break
      }
      case 'replace': {
        for (const r of e.replicas) if (!r.done) pending.push(r)
        await retryPending(t)
        break
      }
      case 'recover': {
        if (e.node.state === 'alive') break
        e.node.state = 'alive'
        e.node.cordoned = false
        e.node.billedAt = t
        await retryPending(t)
        break
      }
      case 'sample': {
        sample(t)
        break
      }
    }
  }
  // Every instance got an 'end' event at or before the horizon, so every replica is counted by now.
  for (const node of nodes) bill(node, horizon)

  function sample (t: number): void {
    for (const r of pending) if (!r.done && !r.placedOnce && t <= r.inst.endHours) pendingHours += dtH
    for (const node of nodes) {
      const reps = onNode.get(node)
      if (reps === undefined || reps.size === 0) continue
      const q = queueMs(node.allocated.cpuMillis / node.capacity.cpuMillis)
      const costEach = node.pricePerHour * dtH / reps.size
      for (const r of reps) {
        const o = r.outcome
        if (o !== undefined) {
          o.hours += dtH
          o.cost += costEach
        }
        if (r.readyAt > t || r.req.users.length === 0) continue
        let weights = 0
        for (const u of r.req.users) weights += u.weight
        let mean = 0
        let worst = 0
        for (const u of r.req.users) {
          const lat = rtt(fabric.latencyMs, u.region, node.region) + q
          tally.latency(r.req, lat, dtH * u.weight / weights)
          mean += lat * u.weight / weights
          worst = Math.max(worst, lat)
        }
        if (o !== undefined) o.latencyMsHours += mean * dtH
        if (tally.slo(r.req, worst) && o !== undefined) o.sloViolationHours += dtH
      }
    }
  }

  let total = UNPLACED_PENALTY * pendingHours
  for (const o of outcomes) total += outcomeCost(o)
  const cost = nodes.reduce((s, n) => s + n.cost, 0)
  return {
    policy: options.staticFleet === true ? 'static' : policy.name,
    costPerHour: cost / horizon,
    ...tally.result(),
    placed,
    unplaced,
    interruptedReplicaMinutes: interruptedHours * 60,
    migrations,
    decisionsPerSecond: decisionMs === 0 ? 0 : decisions / (decisionMs / 1000),
    objective: requestedHours === 0 ? 0 : total / requestedHours,
    warnings: [...warnings]
  }
}
