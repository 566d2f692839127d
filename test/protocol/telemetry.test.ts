import assert from 'node:assert/strict'
import fc from 'fast-check'
import { MalformedMessageError, Writer } from '../../protocol/codec/index.ts'
import {
  CLOUD_PROVIDERS, MAX_TELEMETRY_BYTES, MAX_TIMESTAMP_MS, NODE_PROVIDERS, decodeTelemetry, encodeTelemetry
} from '../../protocol/telemetry/index.ts'
import type { GpuFacts, GpuSample, NodeFacts, NodeSample, Telemetry } from '../../protocol/telemetry/index.ts'

const GiB = 2 ** 30

const typical: Telemetry = {
  seq: 1234,
  at: Date.UTC(2025, 5, 1, 12, 0, 0, 123),
  startedAt: Date.UTC(2025, 5, 1, 9, 30),
  facts: {
    region: 'eu-west-1',
    zone: 'eu-west-1a',
    geography: 'EU',
    provider: 'aws',
    labels: { 'gpu-class': 'none', tier: 'standard', 'example.com/rack': 'r12' },
    pricePerHour: 0.096,
    spot: false,
    priority: 10,
    version: '0.1.0',
    arch: 'x64',
    cpuModel: 'Intel(R) Xeon(R) Platinum 8259CL @ 2.50GHz',
    cores: 4,
    memoryTotalBytes: 16 * GiB,
    diskTotalBytes: 100 * GiB,
    gpus: [],
    jetson: null,
    cloud: { provider: 'aws', instanceType: 'm5.xlarge', lifecycle: 'on-demand' }
  },
  sample: {
    cpuLoadPercent: 12.5,
    memoryAvailableBytes: 11_811_160_064,
    diskAvailableBytes: 73_014_444_032,
    temperatureC: 41.3,
    battery: null,
    gpus: [],
    interruption: null
  }
}

const jetson: Telemetry = {
  seq: 7,
  at: Date.UTC(2025, 5, 1, 12),
  startedAt: Date.UTC(2025, 5, 1, 11),
  facts: {
    region: 'edge-lyon',
    zone: 'edge-lyon-shop3',
    geography: 'EU',
    provider: 'edge',
    labels: { site: 'shop3' },
    pricePerHour: 0,
    spot: false,
    priority: -5,
    version: '0.1.0',
    arch: 'arm64',
    cpuModel: 'ARMv8 Processor rev 1 (v8l)',
    cores: 6,
    memoryTotalBytes: 7_999_000_000,
    diskTotalBytes: 58 * GiB,
    gpus: [{ model: 'Orin (nvgpu)', memoryTotalMiB: null }],
    jetson: { model: 'NVIDIA Jetson Orin Nano Developer Kit', l4t: '36.3' },
    cloud: null
  },
  sample: {
    cpuLoadPercent: 3.1,
    memoryAvailableBytes: 5_100_000_000,
    diskAvailableBytes: 30 * GiB,
    temperatureC: -12.7,
    battery: { percent: 87, charging: true },
    gpus: [{ utilizationPercent: 0, memoryUsedMiB: null, temperatureC: 45.5, powerW: 1.234 }],
    interruption: null
  }
}

const gpu = (i: number): { facts: GpuFacts, sample: GpuSample } => ({
  facts: { model: 'NVIDIA A100-SXM4-40GB', memoryTotalMiB: 40_960 },
  sample: { utilizationPercent: 90 + i, memoryUsedMiB: 30_000 + i, temperatureC: 66 + i, powerW: 310.5 + i }
})

const cloudSpot: Telemetry = {
  seq: 99_999,
  at: Date.UTC(2025, 5, 1, 12),
  startedAt: Date.UTC(2025, 4, 30),
  facts: {
    ...typical.facts,
    region: 'us-central1',
    zone: 'us-central1-b',
    geography: 'US',
    provider: 'gcp',
    pricePerHour: 1.234567,
    spot: true,
    priority: 1000,
    gpus: [gpu(0).facts, gpu(1).facts],
    cloud: { provider: 'gcp', instanceType: 'a2-highgpu-2g', lifecycle: 'spot' }
  },
  sample: {
    ...typical.sample,
    gpus: [gpu(0).sample, gpu(1).sample],
    interruption: { action: 'terminate', deadline: Date.UTC(2025, 5, 1, 12, 0, 30) }
  }
}

