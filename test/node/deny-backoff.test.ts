import assert from 'node:assert/strict'
import { DenyList } from '../../node/peer/deny-list.ts'
import { backoffDelay } from '../../node/peer/backoff.ts'
import { FakeClock } from '../utils/fake-clock.ts'

describe('deny list', () => {
  it('refuses a peer for a penalty that doubles with each offence, up to the maximum', async () => {
    const clock = new FakeClock()
    const deny = new DenyList({ clock }, { firstPenaltyMs: 1_000, maxPenaltyMs: 5_000 })
    assert.equal(deny.deny('p'), 1_000)
    assert.ok(deny.isDenied('p'))
    await clock.advance(1_001)
    assert.ok(!deny.isDenied('p'))
    assert.deepEqual([deny.deny('p'), deny.deny('p'), deny.deny('p')], [2_000, 4_000, 5_000])
  })

  it('forgets a peer that proved membership', () => {
    const deny = new DenyList({ clock: new FakeClock() })
    deny.deny('p')
    deny.forgive('p')
    assert.ok(!deny.isDenied('p'))
  })

  it('stays bounded when many identities knock', () => {
    const deny = new DenyList({ clock: new FakeClock() }, { maxEntries: 3 })
    for (const p of ['a', 'b', 'c', 'd']) deny.deny(p)
    assert.equal(deny.size, 3)
    assert.ok(!deny.isDenied('a'))
    assert.ok(deny.isDenied('d'))
  })
})

describe('backoff', () => {
  const mid = (): number => 0.5
  const table: Array<[number, number]> = [[0, 1_000], [1, 2_000], [2, 4_000], [3, 5_000], [50, 5_000]]
  for (const [attempt, ms] of table) {
    it(`waits ${ms} ms before attempt ${attempt + 1} (without jitter)`, () => { assert.equal(backoffDelay(attempt, mid), ms) })
  }
  it('jitters within ±20%', () => {
    assert.equal(backoffDelay(0, () => 0), 800)
    assert.equal(backoffDelay(0, () => 1), 1_200)
  })
})
