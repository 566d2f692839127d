import assert from 'node:assert/strict'
import { explain } from '../../policy/explain.ts'
import { firstRejection } from '../../policy/filters.ts'
import { binpackPolicy, greedyPolicy, spreadPolicy } from '../../policy/heuristics.ts'
import { place, type PlacementPolicy } from '../../policy/pipeline.ts'
import type { FilterReason, NodeSnapshot, PlacementRequest } from '../../policy/types.ts'
import { fabric, node, request } from './helpers.ts'

describe('policy filters', () => {
  const cases: Array<[string, Partial<NodeSnapshot>, Partial<PlacementRequest>, FilterReason | undefined]> = [
    ['fits', {}, {}, undefined],
    ['dead node', { state: 'dead' }, {}, 'node not alive'],
    ['suspect node', { state: 'suspect' }, {}, 'node not alive'],
    ['cordoned', { cordoned: true }, {}, 'node cordoned'],
    ['excluded', {}, { excludeNodes: ['n'] }, 'node excluded'],
    ['gpu', { capacity: { cpuMillis: 8000, memoryBytes: 1e12, gpus: 0 } }, { resources: { cpuMillis: 1, memoryBytes: 1, gpus: 1 } }, 'insufficient gpu'],
    ['gpu in use', { allocated: { cpuMillis: 0, memoryBytes: 0, gpus: 1 } }, { resources: { cpuMillis: 1, memoryBytes: 1, gpus: 1 } }, 'insufficient gpu'],
    ['cpu', { allocated: { cpuMillis: 7500, memoryBytes: 0, gpus: 0 } }, {}, 'insufficient cpu'],
    ['cpu exactly full is fine', { allocated: { cpuMillis: 7000, memoryBytes: 0, gpus: 0 } }, {}, undefined],
    ['memory', { capacity: { cpuMillis: 8000, memoryBytes: 1024, gpus: 0 } }, {}, 'insufficient memory'],
    ['driver', { drivers: ['exec'] }, { driver: 'container' }, 'driver not supported'],
    ['geography', { geography: 'APAC' }, { constraints: { geographies: ['US', 'EU'] } }, 'geography not allowed'],
    ['empty geography list allows all', { geography: 'APAC' }, { constraints: { geographies: [] } }, undefined],
    ['provider', { provider: 'edge' }, { constraints: { providers: ['aws'] } }, 'provider not allowed'],
    ['region', {}, { constraints: { regions: ['eu-west-1'] } }, 'region not allowed'],
    ['selector label', { labels: { tier: 'a' } }, { constraints: { nodeSelector: { tier: 'b' } } }, 'node selector mismatch'],
    ['selector arch', { arch: 'amd64' }, { constraints: { nodeSelector: { arch: 'arm64' } } }, 'node selector mismatch'],
    ['selector arch matches', { arch: 'arm64' }, { constraints: { nodeSelector: { arch: 'arm64' } } }, undefined]
  ]
  for (const [name, n, r, want] of cases) {
    it(`${name} → ${want ?? 'feasible'}`, () => {
      assert.equal(firstRejection(request(r), node('n', n)), want)
    })
  }
})