const allNull: Telemetry = {
  seq: 0,
  at: 0,
  startedAt: 0,
  facts: {
    ...typical.facts,
    labels: {},
    cpuModel: null,
    cores: null,
    memoryTotalBytes: null,
    diskTotalBytes: null,
    gpus: [{ model: 'unknown', memoryTotalMiB: null }],
    jetson: { model: null, l4t: null },
    cloud: { provider: 'azure', instanceType: null, lifecycle: null }
  },
  sample: {
    cpuLoadPercent: null,
    memoryAvailableBytes: null,
    diskAvailableBytes: null,
    temperatureC: null,
    battery: null,
    gpus: [{ utilizationPercent: null, memoryUsedMiB: null, temperatureC: null, powerW: null }],
    interruption: { action: 'reboot', deadline: null }
  }
}

/** `t` with its facts and sample shallowly replaced. */
const withT = (facts: Partial<NodeFacts>, sample: Partial<NodeSample> = {}, top: Partial<Telemetry> = {}): Telemetry =>
  ({ ...typical, ...top, facts: { ...typical.facts, ...facts }, sample: { ...typical.sample, ...sample } })

type Patch = Record<string, (w: Writer) => void>

/**
 * The layout written out again by hand, field by field, so a test can put
 * any bytes in one field: the only way to make messages the encoder refuses.
 * It must agree with `encodeTelemetry` on valid input (tested below).
 */
function wire (t: Telemetry, patch: Patch = {}): Uint8Array {
  const w = new Writer()
  const put = (field: string, write: () => void): void => { const p = patch[field]; if (p === undefined) write(); else p(w) }
  const str = (v: string | null): void => { if (v !== null) w.string(v) }
  const nstr = (v: string | null): void => { w.bool(v !== null); str(v) }
  const num = (v: number | null, scale = 1, min = 0): void => { w.varint(v === null ? 0 : Math.round(v * scale) - min * scale + 1) }
  const f = t.facts
  const s = t.sample
  put('version', () => w.u8(1))
  put('seq', () => w.varint(t.seq))
  put('at', () => w.varint(t.at))
  put('startedAt', () => w.varint(t.startedAt))
  put('facts.region', () => w.string(f.region))
  put('facts.zone', () => w.string(f.zone))
  put('facts.geography', () => w.string(f.geography))
  put('facts.provider', () => w.u8(NODE_PROVIDERS.indexOf(f.provider)))
  put('facts.labels', () => {
    const labels = Object.entries(f.labels).sort(([a], [b]) => a < b ? -1 : 1)
    w.varint(labels.length)
    for (const [k, v] of labels) w.string(k).string(v)
  })
  put('facts.pricePerHour', () => w.varint(Math.round(f.pricePerHour * 1e6)))
  put('facts.spot', () => w.bool(f.spot))
  put('facts.priority', () => w.varint(f.priority + 1000))
  put('facts.version', () => w.string(f.version))
  put('facts.arch', () => w.string(f.arch))
  put('facts.cpuModel', () => nstr(f.cpuModel))
  put('facts.cores', () => num(f.cores))
  put('facts.memoryTotalBytes', () => num(f.memoryTotalBytes))
  put('facts.diskTotalBytes', () => num(f.diskTotalBytes))
  put('facts.gpus', () => { w.varint(f.gpus.length); for (const g of f.gpus) { w.string(g.model); num(g.memoryTotalMiB) } })
  put('facts.jetson', () => { w.bool(f.jetson !== null); if (f.jetson !== null) { nstr(f.jetson.model); nstr(f.jetson.l4t) } })
  put('facts.cloud', () => {
    w.u8(f.cloud === null ? 0 : 1 + CLOUD_PROVIDERS.indexOf(f.cloud.provider))
    if (f.cloud !== null) {
      nstr(f.cloud.instanceType)
      w.u8(f.cloud.lifecycle === null ? 0 : f.cloud.lifecycle === 'spot' ? 1 : 2)
    }
  })
  put('sample.cpuLoadPercent', () => num(s.cpuLoadPercent, 10))
  put('sample.memoryAvailableBytes', () => num(s.memoryAvailableBytes))
  put('sample.diskAvailableBytes', () => num(s.diskAvailableBytes))
  put('sample.temperatureC', () => num(s.temperatureC, 10, -100))
  put('sample.battery', () => w.u8(s.battery === null ? 0 : 1 + 2 * Math.round(s.battery.percent) + (s.battery.charging ? 1 : 0)))
  put('sample.gpus', () => {
    w.varint(s.gpus.length)
    for (const g of s.gpus) { num(g.utilizationPercent); num(g.memoryUsedMiB); num(g.temperatureC, 10, -100); num(g.powerW, 1000) }
  })
  put('sample.interruption', () => { w.bool(s.interruption !== null); if (s.interruption !== null) { w.string(s.interruption.action); num(s.interruption.deadline) } })
  put('end', () => {})
  return w.finish()
}

