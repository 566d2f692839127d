import assert from 'node:assert/strict'
import { Reader, Writer } from '../../protocol/codec/index.ts'
import { parseDuration, formatDuration } from '../../protocol/duration.ts'

describe('binary codec', () => {
  it('round-trips every field type', () => {
    const bytes = new Writer(1).u8(7).varint(0).varint(127).varint(128).varint(Number.MAX_SAFE_INTEGER)
      .bool(true).string('région').bytes(new Uint8Array([1, 2, 3])).fixed(new Uint8Array([9, 9])).finish()
    const r = new Reader(bytes, 'test')
    assert.equal(r.u8('a'), 7)
    assert.equal(r.varint('b'), 0)
    assert.equal(r.varint('c'), 127)
    assert.equal(r.varint('d'), 128)
    assert.equal(r.varint('e'), Number.MAX_SAFE_INTEGER)
    assert.equal(r.bool('f'), true)
    assert.equal(r.string('g', 16), 'région')
    assert.deepEqual(r.bytes('h', 3), new Uint8Array([1, 2, 3]))
    assert.deepEqual(r.fixed('i', 2), new Uint8Array([9, 9]))
    r.end()
  })

  const refusals: Array<[string, Uint8Array, (r: Reader) => unknown, RegExp]> = [
    ['a truncated fixed field', new Uint8Array([1, 2]), r => r.fixed('key', 32), /test: key: truncated/],
    ['over-long bytes', new Writer().bytes(new Uint8Array(10)).finish(), r => r.bytes('blob', 4), /blob: length 10 exceeds the maximum 4/],
    ['a non-minimal varint', new Uint8Array([0x81, 0x00]), r => r.varint('n'), /n: non-minimal varint/],
    ['a varint above its maximum', new Writer().varint(1000).finish(), r => r.varint('count', 32), /count: 1000 exceeds the maximum 32/],
    ['a boolean that is not 0 or 1', new Uint8Array([2]), r => r.bool('flag'), /flag: boolean must be 0 or 1/],
    ['invalid UTF-8', new Writer().bytes(new Uint8Array([0xff, 0xfe])).finish(), r => r.string('name', 8), /name: not valid UTF-8/],
    ['trailing bytes', new Uint8Array([1, 2]), r => { r.u8('a'); r.end() }, /end: 1 unexpected trailing bytes/]
  ]
  for (const [name, bytes, read, message] of refusals) {
    it(`refuses ${name}, naming the field`, () => {
      assert.throws(() => read(new Reader(bytes, 'test')), (err: Error & { code?: string }) => {
        assert.equal(err.code, 'MALFORMED_MESSAGE')
        assert.match(err.message, message)
        return true
      })
    })
  }
})

describe('durations', () => {
  const good: Array<[string, number]> = [['90s', 90_000], ['30m', 1_800_000], ['24h', 86_400_000], ['7d', 604_800_000], ['1h30m', 5_400_000], ['250ms', 250], ['1.5h', 5_400_000]]
  for (const [text, ms] of good) it(`parses ${text}`, () => { assert.equal(parseDuration(text), ms) })
  for (const text of ['', '3600', '24 h', 'h', '1y', '-5m', '5m garbage']) {
    it(`refuses '${text}'`, () => { assert.throws(() => parseDuration(text, 'ttl'), /ttl: must be a duration like 90s/) })
  }
  it('formats whole units', () => {
    assert.equal(formatDuration(86_400_000), '1d')
    assert.equal(formatDuration(5_400_000), '90m')
    assert.equal(formatDuration(1500), '1500ms')
  })
})
