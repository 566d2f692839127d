/**
 * Invariant 6 as a property: whatever the fabric, the request or the ranker
 * (including a random network and an adversarial scorer), a chosen node
 * satisfies every hard constraint, checked here by an independent oracle.
 */
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { FEATURE_COUNT } from '../../policy/learned/features.ts'
import { createMlp } from '../../policy/learned/mlp.ts'
import { mlpPolicy } from '../../policy/learned/mlp-policy.ts'
import { HEURISTIC_POLICIES } from '../../policy/heuristics.ts'
import { loadLearnedPolicy } from '../../policy/learned/policy.ts'
import { place, type PlacementPolicy } from '../../policy/pipeline.ts'
import { createRng } from '../../policy/rng.ts'
import type { FabricSnapshot, NodeSnapshot, PlacementRequest } from '../../policy/types.ts'

const REGIONS = [
  { region: 'us-east-1', geography: 'US', provider: 'aws' },
  { region: 'europe-west4', geography: 'EU', provider: 'gcp' },
  { region: 'edge-berlin-1', geography: 'EU', provider: 'edge' },
  { region: 'ap-south-1', geography: 'APAC', provider: 'aws' }
]
const LATENCY = {
  'us-east-1': { 'europe-west4': 88, 'edge-berlin-1': 95, 'ap-south-1': 190 },
  'europe-west4': { 'edge-berlin-1': 12, 'ap-south-1': 120 },
  'edge-berlin-1': { 'ap-south-1': 130 }
}

const nodeArb = fc.record({
  where: fc.constantFrom(...REGIONS),
  arch: fc.constantFrom('amd64', 'arm64'),
  tier: fc.constantFrom('a', 'b', undefined),
  drivers: fc.constantFrom<Array<'exec' | 'container'>>(['exec'], ['container'], ['exec', 'container']),
  state: fc.constantFrom<Array<NodeSnapshot['state']>>('alive', 'alive', 'alive', 'suspect', 'dead'),
  cordoned: fc.boolean(),
  cpu: fc.integer({ min: 1, max: 16 }),
  memGiB: fc.integer({ min: 1, max: 64 }),
  gpus: fc.integer({ min: 0, max: 2 }),
  usedFraction: fc.double({ min: 0, max: 1, noNaN: true }),
  price: fc.double({ min: 0, max: 5, noNaN: true }),
  spot: fc.boolean(),
  interruptions: fc.double({ min: 0, max: 5, noNaN: true })
})

const fabricArb = fc.array(nodeArb, { minLength: 1, maxLength: 25 }).map((list): FabricSnapshot => ({
  latencyMs: LATENCY,
  nodes: list.map((n, i): NodeSnapshot => ({
    id: `n${i}`,
    region: n.where.region,
    geography: n.where.geography,
    provider: n.where.provider,
    arch: n.arch,
    labels: n.tier === undefined ? {} : { tier: n.tier },
    drivers: n.drivers,
    state: n.state,
    cordoned: n.cordoned,
    capacity: { cpuMillis: n.cpu * 1000, memoryBytes: n.memGiB * 2 ** 30, gpus: n.gpus },
    allocated: {
      cpuMillis: Math.floor(n.cpu * 1000 * n.usedFraction),
      memoryBytes: Math.floor(n.memGiB * 2 ** 30 * n.usedFraction),
      gpus: Math.floor(n.gpus * n.usedFraction)
    },
    replicas: n.usedFraction > 0 ? 1 : 0,
    pricePerHour: n.price,
    spot: n.spot,
    interruptionsPerDay: n.spot ? n.interruptions : 0,
    failuresPerDay: 0.01
  }))
}))

const subset = <T>(xs: T[]): fc.Arbitrary<T[] | undefined> => fc.option(fc.subarray(xs), { nil: undefined })

