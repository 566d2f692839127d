import assert from 'node:assert/strict'
import { parseQuantity, cpuToMillicores, memoryToBytes, gpuToCount, QuantityError } from '../../protocol/quantity.ts'

describe('protocol/quantity', () => {
  describe('parseQuantity, as apimachinery parses', () => {
    // [text, nanos (|value| × 10^9), negative, format]
    const valid: Array<[string, bigint, boolean, string]> = [
      ['0', 0n, false, 'DecimalSI'],
      ['2', 2_000_000_000n, false, 'DecimalSI'],
      ['500m', 500_000_000n, false, 'DecimalSI'],
      ['1.5', 1_500_000_000n, false, 'DecimalSI'],
      ['0.1', 100_000_000n, false, 'DecimalSI'],
      ['1n', 1n, false, 'DecimalSI'],
      ['1u', 1_000n, false, 'DecimalSI'],
      ['1k', 1_000n * 10n ** 9n, false, 'DecimalSI'],
      ['1M', 10n ** 15n, false, 'DecimalSI'],
      ['1G', 10n ** 18n, false, 'DecimalSI'],
      ['1T', 10n ** 21n, false, 'DecimalSI'],
      ['1P', 10n ** 24n, false, 'DecimalSI'],
      ['1E', 10n ** 27n, false, 'DecimalSI'],
      ['1Ki', 1024n * 10n ** 9n, false, 'BinarySI'],
      ['128Mi', 128n * 2n ** 20n * 10n ** 9n, false, 'BinarySI'],
      ['4Gi', 4n * 2n ** 30n * 10n ** 9n, false, 'BinarySI'],
      ['1.5Gi', 3n * 2n ** 29n * 10n ** 9n, false, 'BinarySI'],
      ['1Ti', 2n ** 40n * 10n ** 9n, false, 'BinarySI'],
      ['1Pi', 2n ** 50n * 10n ** 9n, false, 'BinarySI'],
      ['1Ei', 2n ** 60n * 10n ** 9n, false, 'BinarySI'],
      ['1e3', 1000n * 10n ** 9n, false, 'DecimalExponent'],
      ['1E3', 1000n * 10n ** 9n, false, 'DecimalExponent'],
      ['1e+3', 1000n * 10n ** 9n, false, 'DecimalExponent'],
      ['5e-3', 5_000_000n, false, 'DecimalExponent'],
      ['1.5e2', 150n * 10n ** 9n, false, 'DecimalExponent'],
      ['+1', 10n ** 9n, false, 'DecimalSI'],
      ['-1', 10n ** 9n, true, 'DecimalSI'],
      ['007', 7n * 10n ** 9n, false, 'DecimalSI'],
      // Nano precision, rounded up (away from zero).
      ['0.0000000001', 1n, false, 'DecimalSI'],
      ['1.0000000001', 1_000_000_001n, false, 'DecimalSI'],
      ['0.1n', 1n, false, 'DecimalSI'],
      // Binary quantities are capped at MaxInt64 whole units.
      ['16Ei', ((1n << 63n) - 1n) * 10n ** 9n, false, 'BinarySI'],
      // apimachinery's scanner leniencies.
      ['1.', 10n ** 9n, false, 'DecimalSI'],
      ['.5', 500_000_000n, false, 'DecimalSI'],
      ['1.G', 10n ** 18n, false, 'DecimalSI'],
      ['Gi', 0n, false, 'BinarySI'],
      // The API server's JSON decoder trims surrounding blanks.
      [' 2 ', 2_000_000_000n, false, 'DecimalSI']
    ]
    for (const [text, nanos, negative, format] of valid) {
      it(`parses ${JSON.stringify(text)}`, () => {
        const q = parseQuantity(text)
        assert.equal(q.nanos, nanos)
        assert.equal(q.negative, negative)
        assert.equal(q.format, format)
      })
    }

    const invalid = ['', ' ', '1.2.3', '5 Gi', '1GiB', '1K', '1ki', '1mi', '1e', '1e3Ki', 'abc', '1b',
      '1e1.5', '--1', '1,5', '0x10', '1e1000']
    for (const text of invalid) {
      it(`refuses ${JSON.stringify(text)}`, () => {
        assert.throws(() => parseQuantity(text), (err: unknown) => err instanceof QuantityError && err.code === 'INVALID_QUANTITY')
      })
    }

    it('names the text and the accepted forms in the message', () => {
      assert.throws(() => parseQuantity('1GiB'), /^INVALID_QUANTITY: "1GiB": must be a quantity/)
    })
  })

  describe('cpuToMillicores', () => {
    const table: Array<[string | number, number]> = [
      ['500m', 500], ['2', 2000], [2, 2000], [0.5, 500], ['1.5', 1500], ['0.1', 100], ['1e3', 1_000_000],
      ['0.0001', 1], ['1u', 1], ['100n', 1], ['1500u', 2], ['0', 0], ['1k', 1_000_000]
    ]
    for (const [input, millis] of table) {
      it(`${JSON.stringify(input)} → ${millis}m`, () => assert.equal(cpuToMillicores(input), millis))
    }
    it('refuses negative cpu', () => {
      assert.throws(() => cpuToMillicores('-1'), /"-1": must be a cpu amount >= 0/)
    })
  })

  describe('memoryToBytes', () => {
    const table: Array<[string | number, number]> = [
      ['4Gi', 4 * 2 ** 30], ['128Mi', 128 * 2 ** 20], ['1Ki', 1024], ['1k', 1000], ['1M', 1_000_000], ['1G', 1e9],
      ['1.5Gi', 1.5 * 2 ** 30], ['500m', 1], ['1.5', 2], [1024, 1024], ['1e3', 1000], ['0', 0]
    ]
    for (const [input, bytes] of table) {
      it(`${JSON.stringify(input)} → ${bytes} B`, () => assert.equal(memoryToBytes(input), bytes))
    }
    it('refuses amounts a number cannot hold exactly', () => {
      assert.throws(() => memoryToBytes('1Ei'), /too large/)
      assert.throws(() => memoryToBytes(2 ** 60), /write it as a string/)
    })
    it('refuses negative memory', () => {
      assert.throws(() => memoryToBytes('-1Gi'), (err: unknown) => err instanceof QuantityError)
    })
  })

  describe('gpuToCount', () => {
    it('takes whole numbers', () => {
      assert.equal(gpuToCount('1'), 1)
      assert.equal(gpuToCount(2), 2)
      assert.equal(gpuToCount('1000m'), 1)
      assert.equal(gpuToCount('0'), 0)
    })
    for (const bad of ['0.5', '500m', '1.5', '-1', 'one']) {
      it(`refuses ${JSON.stringify(bad)}`, () => {
        assert.throws(() => gpuToCount(bad), (err: unknown) => err instanceof QuantityError)
      })
    }
  })
})
