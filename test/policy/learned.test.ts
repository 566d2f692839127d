import assert from 'node:assert/strict'
import { explain } from '../../policy/explain.ts'
import { FEATURE_COUNT, FEATURE_NAMES, featureMatrix } from '../../policy/learned/features.ts'
import { backward, createMlp, forward, predict, zeroGradients } from '../../policy/learned/mlp.ts'
import { softmax } from '../../policy/learned/mlp-policy.ts'
import { exportOnnx, modelFeatureNames } from '../../policy/learned/onnx.ts'
import { loadLearnedPolicy, loadLearnedPolicyStrict } from '../../policy/learned/policy.ts'
import { place } from '../../policy/pipeline.ts'
import { createRng } from '../../policy/rng.ts'
import { scoreCandidates } from '../../policy/scorers.ts'
import { fabric, node, request } from './helpers.ts'

describe('learned scorer', () => {
  it('backprop matches finite differences', () => {
    const rng = createRng(9)
    const mlp = createMlp([5, 4, 3, 1], rng)
    const n = 3
    const x = Float64Array.from({ length: n * 5 }, () => rng.next() * 2 - 1)
    const dOut = Float64Array.from({ length: n }, () => rng.next() - 0.5)
    const loss = (): number => predict(mlp, x, n).reduce((s, v, i) => s + v * (dOut[i] as number), 0)
    const grads = zeroGradients(mlp)
    backward(mlp, forward(mlp, x, n), dOut, grads)
    for (let l = 0; l < mlp.weights.length; l++) {
      const w = mlp.weights[l] as Float64Array
      for (let i = 0; i < w.length; i++) {
        const keep = w[i] as number
        w[i] = keep + 1e-6
        const up = loss()
        w[i] = keep - 1e-6
        const down = loss()
        w[i] = keep
        const numeric = (up - down) / 2e-6
        assert.ok(Math.abs(numeric - (grads.weights[l]?.[i] as number)) < 1e-5, `layer ${l} weight ${i}: ${numeric} vs ${grads.weights[l]?.[i]}`)
      }
    }
  })

  it('softmax sums to one and favours the larger logit', () => {
    const p = softmax(Float64Array.from([1, 3, 2]))
    assert.ok(Math.abs(p.reduce((s, v) => s + v, 0) - 1) < 1e-12)
    assert.ok((p[1] as number) > (p[2] as number) && (p[2] as number) > (p[0] as number))
  })

  it('ONNX output through onnxruntime equals the TypeScript forward pass', async () => {
    const rng = createRng(17)
    const mlp = createMlp([FEATURE_COUNT, 16, 16, 1], rng)
    const bytes = exportOnnx(mlp, FEATURE_NAMES)
    assert.deepEqual(modelFeatureNames(bytes), [...FEATURE_NAMES])
    const policy = await loadLearnedPolicyStrict(bytes)
    const nodes = Array.from({ length: 40 }, (_v, i) => node(`n${i}`, {
      pricePerHour: rng.next() * 3,
      region: i % 2 === 0 ? 'us-east-1' : 'eu-west-1',
      allocated: { cpuMillis: Math.floor(rng.next() * 6000), memoryBytes: 0, gpus: 0 },
      replicas: i % 3,
      spot: i % 4 === 0
    }))
    const f = fabric(nodes)
    const req = request({ users: [{ region: 'eu-west-1', weight: 1 }], goal: 'latency', sloLatencyMs: 40 })
    const candidates = scoreCandidates(req, nodes, f)
    const onnx = await policy.rank(req, candidates, f)
    // The model sees float32 features, so feed the TS pass the same rounding.
    const ts = predict(mlp, featureMatrix(req, candidates), candidates.length)
    assert.equal(onnx.length, 40)
    for (let i = 0; i < 40; i++) assert.ok(Math.abs((onnx[i] as number) - (ts[i] as number)) < 1e-4, `candidate ${i}: ${onnx[i]} vs ${ts[i]}`)
  })

  it('falls back to greedy, and says so, when the model file is missing', async () => {
    const loaded = await loadLearnedPolicy('/nonexistent/placement.onnx')
    assert.equal(loaded.policy.name, 'greedy')
    assert.match(loaded.warning ?? '', /learned policy unavailable, using greedy: model file \/nonexistent\/placement\.onnx: cannot read/)
    const d = await place(request(), fabric([node('x')]), loaded.policy)
    assert.equal(d.node, 'x')
    assert.deepEqual(d.fallback && { from: d.fallback.from, to: d.fallback.to }, { from: 'learned', to: 'greedy' })
    assert.match(explain(d), /fallback: learned → greedy/)
  })

  it('falls back when the model is corrupt', async () => {
    const loaded = await loadLearnedPolicy(Uint8Array.from([8, 1, 2, 3, 4, 5, 250, 251]))
    assert.equal(loaded.policy.fallback?.to, 'greedy')
    assert.match(loaded.warning ?? '', /not a valid ONNX model/)
    await assert.rejects(loadLearnedPolicyStrict(Uint8Array.from([1, 2, 3])), { code: 'MODEL_UNAVAILABLE' })
  })

  it('falls back when the model was trained on other features', async () => {
    const mlp = createMlp([FEATURE_COUNT, 4, 1], createRng(1))
    const names: string[] = [...FEATURE_NAMES]
    names[0] = 'score.something-else'
    const loaded = await loadLearnedPolicy(exportOnnx(mlp, names))
    assert.match(loaded.warning ?? '', /model features .* differ/)
  })

  it('ships a model that loads without falling back', async () => {
    const loaded = await loadLearnedPolicy()
    assert.equal(loaded.warning, undefined)
    assert.equal(loaded.policy.name, 'learned')
  })
})