const requestArb = fc.record({
  cpu: fc.integer({ min: 0, max: 8000 }),
  memGiB: fc.integer({ min: 0, max: 32 }),
  gpus: fc.integer({ min: 0, max: 2 }),
  driver: fc.constantFrom<Array<'exec' | 'container'>>('exec', 'container'),
  goal: fc.constantFrom<Array<'cost' | 'latency' | 'default'>>('cost', 'latency', 'default'),
  geographies: subset(['US', 'EU', 'APAC']),
  providers: subset(['aws', 'gcp', 'edge']),
  regions: subset(REGIONS.map(r => r.region)),
  selector: fc.option(fc.record({ arch: fc.constantFrom('amd64', 'arm64') }, { requiredKeys: [] }), { nil: undefined }),
  preferSpot: fc.boolean(),
  users: fc.array(fc.record({ region: fc.constantFrom(...REGIONS.map(r => r.region)), weight: fc.double({ min: 0.01, max: 1, noNaN: true }) }), { maxLength: 3 }),
  slo: fc.option(fc.integer({ min: 5, max: 200 }), { nil: undefined }),
  exclude: fc.option(fc.integer({ min: 0, max: 24 }), { nil: undefined })
}).map((r): PlacementRequest => {
  const req: PlacementRequest = {
    workload: 'w',
    replica: 0,
    resources: { cpuMillis: r.cpu, memoryBytes: r.memGiB * 2 ** 30, gpus: r.gpus },
    driver: r.driver,
    goal: r.goal,
    constraints: {},
    preferSpot: r.preferSpot,
    users: r.users
  }
  if (r.geographies !== undefined) req.constraints.geographies = r.geographies
  if (r.providers !== undefined) req.constraints.providers = r.providers
  if (r.regions !== undefined) req.constraints.regions = r.regions
  if (r.selector !== undefined) req.constraints.nodeSelector = r.selector as Record<string, string>
  if (r.slo !== undefined) req.sloLatencyMs = r.slo
  if (r.exclude !== undefined) req.excludeNodes = [`n${r.exclude}`]
  return req
})

/** The oracle: the hard constraints written out again, independently of policy/filters.ts. */
function violates (req: PlacementRequest, n: NodeSnapshot): string | undefined {
  const c = req.constraints
  if (n.state !== 'alive') return 'state'
  if (n.cordoned) return 'cordon'
  if (req.excludeNodes?.includes(n.id) === true) return 'excluded'
  if (c.geographies !== undefined && c.geographies.length > 0 && !c.geographies.includes(n.geography)) return 'geography'
  if (c.providers !== undefined && c.providers.length > 0 && !c.providers.includes(n.provider)) return 'provider'
  if (c.regions !== undefined && c.regions.length > 0 && !c.regions.includes(n.region)) return 'region'
  for (const [k, v] of Object.entries(c.nodeSelector ?? {})) {
    if ((k === 'arch' ? (n.labels[k] ?? n.arch) : n.labels[k]) !== v) return 'selector'
  }
  if (!n.drivers.includes(req.driver)) return 'driver'
  if (n.capacity.cpuMillis - n.allocated.cpuMillis < req.resources.cpuMillis) return 'cpu'
  if (n.capacity.memoryBytes - n.allocated.memoryBytes < req.resources.memoryBytes) return 'memory'
  if (n.capacity.gpus - n.allocated.gpus < req.resources.gpus) return 'gpu'
  return undefined
}

const adversarial: PlacementPolicy = {
  name: 'adversarial',
  rank: (_req, candidates) => Float64Array.from(candidates, (_c, i) => (i * 7919) % 13 - 6)
}

describe('invariant 6: no placement violates a hard constraint', () => {
  const policies: PlacementPolicy[] = [
    ...Object.values(HEURISTIC_POLICIES),
    mlpPolicy(createMlp([FEATURE_COUNT, 8, 1], createRng(3)), 'random-network'),
    adversarial
  ]
  const check = async (policy: PlacementPolicy, numRuns: number): Promise<void> => {
    await fc.assert(fc.asyncProperty(fabricArb, requestArb, async (f, req) => {
      const d = await place(req, f, policy)
      const anyFeasible = f.nodes.some(n => violates(req, n) === undefined)
      if (d.node === undefined) {
        // Every ranker here gives finite scores, so "unplaced" must mean "nothing feasible".
        assert.equal(anyFeasible, false, 'a feasible node existed but nothing was placed')
        return
      }
      const chosen = f.nodes.find(n => n.id === d.node) as NodeSnapshot
      assert.equal(violates(req, chosen), undefined)
      assert.equal(d.filtered.length + f.nodes.filter(n => violates(req, n) === undefined).length, f.nodes.length)
    }), { numRuns, seed: 42 })
  }
  for (const policy of policies) {
    it(`holds for ${policy.name} on random fabrics and requests`, async () => check(policy, 300))
  }
  it('holds for the shipped learned model run by onnxruntime', async () => {
    const loaded = await loadLearnedPolicy()
    assert.equal(loaded.warning, undefined)
    await check(loaded.policy, 200)
  })
})