describe('place()', () => {
  it('prefers the cheaper node for a cost goal and the nearer one for a latency goal', async () => {
    const f = fabric([
      node('cheap-far', { region: 'edge-berlin-1', geography: 'EU', provider: 'edge', pricePerHour: 0.05 }),
      node('dear-near', { region: 'us-east-1', pricePerHour: 1.2 })
    ])
    const users = [{ region: 'us-east-1', weight: 1 }]
    const cost = await place(request({ goal: 'cost', users }), f, greedyPolicy)
    const latency = await place(request({ goal: 'latency', users, sloLatencyMs: 30 }), f, greedyPolicy)
    assert.equal(cost.node, 'cheap-far')
    assert.equal(latency.node, 'dear-near')
    assert.equal(latency.ranked[0]?.scores.latency, 1)
  })

  it('spread picks the emptiest node and binpack the fullest', async () => {
    const f = fabric([
      node('empty'),
      node('half', { allocated: { cpuMillis: 4000, memoryBytes: 0, gpus: 0 }, replicas: 2 })
    ])
    assert.equal((await place(request(), f, spreadPolicy)).node, 'empty')
    assert.equal((await place(request(), f, binpackPolicy)).node, 'half')
  })

  it('records every filtered node and explains counts by reason', async () => {
    const gpuReq = request({ resources: { cpuMillis: 1000, memoryBytes: 1, gpus: 1 }, constraints: { geographies: ['US', 'EU'] } })
    const noGpu = { capacity: { cpuMillis: 8000, memoryBytes: 1e12, gpus: 0 } }
    const f = fabric([
      node('a', noGpu), node('b', noGpu), node('c', noGpu), node('d', noGpu),
      node('e', { geography: 'APAC' }), node('f', { geography: 'APAC' })
    ])
    const d = await place(gpuReq, f, greedyPolicy)
    assert.equal(d.node, undefined)
    assert.equal(d.filtered.length, 6)
    const text = explain(d)
    assert.match(text, /^0\/6 nodes feasible: 4 insufficient gpu, 2 geography not allowed/)
    assert.match(text, /no placement for w\[0\]/)
  })

  it('names the chosen node and its scores', async () => {
    const d = await place(request({ users: [{ region: 'us-east-1', weight: 1 }] }), fabric([node('x'), node('y', { state: 'dead' })]), greedyPolicy)
    const text = explain(d)
    assert.match(text, /^1\/2 nodes feasible: 1 node not alive/)
    assert.match(text, /chose x by greedy \(total [0-9.-]+\): cost 1\.00, latency 1\.00, slo 1\.00/)
  })

  it('scores a spread-out sample of a large fabric but filters every node', async () => {
    const nodes = Array.from({ length: 1500 }, (_v, i) => node(`n${i}`, {
      geography: i % 3 === 0 ? 'APAC' : 'US',
      pricePerHour: 1 + (i % 7) / 10
    }))
    const req = request({ constraints: { geographies: ['US'] } })
    const d = await place(req, fabric(nodes), greedyPolicy, { maxCandidates: 100 })
    assert.deepEqual(d.sampled, { scored: 100, feasible: 1000 })
    assert.equal(d.filtered.length, 500)
    assert.ok(d.node !== undefined && Number(d.node.slice(1)) % 3 !== 0, `chose ${d.node}`)
    assert.match(explain(d), /scored a sample of 100 of 1000 feasible nodes/)
    const full = await place(req, fabric(nodes), greedyPolicy, { maxCandidates: Infinity })
    assert.equal(full.sampled, undefined)
  })

  it('leaves a replica unplaced when the policy gives no finite score, and says so', async () => {
    const nan: PlacementPolicy = { name: 'nan', rank: (_r, c) => new Float64Array(c.length).fill(Number.NaN) }
    const d = await place(request(), fabric([node('x')]), nan)
    assert.equal(d.node, undefined)
    assert.match(d.warnings.join('\n'), /no finite score/)
  })

  it('re-checks the hard constraints after ranking, skipping a node that became infeasible meanwhile', async () => {
    const f = fabric([node('first', { pricePerHour: 0.1 }), node('second', { pricePerHour: 0.2 })])
    const racing: PlacementPolicy = {
      name: 'racing',
      async rank (req, candidates, fab) {
        const totals = await greedyPolicy.rank(req, candidates, fab)
        // The daemon cordons the best node while the (async) ranker runs.
        const first = f.nodes[0] as NodeSnapshot
        first.cordoned = true
        return totals
      }
    }
    const d = await place(request({ goal: 'cost' }), f, racing)
    assert.equal(d.node, 'second')
    assert.match(d.warnings.join('\n'), /ranked first first although node cordoned; skipped/)
  })

  it('refuses a policy that scores a different number of candidates', async () => {
    const bad: PlacementPolicy = { name: 'bad', rank: () => new Float64Array(5) }
    await assert.rejects(place(request(), fabric([node('x')]), bad), { code: 'CONSTRAINT_VIOLATION' })
  })

  it('rejects a malformed request naming the field', async () => {
    await assert.rejects(place(request({ resources: { cpuMillis: Number.NaN, memoryBytes: 1, gpus: 0 } }), fabric([node('x')]), greedyPolicy),
      { code: 'INVALID_SNAPSHOT', message: /resources\.cpuMillis: must be a finite number >= 0, got NaN/ })
  })
})
