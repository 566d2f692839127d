import assert from 'node:assert/strict'
import { claimBeats, compareRank, decodeClaim, encodeClaim, type Claim } from '../../protocol/election.ts'
import { decodeProbe, decodeUpdate, encodeProbe, encodeUpdate, supersedes, type NodeState } from '../../protocol/swim.ts'
import { lifeguardTimeoutMs, suspicionTimeoutMs, TIMING_DEFAULTS } from '../../protocol/timing.ts'

describe('failure detection timing', () => {
  const table: Array<[number, number]> = [[1, 800], [3, 800], [10, 1250], [100, 2405], [1000, 3601]]
  for (const [n, ms] of table) {
    it(`suspicion lasts ${ms} ms in a region of ${n}`, () => { assert.equal(suspicionTimeoutMs(n), ms) })
  }

  it('Lifeguard: starts at the maximum and reaches the minimum with the expected confirmations', () => {
    assert.equal(lifeguardTimeoutMs(800, 1600, 0, 3), 1600)
    assert.equal(lifeguardTimeoutMs(800, 1600, 1, 3), 1200)
    assert.ok(lifeguardTimeoutMs(800, 1600, 2, 3) < 1200)
    assert.equal(lifeguardTimeoutMs(800, 1600, 3, 3), 800)
    assert.equal(lifeguardTimeoutMs(800, 1600, 0, 0), 800)
  })

  it('fits the 3 s budget for a 3-node region: one missed period, indirect probes, the longest suspicion', () => {
    const t = TIMING_DEFAULTS
    const worst = 2 * t.probeIntervalMs + t.probeIntervalMs + suspicionTimeoutMs(3) * t.maxSuspicionFactor
    assert.ok(worst <= 3_000, `${worst} ms`)
  })
})

describe('SWIM messages and precedence', () => {
  it('round-trips probes and updates and refuses junk', () => {
    for (const m of [
      { kind: 'ping', seq: 7, targetState: 'suspect', targetIncarnation: 12 },
      { kind: 'ping-req', seq: 8, target: '12D3KooWx' },
      { kind: 'ack', seq: 9, ok: true, incarnation: 13 }
    ] as const) assert.deepEqual(decodeProbe(encodeProbe(m)), m)
    const u = { node: '12D3KooWy', state: 'dead' as const, incarnation: 99 }
    assert.deepEqual(decodeUpdate(encodeUpdate(u)), u)
    assert.throws(() => decodeProbe(new Uint8Array([1, 7, 0])), /kind: unknown kind 7/)
    assert.throws(() => decodeUpdate(new Uint8Array([2])), /unsupported version 2/)
  })

  const at = (state: NodeState, incarnation: number) => ({ state, incarnation })
  const cases: Array<[string, ReturnType<typeof at>, ReturnType<typeof at>, boolean]> = [
    ['a higher incarnation wins', at('alive', 2), at('suspect', 1), true],
    ['suspect beats alive at the same incarnation', at('suspect', 1), at('alive', 1), true],
    ['alive does not beat suspect at the same incarnation', at('alive', 1), at('suspect', 1), false],
    ['dead beats suspect at the same incarnation', at('dead', 1), at('suspect', 1), true],
    ['only a higher incarnation brings the dead back', at('alive', 1), at('dead', 1), false],
    ['a refutation brings the dead back', at('alive', 2), at('dead', 1), true],
    ['an old rumour loses', at('dead', 1), at('alive', 2), false]
  ]
  for (const [name, next, prev, expected] of cases) it(name, () => { assert.equal(supersedes(next, prev), expected) })
})

describe('claims', () => {
  const claim = (over: Partial<Claim>): Claim => ({ region: 'eu-west-1', epoch: 1, coordinator: 'b', priority: 0, handover: false, ...over })
  it('round-trips, negative priorities included', () => {
    const c = claim({ priority: -5, handover: true })
    assert.deepEqual(decodeClaim(encodeClaim(c)), c)
  })
  it('orders by epoch, then priority, then peer id', () => {
    assert.ok(claimBeats(claim({ epoch: 2, coordinator: 'a' }), claim({ epoch: 1, coordinator: 'z', priority: 9 })))
    assert.ok(claimBeats(claim({ priority: 1, coordinator: 'a' }), claim({ coordinator: 'z' })))
    assert.ok(claimBeats(claim({ coordinator: 'z' }), claim({ coordinator: 'a' })))
    assert.ok(!claimBeats(claim({}), claim({})))
    assert.ok(compareRank({ peerId: 'a', priority: 1 }, { peerId: 'b', priority: 0 }) > 0)
  })
})