type Mutation =
  | { kind: 'flip', at: number, xor: number }
  | { kind: 'truncate', at: number }
  | { kind: 'extend', bytes: Uint8Array }
  | { kind: 'splice', at: number, remove: number, bytes: Uint8Array }

const isMalformed = (err: unknown): boolean => err instanceof MalformedMessageError

describe('telemetry codec', () => {
  describe('round trips', () => {
    for (const [name, t] of [['a typical node without GPUs', typical], ['a Jetson', jetson], ['a cloud spot node with 2 GPUs and an interruption notice', cloudSpot], ['an all-null sample', allNull]] as const) {
      it(name, () => {
        const bytes = encodeTelemetry(t)
        assert.deepEqual(decodeTelemetry(bytes), t)
        assert.deepEqual(bytes, wire(t), 'the encoding follows the documented layout')
      })
    }

    it('keeps a "__proto__" label as a label', () => {
      const t = withT({ labels: JSON.parse('{"__proto__": "x", "a": "b"}') as Record<string, string> })
      const back = decodeTelemetry(encodeTelemetry(t))
      assert.deepEqual(Object.entries(back.facts.labels), [['__proto__', 'x'], ['a', 'b']])
      assert.equal(Object.getPrototypeOf(back.facts.labels), Object.prototype)
    })

    it('keeps a string that starts with U+FEFF', () => {
      const t = withT({ cpuModel: '\uFEFFcpu' })
      assert.equal(decodeTelemetry(encodeTelemetry(t)).facts.cpuModel, '\uFEFFcpu')
    })

    it('carries the extremes of every range', () => {
      const t = withT(
        { priority: -1000, pricePerHour: 10_000, cores: 65_536, memoryTotalBytes: Number.MAX_SAFE_INTEGER - 1, gpus: Array.from({ length: 16 }, (_, i) => gpu(i).facts) },
        { cpuLoadPercent: 100, temperatureC: -100, battery: { percent: 100, charging: true }, gpus: Array.from({ length: 16 }, (_, i) => ({ ...gpu(i).sample, temperatureC: 250, powerW: 10_000, utilizationPercent: 100 })) },
        { seq: Number.MAX_SAFE_INTEGER, at: MAX_TIMESTAMP_MS }
      )
      assert.deepEqual(decodeTelemetry(encodeTelemetry(t)), t)
    })

    it('rounds to the precision of each field (half up)', () => {
      const back = decodeTelemetry(encodeTelemetry(withT(
        { pricePerHour: 0.12345649 },
        { cpuLoadPercent: 33.333, temperatureC: -0.05, battery: { percent: 55.5, charging: false }, gpus: [] }
      )))
      assert.equal(back.facts.pricePerHour, 0.123456)
      assert.equal(back.sample.cpuLoadPercent, 33.3)
      assert.equal(back.sample.temperatureC, 0)
      assert.deepEqual(back.sample.battery, { percent: 56, charging: false })
    })
  })

  it('encodes a typical node without GPUs in under 512 bytes', () => {
    assert.ok(encodeTelemetry(typical).length < 512, `${encodeTelemetry(typical).length} bytes`)
  })

  describe('decoding refuses, naming the field', () => {
    const long = (n: number): (w: Writer) => void => w => { w.string('x'.repeat(n)) }
    const valid = encodeTelemetry(cloudSpot)
    const cases: Array<[string, Uint8Array, RegExp]> = [
      ['oversize input', new Uint8Array(MAX_TELEMETRY_BYTES + 1), /telemetry: message: 4097 bytes exceeds the maximum 4096/],
      ['an unknown version', wire(typical, { version: w => w.u8(2) }), /version: unsupported version 2 \(this node understands 1\)/],
      ['empty input', new Uint8Array(0), /version: truncated/],
      ['truncation', valid.subarray(0, valid.length - 1), /sample\.interruption\.deadline: truncated/],
      ['trailing bytes', wire(typical, { end: w => w.u8(0) }), /end: 1 unexpected trailing bytes/],
      ['a non-minimal varint', wire(typical, { seq: w => w.fixed(new Uint8Array([0x81, 0x00])) }), /seq: non-minimal varint/],
      ['a timestamp beyond year 3000', wire(typical, { at: w => w.varint(MAX_TIMESTAMP_MS + 1) }), /at: 32503680000001 is outside 0\.\.32503680000000 ms/],
      ['startedAt beyond year 3000', wire(typical, { startedAt: w => w.varint(2 ** 50) }), /startedAt: .* is outside/],
      ['a region over 63 bytes', wire(typical, { 'facts.region': long(64) }), /facts\.region: length 64 exceeds the maximum 63/],
      ['a zone over 63 bytes', wire(typical, { 'facts.zone': long(64) }), /facts\.zone: length 64 exceeds the maximum 63/],
      ['a geography over 16 bytes', wire(typical, { 'facts.geography': long(17) }), /facts\.geography: length 17/],
      ['invalid UTF-8', wire(typical, { 'facts.zone': w => w.bytes(new Uint8Array([0xc0, 0xaf])) }), /facts\.zone: not valid UTF-8/],
      ['an unknown provider', wire(typical, { 'facts.provider': w => w.u8(5) }), /facts\.provider: unknown value 5 \(this node knows 0=aws, .*4=edge\)/],
      ['more than 32 labels', wire(typical, { 'facts.labels': w => w.varint(33) }), /facts\.labels: 33 exceeds the maximum 32/],
      ['a label key over 317 bytes', wire(typical, { 'facts.labels': w => w.varint(1).string('k'.repeat(318)).string('v') }), /facts\.labels\[0\] key: length 318 exceeds the maximum 317/],
      ['a label value over 63 bytes', wire(typical, { 'facts.labels': w => w.varint(1).string('k').string('v'.repeat(64)) }), /facts\.labels\["k"\]: length 64 exceeds the maximum 63/],
      ['duplicate label keys', wire(typical, { 'facts.labels': w => w.varint(2).string('a').string('1').string('a').string('2') }), /facts\.labels\[1\] key: "a" does not follow "a"/],
      ['unsorted label keys', wire(typical, { 'facts.labels': w => w.varint(2).string('b').string('1').string('a').string('2') }), /facts\.labels\[1\] key: .*ascending/],
      ['a price above 10000 USD/h', wire(typical, { 'facts.pricePerHour': w => w.varint(10_000_000_001) }), /facts\.pricePerHour: 10000\.000001 is outside 0\.\.10000 USD\/h/],
      ['a spot flag that is not a boolean', wire(typical, { 'facts.spot': w => w.u8(2) }), /facts\.spot: boolean must be 0 or 1/],
      ['a priority above 1000', wire(typical, { 'facts.priority': w => w.varint(2001) }), /facts\.priority: 1001 is outside -1000\.\.1000/],
      ['a version over 32 bytes', wire(typical, { 'facts.version': long(33) }), /facts\.version: length 33/],
      ['an arch over 16 bytes', wire(typical, { 'facts.arch': long(17) }), /facts\.arch: length 17/],
      ['a cpuModel over 96 bytes', wire(typical, { 'facts.cpuModel': w => { w.bool(true).string('x'.repeat(97)) } }), /facts\.cpuModel: length 97/],
      ['a cpuModel presence byte that is not 0 or 1', wire(typical, { 'facts.cpuModel': w => w.u8(7) }), /facts\.cpuModel presence: boolean must be 0 or 1/],
      ['more than 65536 cores', wire(typical, { 'facts.cores': w => w.varint(65_538) }), /facts\.cores: 65537 is outside 0\.\.65536/],
      ['more than 16 GPUs', wire(typical, { 'facts.gpus': w => w.varint(17) }), /facts\.gpus: 17 exceeds the maximum 16/],
      ['a GPU model over 96 bytes', wire(typical, { 'facts.gpus': w => w.varint(1).string('g'.repeat(97)).varint(0) }), /facts\.gpus\[0\]\.model: length 97/],
      ['an unknown jetson presence byte', wire(typical, { 'facts.jetson': w => w.u8(2) }), /facts\.jetson presence: boolean must be 0 or 1/],
      ['an unknown cloud provider', wire(typical, { 'facts.cloud': w => w.u8(4) }), /facts\.cloud\.provider: unknown value 4 \(this node knows 1=aws, 2=gcp, 3=azure\)/],
      ['an unknown lifecycle', wire(typical, { 'facts.cloud': w => w.u8(1).u8(0).u8(3) }), /facts\.cloud\.lifecycle: unknown value 3/],
      ['cpu load above 100%', wire(typical, { 'sample.cpuLoadPercent': w => w.varint(1002) }), /sample\.cpuLoadPercent: 100\.1 is outside 0\.\.100%/],
      ['a temperature above 250 °C', wire(typical, { 'sample.temperatureC': w => w.varint(3502) }), /sample\.temperatureC: 250\.1 is outside -100\.\.250 °C/],
      ['a battery above 100%', wire(typical, { 'sample.battery': w => w.u8(203) }), /sample\.battery\.percent: 101 is outside 0\.\.100%/],
      ['more GPU samples than GPUs', wire(typical, { 'sample.gpus': w => w.varint(1).varint(0).varint(0).varint(0).varint(0) }), /sample\.gpus: 1 samples for 0 GPUs in facts\.gpus/],
      ['fewer GPU samples than GPUs', wire(cloudSpot, { 'sample.gpus': w => w.varint(1) }), /sample\.gpus: 1 samples for 2 GPUs/],
      ['GPU utilization above 100%', wire(jetson, { 'sample.gpus': w => w.varint(1).varint(102).varint(0).varint(0).varint(0) }), /sample\.gpus\[0\]\.utilizationPercent: 101 is outside 0\.\.100%/],
      ['a GPU temperature above 250 °C', wire(jetson, { 'sample.gpus': w => w.varint(1).varint(0).varint(0).varint(4000).varint(0) }), /sample\.gpus\[0\]\.temperatureC: 299\.9 is outside -100\.\.250 °C/],
      ['GPU power above 10 kW', wire(jetson, { 'sample.gpus': w => w.varint(1).varint(0).varint(0).varint(0).varint(10_000_002) }), /sample\.gpus\[0\]\.powerW: 10000\.001 is outside 0\.\.10000 W/],
      ['an interruption action over 32 bytes', wire(typical, { 'sample.interruption': w => w.bool(true).string('a'.repeat(33)).varint(0) }), /sample\.interruption\.action: length 33/],
      ['an interruption deadline beyond year 3000', wire(typical, { 'sample.interruption': w => w.bool(true).string('stop').varint(MAX_TIMESTAMP_MS + 2) }), /sample\.interruption\.deadline: .* is outside 0\.\.32503680000000 ms/]
    ]
    for (const [name, bytes, message] of cases) {
      it(name, () => {
        assert.throws(() => decodeTelemetry(bytes), (err: Error & { code?: string }) => {
          assert.ok(err instanceof MalformedMessageError, `${err.name}: ${err.message}`)
          assert.equal(err.code, 'MALFORMED_MESSAGE')
          assert.match(err.message, message)
          return true
        })
      })
    }
  })

  describe('encoding refuses what decoding would, naming the field', () => {
    const manyLabels = Object.fromEntries(Array.from({ length: 32 }, (_, i) => [`${i}-${'k'.repeat(300)}`, 'v']))
    const cases: Array<[string, Telemetry, RegExp]> = [
      ['cpu load above 100%', withT({}, { cpuLoadPercent: 150 }), /sample\.cpuLoadPercent: 150 is outside 0\.\.100%/],
      ['a battery above 100%', withT({}, { battery: { percent: 101, charging: false } }), /sample\.battery\.percent: 101 is outside/],
      ['a temperature below -100 °C', withT({}, { temperatureC: -100.1 }), /sample\.temperatureC: -100\.1 is outside -100\.\.250 °C/],
      ['a temperature above 250 °C', withT({}, { temperatureC: 251 }), /sample\.temperatureC: 251 is outside/],
      ['NaN', withT({}, { memoryAvailableBytes: Number.NaN }), /sample\.memoryAvailableBytes: must be a finite number, got NaN/],
      ['a fractional byte count', withT({ diskTotalBytes: 1.5 }), /facts\.diskTotalBytes: must be a whole number, got 1\.5/],
      ['a negative core count', withT({ cores: -1 }), /facts\.cores: -1 is outside 0\.\.65536/],
      ['a priority outside -1000..1000', withT({ priority: 1001 }), /facts\.priority: 1001 is outside -1000\.\.1000/],
      ['an unknown provider', withT({ provider: 'ibm' as NodeFacts['provider'] }), /facts\.provider: ibm is not one of aws, gcp, azure, onprem, edge/],
      ['a timestamp beyond year 3000', withT({}, {}, { at: MAX_TIMESTAMP_MS + 1 }), /at: .* is outside/],
      ['a region over 63 bytes', withT({ region: 'é'.repeat(32) }), /facts\.region: 64 UTF-8 bytes exceeds the maximum 63/],
      ['a lone surrogate', withT({ zone: 'a\uD800' }), /facts\.zone: contains a lone UTF-16 surrogate/],
      ['more than 32 labels', withT({ labels: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, 'v'])) }), /facts\.labels: 33 entries exceeds the maximum 32/],
      ['a message over the size limit', withT({ labels: manyLabels }), /message: \d+ bytes exceeds the maximum 4096/],
      ['GPU samples that do not match the GPUs', withT({ gpus: [gpu(0).facts] }), /sample\.gpus: 0 samples for 1 GPUs in facts\.gpus/],
      ['an unknown lifecycle', withT({ cloud: { provider: 'aws', instanceType: null, lifecycle: 'reserved' as 'spot' } }), /facts\.cloud\.lifecycle: reserved is not one of/]
    ]
    for (const [name, t, message] of cases) {
      it(name, () => {
        assert.throws(() => encodeTelemetry(t), (err: Error) => {
          assert.ok(err instanceof RangeError, `${err.name}: ${err.message}`)
          assert.match(err.message, message)
          return true
        })
      })
    }
  })

  describe('fuzz', () => {
    /** Decoding either refuses with MalformedMessageError or returns what encodes back to the same bytes. */
    const decodesStrictly = (bytes: Uint8Array): void => {
      let t: Telemetry
      try {
        t = decodeTelemetry(bytes)
      } catch (err) {
        if (!isMalformed(err)) throw err
        return
      }
      assert.deepEqual(encodeTelemetry(t), bytes)
    }

    it('random bytes', () => {
      const raw = fc.uint8Array({ maxLength: 600 })
      fc.assert(fc.property(fc.oneof(raw, raw.map(b => Uint8Array.of(1, ...b))), decodesStrictly), { numRuns: 400 })
    })

    it('mutations of valid encodings', () => {
      const mutation: fc.Arbitrary<Mutation> = fc.oneof(
        record({ kind: fc.constant('flip' as const), at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }),
        record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
        record({ kind: fc.constant('extend' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
        record({ kind: fc.constant('splice' as const), at: fc.nat(), remove: fc.nat({ max: 8 }), bytes: fc.uint8Array({ maxLength: 8 }) })
      )
      const mutate = (bytes: Uint8Array, m: Mutation): Uint8Array => {
        const b = [...bytes]
        const at = 'at' in m ? m.at % (b.length + 1) : 0
        if (m.kind === 'flip') b[at % b.length] = (b[at % b.length] as number) ^ m.xor
        if (m.kind === 'truncate') b.length = at
        if (m.kind === 'extend') b.push(...m.bytes)
        if (m.kind === 'splice') b.splice(at, m.remove, ...m.bytes)
        return Uint8Array.from(b)
      }
      const source = fc.oneof(fc.constantFrom(typical, jetson, cloudSpot, allNull), arbitraryTelemetry)
      fc.assert(fc.property(source, fc.array(mutation, { minLength: 1, maxLength: 3 }), (t, ms) => {
        decodesStrictly(ms.reduce(mutate, encodeTelemetry(t)))
      }), { numRuns: 400 })
    })

    it('arbitrary valid telemetry round-trips', () => {
      fc.assert(fc.property(arbitraryTelemetry, t => {
        const bytes = encodeTelemetry(t)
        assert.ok(bytes.length <= MAX_TELEMETRY_BYTES)
        assert.deepEqual(decodeTelemetry(bytes), t)
      }), { numRuns: 200 })
    })
  })
})

/** fast-check's record, without the null-prototype objects it makes by default (deepEqual tells them apart). */
const record = ((model: Record<string, fc.Arbitrary<unknown>>) => fc.record(model, { noNullPrototype: true })) as unknown as typeof fc.record
/** A string of at most `maxBytes` UTF-8 bytes: ASCII up to the limit, or any code points. */
const text = (maxBytes: number): fc.Arbitrary<string> =>
  fc.oneof(fc.string({ maxLength: maxBytes }), fc.string({ unit: 'binary', maxLength: Math.floor(maxBytes / 4) }))
const nullable = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.option(a, { nil: null })
/** A value on the field's step: `k / scale` for whole k in range. */
const stepped = (min: number, max: number, scale = 1): fc.Arbitrary<number> =>
  fc.integer({ min: min * scale, max: max * scale }).map(k => k / scale)
const timestamp = fc.integer({ min: 0, max: MAX_TIMESTAMP_MS })
const bytesCount = nullable(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER - 1 }))
const mib = nullable(fc.integer({ min: 0, max: 2 ** 30 }))
const temperature = nullable(stepped(-100, 250, 10))

