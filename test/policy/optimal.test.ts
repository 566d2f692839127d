import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { HEURISTIC_POLICIES } from '../../policy/heuristics.ts'
import { optimalBound } from '../../policy/optimal.ts'
import { loadScenario } from '../../policy/scenario.ts'
import { simulateOne } from '../../policy/sim/simulator.ts'

const dir = new URL('../../fixtures/policy/scenarios/', import.meta.url)

describe('optimal bound (HiGHS)', () => {
  it('solves the small scenario and lies below every simulated policy', async function () {
    this.timeout(30000)
    const s = loadScenario(readFileSync(new URL('small-optimal.json', dir), 'utf8'))
    const bound = await optimalBound(s, { timeLimitSeconds: 20 })
    assert.ok(bound.result !== undefined, bound.reason)
    assert.equal(bound.result.policy, 'optimal')
    assert.equal(bound.result.unplaced, 0)
    for (const p of Object.values(HEURISTIC_POLICIES)) {
      const r = await simulateOne(s, p)
      assert.ok(bound.result.objective <= r.objective, `${p.name}: ${r.objective} < bound ${bound.result.objective}`)
    }
  })

  it('declines a scenario that is too large, saying why', async () => {
    const s = loadScenario(readFileSync(new URL('three-clouds-edge.json', dir), 'utf8'))
    const bound = await optimalBound(s)
    assert.equal(bound.result, undefined)
    assert.match(bound.reason ?? '', /needs <= 30 nodes and <= 60 replicas, scenario has \d+ and \d+/)
  })
})
