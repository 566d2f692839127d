import assert from 'node:assert/strict'
import { FabricState, planApply, planDelete, checkFabricLimits, StateLimitError } from '../../../protocol/state/index.ts'
import { validateManifest } from '../../../protocol/manifest/index.ts'
import type { Hlc } from '../../../protocol/hlc.ts'
import { WORKLOADS } from './sim.ts'

const ts = (wallMs: number): Hlc => ({ wallMs, logical: 0, node: 'node-a' })
const w1 = WORKLOADS[0]?.[0]!
const w2 = WORKLOADS[0]?.[1]!

describe('protocol/state: apply and delete plans', () => {
  it('create → same again (unchanged) → new spec (generation 2) → labels only (generation kept)', () => {
    const state = new FabricState()
    const created = planApply(state.spec(w1.name), w1, ts(1))
    assert.equal(created.outcome, 'created')
    assert.equal(created.generation, 1)
    state.apply(created.entry!)

    const again = planApply(state.spec(w1.name), w1, ts(2))
    assert.deepEqual(again, { outcome: 'unchanged', generation: 1 })

    const changed = planApply(state.spec(w1.name), w2, ts(3))
    assert.equal(changed.outcome, 'configured')
    assert.equal(changed.generation, 2)
    state.apply(changed.entry!)

    const labelled = validateManifest({ ...w2.manifest, metadata: { ...w2.manifest.metadata, labels: { team: 'x' } } })
    const relabel = planApply(state.spec(w1.name), labelled, ts(4))
    assert.equal(relabel.outcome, 'configured')
    assert.equal(relabel.generation, 2)
    assert.ok(relabel.entry)
  })

  it('delete writes a tombstone; a re-create continues the generation', () => {
    const state = new FabricState()
    state.apply(planApply(undefined, w1, ts(1)).entry!)
    state.apply(planApply(state.spec(w1.name), w2, ts(2)).entry!)
    const tombstone = planDelete(state.spec(w1.name), ts(3))
    assert.deepEqual(tombstone, { type: 'spec', name: w1.name, ts: ts(3), generation: 2, value: null })
    state.apply(tombstone!)
    assert.equal(planDelete(state.spec(w1.name), ts(4)), undefined, 'deleting twice is a 404')
    assert.equal(planDelete(undefined, ts(4)), undefined)
    const again = planApply(state.spec(w1.name), w1, ts(5))
    assert.equal(again.outcome, 'created')
    assert.equal(again.generation, 3)
  })
})

describe('protocol/state: fabric limits', () => {
  const limits = { maxWorkloads: 2, maxTotalReplicas: 5 }
  const [a1, a3] = [WORKLOADS[0]?.[0]!, WORKLOADS[0]?.[2]!]
  const [b2, c3] = [WORKLOADS[1]?.[1]!, WORKLOADS[2]?.[2]!]

  it('refuses a workload past the count limit with FABRIC_STATE_FULL, naming the field', () => {
    const state = new FabricState()
    state.apply(planApply(undefined, a1, ts(1)).entry!)
    state.apply(planApply(undefined, b2, ts(2)).entry!)
    assert.throws(() => checkFabricLimits(state, c3, limits), (err: unknown) =>
      err instanceof StateLimitError && err.code === 'FABRIC_STATE_FULL' && err.status === 413 && /^metadata\.name: .*limit is 2 \(got "gamma"\)/.test(err.message))
  })

  it('counts replicas over all workloads, an update replacing its own', () => {
    const state = new FabricState()
    state.apply(planApply(undefined, a1, ts(1)).entry!)
    state.apply(planApply(undefined, b2, ts(2)).entry!)
    assert.doesNotThrow(() => checkFabricLimits(state, a3, limits)) // 3 + 2 = 5
    state.apply(planDelete(state.spec(a1.name), ts(3))!)
    assert.doesNotThrow(() => checkFabricLimits(state, c3, limits)) // deleted ones do not count
    const big = { maxWorkloads: 10, maxTotalReplicas: 4 }
    assert.throws(() => checkFabricLimits(state, c3, big), /spec\.replicas: .* want 2 replicas, the limit is 4 \(got 3\)/)
  })
})