// Few enough labels and GPUs that even the longest strings stay under the total limit.
const arbitraryTelemetry: fc.Arbitrary<Telemetry> = fc.array(
  record({
    facts: record({ model: text(96), memoryTotalMiB: mib }),
    sample: record({ utilizationPercent: nullable(stepped(0, 100)), memoryUsedMiB: mib, temperatureC: temperature, powerW: nullable(stepped(0, 10_000, 1000)) })
  }),
  { maxLength: 4 }
).chain(gpus => record({
  seq: fc.maxSafeNat(),
  at: timestamp,
  startedAt: timestamp,
  facts: record({
    region: text(63),
    zone: text(63),
    geography: text(16),
    provider: fc.constantFrom(...NODE_PROVIDERS),
    labels: fc.dictionary(fc.oneof({ arbitrary: text(24), weight: 9 }, { arbitrary: fc.string({ minLength: 200, maxLength: 317 }), weight: 1 }), text(63), { maxKeys: 6, noNullPrototype: true }),
    pricePerHour: stepped(0, 10_000, 1e6),
    spot: fc.boolean(),
    priority: fc.integer({ min: -1000, max: 1000 }),
    version: text(32),
    arch: text(16),
    cpuModel: nullable(text(96)),
    cores: nullable(fc.integer({ min: 0, max: 65_536 })),
    memoryTotalBytes: bytesCount,
    diskTotalBytes: bytesCount,
    gpus: fc.constant(gpus.map(g => g.facts)),
    jetson: nullable(record({ model: nullable(text(96)), l4t: nullable(text(32)) })),
    cloud: nullable(record({
      provider: fc.constantFrom(...CLOUD_PROVIDERS),
      instanceType: nullable(text(64)),
      lifecycle: fc.constantFrom('spot' as const, 'on-demand' as const, null)
    }))
  }),
  sample: record({
    cpuLoadPercent: nullable(stepped(0, 100, 10)),
    memoryAvailableBytes: bytesCount,
    diskAvailableBytes: bytesCount,
    temperatureC: temperature,
    battery: nullable(record({ percent: fc.integer({ min: 0, max: 100 }), charging: fc.boolean() })),
    gpus: fc.constant(gpus.map(g => g.sample)),
    interruption: nullable(record({ action: text(32), deadline: nullable(timestamp) }))
  })
}))
