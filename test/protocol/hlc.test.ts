import assert from 'node:assert/strict'
import fc from 'fast-check'
import {
  HybridClock, ClockDriftError, compareHlc, encodeHlc, decodeHlc, hlcToBytes, hlcFromBytes, assertHlc, MAX_LOGICAL
} from '../../protocol/hlc.ts'
import type { Hlc } from '../../protocol/hlc.ts'

function fakeWall (start: number): { now: () => number, set: (ms: number) => void } {
  let t = start
  return { now: () => t, set: (ms) => { t = ms } }
}

const ts = (wallMs: number, logical: number, node = 'a'): Hlc => ({ wallMs, logical, node })

describe('protocol/hlc', () => {
  describe('now()', () => {
    // [wall clock at each call, expected (wallMs, logical)]
    const table: Array<[string, number[], Array<[number, number]>]> = [
      ['follows a moving wall clock', [1000, 1001, 1005], [[1000, 0], [1001, 0], [1005, 0]]],
      ['counts within one millisecond', [1000, 1000, 1000], [[1000, 0], [1000, 1], [1000, 2]]],
      ['never runs backwards when the wall clock does', [1000, 900, 950, 1001], [[1000, 0], [1000, 1], [1000, 2], [1001, 0]]]
    ]
    for (const [name, walls, expected] of table) {
      it(name, () => {
        const wall = fakeWall(0)
        const clock = new HybridClock({ wallClock: wall.now }, { node: 'a' })
        const got = walls.map(w => { wall.set(w); const t = clock.now(); return [t.wallMs, t.logical] })
        assert.deepEqual(got, expected)
      })
    }

    it('resumes after the last timestamp of a previous run', () => {
      const clock = new HybridClock({ wallClock: () => 500 }, { node: 'a', last: ts(1000, 7) })
      assert.deepEqual(clock.now(), ts(1000, 8))
      assert.throws(() => new HybridClock({ wallClock: () => 0 }, { node: 'a', last: ts(-1, 0) }), /hlc.wallMs/)
    })
  })

  describe('receive()', () => {
    // [local wall, local last (wall, logical), remote (wall, logical), expected (wall, logical)]
    const table: Array<[string, number, [number, number], [number, number], [number, number]]> = [
      ['our wall clock is ahead of both', 2000, [1000, 5], [1500, 9], [2000, 0]],
      ['the remote is ahead (within the drift bound)', 1000, [1000, 5], [1500, 9], [1500, 10]],
      ['same wall time: max logical + 1', 900, [1000, 5], [1000, 9], [1000, 10]],
      ['our last is ahead of the remote', 900, [1000, 5], [999, 9], [1000, 6]]
    ]
    for (const [name, wallNow, last, remote, expected] of table) {
      it(name, () => {
        const clock = new HybridClock({ wallClock: () => wallNow }, { node: 'a', last: ts(last[0], last[1]) })
        const got = clock.receive(ts(remote[0], remote[1], 'b'))
        assert.deepEqual([got.wallMs, got.logical], expected)
        assert.equal(got.node, 'a')
      })
    }

    it('refuses a timestamp too far in the future with CLOCK_DRIFT and keeps its state', () => {
      const clock = new HybridClock({ wallClock: () => 1_000_000 }, { node: 'a', maxDriftMs: 60_000 })
      const before = clock.now()
      assert.throws(() => clock.receive(ts(1_000_000 + 60_001, 0, 'b')), (err: unknown) =>
        err instanceof ClockDriftError && err.code === 'CLOCK_DRIFT' && err.driftMs === 60_001 && /from b is 60001 ms ahead/.test(err.message))
      assert.deepEqual(clock.now(), { ...before, logical: before.logical + 1 })
      // exactly at the bound is fine
      assert.equal(clock.receive(ts(1_000_000 + 60_000, 0, 'b')).wallMs, 1_060_000)
    })

    it('a node hours ahead cannot drag the clock into its future', () => {
      const clock = new HybridClock({ wallClock: () => 1_000_000 }, { node: 'a' })
      assert.throws(() => clock.receive(ts(1_000_000 + 3 * 3600_000, 0, 'b')), ClockDriftError)
      assert.equal(clock.now().wallMs, 1_000_000)
    })

    it('refuses to wrap the logical counter', () => {
      const clock = new HybridClock({ wallClock: () => 0 }, { node: 'a', last: ts(10, MAX_LOGICAL) })
      assert.throws(() => clock.now(), (err: unknown) => (err as { code?: string }).code === 'HLC_OVERFLOW')
    })

    it('every timestamp issued is later than everything sent or received before (property)', () => {
      fc.assert(fc.property(
        fc.array(fc.oneof(
          fc.record({ kind: fc.constant('tick' as const), advance: fc.integer({ min: -50, max: 50 }) }),
          fc.record({ kind: fc.constant('recv' as const), skew: fc.integer({ min: -100, max: 100 }), logical: fc.nat(20) })
        ), { maxLength: 60 }),
        (events) => {
          const wall = fakeWall(10_000)
          const clock = new HybridClock({ wallClock: wall.now }, { node: 'a', maxDriftMs: 200 })
          let prev = clock.now()
          for (const e of events) {
            let next: Hlc
            if (e.kind === 'tick') {
              wall.set(wall.now() + e.advance)
              next = clock.now()
            } else {
              const remote = ts(wall.now() + e.skew, e.logical, 'b')
              next = clock.receive(remote)
              assert.equal(compareHlc(remote, next), -1)
            }
            assert.equal(compareHlc(prev, next), -1)
            // Never further ahead of the wall clock than the drift bound allows.
            assert.ok(next.wallMs <= wall.now() + 200 + 100)
            prev = next
          }
        }), { numRuns: 100 })
    })
  })

  describe('compare and encodings', () => {
    it('orders by wall time, then logical, then node', () => {
      const sorted = [ts(1, 9, 'z'), ts(2, 0, 'a'), ts(2, 1, 'a'), ts(2, 1, 'b')]
      for (let i = 0; i < sorted.length; i++) {
        for (let j = 0; j < sorted.length; j++) {
          assert.equal(compareHlc(sorted[i]!, sorted[j]!), Math.sign(i - j))
        }
      }
    })

    const arbHlc = fc.record({
      wallMs: fc.integer({ min: 0, max: 2 ** 48 - 1 }),
      logical: fc.integer({ min: 0, max: MAX_LOGICAL }),
      node: fc.stringMatching(/^[1-9A-HJ-NP-Za-km-z.]{1,20}$/)
    })

    it('string and binary forms round-trip and the string form sorts like compareHlc', () => {
      fc.assert(fc.property(arbHlc, arbHlc, (a, b) => {
        assert.deepEqual(decodeHlc(encodeHlc(a)), { ...a })
        assert.deepEqual(hlcFromBytes(hlcToBytes(a)), { ...a })
        const ea = encodeHlc(a)
        const eb = encodeHlc(b)
        assert.equal(Math.sign(ea < eb ? -1 : ea > eb ? 1 : 0), compareHlc(a, b))
      }), { numRuns: 200 })
    })

    it('the string form is compact and fixed-width before the node id', () => {
      assert.equal(encodeHlc(ts(0x18c2f0a1b2c, 3, '12D3KooW')), '018c2f0a1b2c.00000003.12D3KooW')
    })

    const bad: Array<[string, unknown, RegExp]> = [
      ['a negative wall time', { wallMs: -1, logical: 0, node: 'a' }, /hlc.wallMs: .*\(got -1\)/],
      ['a fractional logical', { wallMs: 1, logical: 0.5, node: 'a' }, /hlc.logical: .*\(got 0.5\)/],
      ['an empty node', { wallMs: 1, logical: 0, node: '' }, /hlc.node: .*\(got ""\)/],
      ['a node with blanks', { wallMs: 1, logical: 0, node: 'a b' }, /hlc.node/],
      ['null', null, /hlc: must be an object/]
    ]
    for (const [name, value, message] of bad) {
      it(`assertHlc refuses ${name}`, () => {
        assert.throws(() => assertHlc(value), (err: unknown) => (err as { code?: string }).code === 'INVALID_HLC' && message.test((err as Error).message))
      })
    }
    it('decoders refuse garbage', () => {
      assert.throws(() => decodeHlc('12.3.a'), /not an encoded timestamp/)
      assert.throws(() => hlcFromBytes(new Uint8Array(5)), /too short/)
      assert.throws(() => hlcFromBytes(new Uint8Array([0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0xff])), /UTF-8/)
    })
  })
})
