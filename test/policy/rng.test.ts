import assert from 'node:assert/strict'
import { createRng, deriveSeed, exponential, uniformInt } from '../../policy/rng.ts'

describe('seeded rng', () => {
  it('repeats its sequence for a seed and differs across seeds', () => {
    const a = createRng(7)
    const b = createRng(7)
    const c = createRng(8)
    const xs = Array.from({ length: 5 }, () => a.next())
    assert.deepEqual(xs, Array.from({ length: 5 }, () => b.next()))
    assert.notDeepEqual(xs, Array.from({ length: 5 }, () => c.next()))
  })

  it('is roughly uniform and stays in [0, 1)', () => {
    const r = createRng(1)
    const bins = new Array(10).fill(0)
    for (let i = 0; i < 20000; i++) {
      const x = r.next()
      assert.ok(x >= 0 && x < 1)
      bins[Math.floor(x * 10)]++
    }
    for (const b of bins) assert.ok(b > 1800 && b < 2200, `bin count ${b}`)
  })

  it('draws exponentials with the requested mean and integers within bounds', () => {
    const r = createRng(2)
    let sum = 0
    for (let i = 0; i < 20000; i++) sum += exponential(r, 4)
    assert.ok(Math.abs(sum / 20000 - 0.25) < 0.01)
    assert.equal(exponential(r, 0), Infinity)
    for (let i = 0; i < 1000; i++) {
      const k = uniformInt(r, 1, 3)
      assert.ok(k >= 1 && k <= 3 && Number.isInteger(k))
    }
  })

  it('derives independent seeds per label', () => {
    assert.notEqual(deriveSeed(1, 'a'), deriveSeed(1, 'b'))
    assert.equal(deriveSeed(1, 'a'), deriveSeed(1, 'a'))
  })
})
