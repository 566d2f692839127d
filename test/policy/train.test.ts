import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { FEATURE_NAMES } from '../../policy/learned/features.ts'
import { exportOnnx } from '../../policy/learned/onnx.ts'
import { loadScenario } from '../../policy/scenario.ts'
import { train, type TrainOptions } from '../../policy/train/reinforce.ts'

const scenario = loadScenario(readFileSync(new URL('../../fixtures/policy/scenarios/small-optimal.json', import.meta.url), 'utf8'))

function options (seed: number): TrainOptions {
  return { scenario, seed, episodes: 2, hours: 4, hidden: [8], lr: 1e-3, warmStartSteps: 20, warmStartScale: 20, minibatch: 32, validationSeed: 99 }
}

describe('trainer', () => {
  it('reproduces the same model from the same seed, and another from another seed', async function () {
    this.timeout(30000)
    const a = await train(options(1))
    const b = await train(options(1))
    const c = await train(options(2))
    assert.deepEqual(exportOnnx(a.mlp, FEATURE_NAMES), exportOnnx(b.mlp, FEATURE_NAMES))
    assert.notDeepEqual(exportOnnx(a.mlp, FEATURE_NAMES), exportOnnx(c.mlp, FEATURE_NAMES))
    assert.equal(a.history.length, 2)
    // The kept model is the best seen on validation, the warm start included.
    assert.ok(a.bestValidation <= a.warmStartValidation)
    assert.ok(a.history.every(h => h.validationObjective >= a.bestValidation))
  })
})
