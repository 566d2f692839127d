import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { greedyPolicy, spreadPolicy } from '../../policy/heuristics.ts'
import { queueMs, INTRA_REGION_RTT_MS } from '../../policy/latency.ts'
import type { PlacementPolicy } from '../../policy/pipeline.ts'
import { loadScenario, type Scenario } from '../../policy/scenario.ts'
import { simulate } from '../../policy/simulate.ts'
import { simulateOne, type SimulationResult } from '../../policy/sim/simulator.ts'
import { workloadTrace } from '../../policy/sim/trace.ts'
import { formatResultsTable } from '../../policy/sim/table.ts'

const dir = new URL('../../fixtures/policy/scenarios/', import.meta.url)
const shipped = (f: string): Scenario => loadScenario(readFileSync(new URL(f, dir), 'utf8'))

function tiny (over: Record<string, unknown> = {}, cls: Record<string, unknown> = {}, wl: Record<string, unknown> = {}): Scenario {
  return loadScenario({
    name: 'tiny',
    seed: 3,
    durationHours: 100,
    regions: [{ name: 'r1', geography: 'US', provider: 'aws' }, { name: 'r2', geography: 'EU', provider: 'gcp' }],
    latencyMs: { r1: { r2: 80 } },
    nodeClasses: [{ name: 'c', region: 'r1', count: 1, cpu: 4, memoryGiB: 8, pricePerHour: 2, ...cls }],
    workloads: [{ name: 'w', count: 1, arrivalPerHour: 10, durationHours: 1, cpu: 2, memoryGiB: 2, users: [{ region: 'r1', weight: 1 }], ...wl }],
    static: { region: 'r1', nodeClass: 'c' },
    ...over
  })
}

const stable = (r: SimulationResult): Omit<SimulationResult, 'decisionsPerSecond'> => {
  const { decisionsPerSecond: _ignored, ...rest } = r
  return rest
}

describe('simulator', () => {
  it('is deterministic: same scenario and seed, same numbers', async () => {
    const s = shipped('three-clouds-edge.json')
    const a = await simulateOne(s, greedyPolicy, { hours: 8 })
    const b = await simulateOne(s, greedyPolicy, { hours: 8 })
    assert.deepEqual(stable(a), stable(b))
    const c = await simulateOne(s, greedyPolicy, { hours: 8, seed: s.seed + 1 })
    assert.notDeepEqual(stable(a), stable(c))
  })

  it('accounts for every replica of the trace as placed or unplaced', async () => {
    const s = shipped('small-optimal.json')
    const total = workloadTrace(s).reduce((n, w) => n + w.replicas, 0)
    for (const staticFleet of [false, true]) {
      const r = await simulateOne(s, spreadPolicy, { staticFleet })
      assert.equal(r.placed + r.unplaced, total)
    }
  })

  it('bills a busy node for exactly the time it is busy', async () => {
    const r = await simulateOne(tiny(), greedyPolicy)
    assert.equal(r.placed, 1)
    assert.ok(Math.abs(r.costPerHour * 100 - 2 * 1) < 1e-9, `cost ${r.costPerHour * 100}`)
  })

  it('measures user latency as RTT plus queueing on the node', async () => {
    const r = await simulateOne(tiny(), greedyPolicy)
    const expected = INTRA_REGION_RTT_MS + queueMs(0.5)
    assert.ok(Math.abs(r.p50LatencyMs - expected) <= 0.25, `p50 ${r.p50LatencyMs} vs ${expected}`)
    const far = await simulateOne(tiny({}, {}, { users: [{ region: 'r2', weight: 1 }] }), greedyPolicy)
    assert.ok(Math.abs(far.p99LatencyMs - (80 + queueMs(0.5))) <= 0.25)
  })

  it('counts SLO violations per sample', async () => {
    const r = await simulateOne(tiny({}, {}, { users: [{ region: 'r2', weight: 1 }], sloLatencyMs: 50 }), greedyPolicy)
    assert.equal(r.sloViolations, 12) // one hour at 5-minute samples
    assert.equal(r.sloAttainment, 0)
  })

  it('moves replicas off a spot node within its notice (make-before-break)', async () => {
    const s = tiny({ durationHours: 48 }, { count: 8, spot: true, interruptionsPerDay: 3, noticeSeconds: 120 }, { count: 20, arrivalPerHour: 0.5, durationHours: [2, 4] })
    const r = await simulateOne(s, greedyPolicy)
    assert.ok(r.migrations > 0, 'interruptions should force migrations')
    assert.equal(r.interruptedReplicaMinutes, 0, 'startup (60 s) fits in the notice (120 s)')
  })

  it('charges downtime when the notice is shorter than startup', async () => {
    const s = tiny({ durationHours: 48 }, { count: 8, spot: true, interruptionsPerDay: 3, noticeSeconds: 0 }, { count: 20, arrivalPerHour: 0.5, durationHours: [2, 4] })
    const r = await simulateOne(s, greedyPolicy)
    assert.ok(r.migrations > 0)
    assert.ok(Math.abs(r.interruptedReplicaMinutes - r.migrations) < 1e-6, `${r.interruptedReplicaMinutes} min for ${r.migrations} migrations of 1 min startup`)
  })

  it('re-places replicas of a failed node after failure detection', async () => {
    const s = tiny({ durationHours: 48 }, { count: 8, failuresPerDay: 3 }, { count: 20, arrivalPerHour: 0.5, durationHours: [2, 4] })
    const r = await simulateOne(s, greedyPolicy)
    assert.ok(r.migrations > 0)
    // Each move costs 10 s detection + 60 s startup unless the replica's workload ended first.
    assert.ok(r.interruptedReplicaMinutes <= r.migrations * (70 / 60) + 1e-6)
    assert.ok(r.interruptedReplicaMinutes > 0)
  })

  it('runs the static baseline on the static region and class only', async () => {
    const s = shipped('three-clouds-edge.json')
    const regions = new Set<string>()
    const spy: PlacementPolicy = {
      name: 'spy',
      rank: (req, candidates, fabric) => {
        for (const c of candidates) regions.add(c.node.region)
        return spreadPolicy.rank(req, candidates, fabric)
      }
    }
    const r = await simulateOne(s, spy, { staticFleet: true, hours: 4 })
    assert.equal(r.policy, 'static')
    assert.deepEqual([...regions], [s.static.region])
  })

  it('runs named policies side by side and rejects unknown names', async () => {
    const s = shipped('small-optimal.json')
    const report = await simulate(s, { policies: ['static', 'greedy'] })
    assert.deepEqual(report.results.map(r => r.policy), ['static', 'greedy'])
    assert.match(formatResultsTable(report.results), /^policy\s+cost \$\/h\s+p50 ms/)
    await assert.rejects(simulate(s, { policies: ['magic'] }), { code: 'UNKNOWN_POLICY', message: /"magic"/ })
  })

  it('flags the learned row as a fallback when the model cannot be loaded', async () => {
    const s = shipped('small-optimal.json')
    const report = await simulate(s, { policies: ['learned'], model: '/nonexistent/model.onnx' })
    assert.match(report.results[0]?.policy ?? '', /^learned \(fallback: greedy\)$/)
    assert.match(report.warnings.join('\n'), /learned policy unavailable, using greedy: model file \/nonexistent\/model\.onnx: cannot read/)
  })
})
