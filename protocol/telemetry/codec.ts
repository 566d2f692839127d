import { MalformedMessageError, Reader, Writer } from '../codec/index.ts'
import { CLOUD_PROVIDERS, NODE_PROVIDERS } from './types.ts'
import type { GpuFacts, GpuSample, NodeFacts, NodeSample, Telemetry } from './types.ts'

/**
 * The Telemetry wire format, version 1. Every node sends one of these to its
 * region every interval, so it is small (~200 bytes for a node without GPUs)
 * and strict: a receiver refuses anything it would not itself send.
 *
 * Layout, in order (no tags: a new field means a new version):
 *
 *   u8 version · seq · at · startedAt
 *   facts:  region · zone · geography · provider · labels · pricePerHour · spot
 *           · priority · version · arch · cpuModel? · cores? · memoryTotalBytes?
 *           · diskTotalBytes? · gpus[model · memoryTotalMiB?] · jetson? · cloud?
 *   sample: cpuLoadPercent? · memoryAvailableBytes? · diskAvailableBytes?
 *           · temperatureC? · battery · gpus[utilization? · memoryUsed? · temp? · power?]
 *           · interruption?
 *
 * - Numbers are unsigned varints of a whole count of steps above the
 *   field's minimum (QUANTITIES):
 *     cpuLoadPercent      0.1 %       0..100
 *     temperatureC (node, GPU)  0.1 °C  -100..250 (offset by 100 °C)
 *     pricePerHour        1 µUSD/h    0..10 000 USD/h
 *     GPU powerW          1 mW        0..10 kW
 *     GPU utilization, battery percent   1 %   0..100
 *     priority            1           -1000..1000 (offset by 1000)
 *     seq, bytes          1           0..2^53-1 (bytes: 2^53-2)
 *     cores 0..65 536 · MiB 0..2^30 · timestamps 1 ms, 0..3000-01-01
 *   Encoding rounds a measurement to its step (Math.round: half up); a value
 *   already on a step (k / steps-per-unit) round-trips exactly. Counts,
 *   bytes, MiB, priorities and timestamps are whole by nature: a fraction
 *   there is the caller's bug, so it is refused rather than rounded.
 * - A nullable number is varint(steps + 1), 0 meaning null: one byte less
 *   than a presence flag, and null costs one byte.
 * - A nullable string or object is a presence byte (0/1) then the value.
 * - Enums are one byte, an index into an append-only table; `cloud` is
 *   0 for none or 1 + its provider's index; `battery` is 0 for none or
 *   1 + 2·percent + charging (percent rounded to a whole number).
 * - Labels are sorted by key and must arrive in strictly ascending order, so
 *   duplicates are impossible and a message has exactly one encoding.
 *
 * Not checked, on purpose: that used ≤ total or available ≤ total (probes of
 * one machine read at different moments can disagree), that startedAt ≤ at
 * (wall clocks step backwards), that `spot` agrees with `cloud.lifecycle`
 * (the operator may know better than the metadata service).
 */
export const TELEMETRY_VERSION = 1

/**
 * Hard limit on an encoded message, checked before parsing. The per-field
 * maxima below could add up to more (32 labels of 317-byte keys); the total
 * binds first, and encoding refuses a message that exceeds it.
 */
export const MAX_TELEMETRY_BYTES = 4096

/** 3000-01-01T00:00:00Z: a later timestamp is a broken clock or a broken message. */
export const MAX_TIMESTAMP_MS = Date.UTC(3000, 0, 1)

/** Maximum UTF-8 byte length of each string and maximum length of each list. */
export const TELEMETRY_LIMITS = {
  region: 63,
  zone: 63,
  geography: 16,
  labels: 32,
  /** A Kubernetes label key: 253-byte DNS prefix, '/', 63-byte name. */
  labelKey: 317,
  labelValue: 63,
  version: 32,
  arch: 16,
  cpuModel: 96,
  gpus: 16,
  gpuModel: 96,
  jetsonModel: 96,
  l4t: 32,
  instanceType: 64,
  interruptionAction: 32
} as const

/** Append-only, like every enum table here: the wire carries the index. */
const LIFECYCLES = ['spot', 'on-demand'] as const satisfies ReadonlyArray<NonNullable<NonNullable<NodeFacts['cloud']>['lifecycle']>>

/** A number carried as a whole count of `1 / scale` steps above `min`. */
interface Quantity {
  min: number
  max: number
  /** Steps per unit: 10 carries tenths. */
  scale: number
  /** Refuse fractions instead of rounding them. */
  whole: boolean
  unit: string
}

const quantity = (min: number, max: number, scale: number, whole: boolean, unit = ''): Quantity => ({ min, max, scale, whole, unit })

const QUANTITIES = {
  seq: quantity(0, Number.MAX_SAFE_INTEGER, 1, true),
  timestamp: quantity(0, MAX_TIMESTAMP_MS, 1, true, ' ms'),
  price: quantity(0, 10_000, 1e6, false, ' USD/h'),
  priority: quantity(-1000, 1000, 1, true),
  cores: quantity(0, 65_536, 1, true),
  // One less than the largest safe integer, so the nullable form (steps + 1) stays exact.
  bytes: quantity(0, Number.MAX_SAFE_INTEGER - 1, 1, true, ' bytes'),
  mib: quantity(0, 2 ** 30, 1, true, ' MiB'),
  loadPercent: quantity(0, 100, 10, false, '%'),
  temperature: quantity(-100, 250, 10, false, ' °C'),
  percent: quantity(0, 100, 1, false, '%'),
  powerW: quantity(0, 10_000, 1000, false, ' W')
} as const

const steps = (q: Quantity): number => (q.max - q.min) * q.scale
const fromSteps = (q: Quantity, n: number): number => (n + q.min * q.scale) / q.scale
const range = (q: Quantity): string => `${q.min}..${q.max}${q.unit}`

function invalid (field: string, problem: string): never {
  throw new RangeError(`telemetry: ${field}: ${problem}`)
}

function malformed (field: string, problem: string): never {
  throw new MalformedMessageError(`telemetry: ${field}: ${problem}`)
}

const utf8 = new TextEncoder()
// Not the Reader's decoder: that one strips a leading U+FEFF, so a string
// beginning with it would not round-trip and two encodings would decode alike.
const utf8Strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

// ---- encoding ----

function toSteps (q: Quantity, value: number, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) invalid(field, `must be a finite number, got ${String(value)}`)
  if (q.whole && !Number.isInteger(value)) invalid(field, `must be a whole number, got ${value}`)
  const n = Math.round(value * q.scale) - q.min * q.scale
  if (!(n >= 0 && n <= steps(q))) invalid(field, `${value} is outside ${range(q)}`)
  return n
}

function writeNumber (w: Writer, q: Quantity, value: number, field: string): void {
  w.varint(toSteps(q, value, field))
}

function writeNullableNumber (w: Writer, q: Quantity, value: number | null, field: string): void {
  w.varint(value === null ? 0 : toSteps(q, value, field) + 1)
}

function boolean (value: boolean, field: string): boolean {
  if (typeof value !== 'boolean') invalid(field, `must be a boolean, got ${String(value)}`)
  return value
}

function writeString (w: Writer, value: string, max: number, field: string): void {
  if (typeof value !== 'string') invalid(field, `must be a string, got ${String(value)}`)
  // A lone surrogate would be sent as U+FFFD and come back different.
  if (!value.isWellFormed()) invalid(field, 'contains a lone UTF-16 surrogate')
  const bytes = utf8.encode(value)
  if (bytes.length > max) invalid(field, `${bytes.length} UTF-8 bytes exceeds the maximum ${max}`)
  w.bytes(bytes)
}

function writeNullableString (w: Writer, value: string | null, max: number, field: string): void {
  w.bool(value !== null)
  if (value !== null) writeString(w, value, max, field)
}

function writeEnum<T> (w: Writer, table: readonly T[], value: T, field: string): void {
  const i = table.indexOf(value)
  if (i < 0) invalid(field, `${String(value)} is not one of ${table.join(', ')}`)
  w.u8(i)
}

function writeCount (w: Writer, list: readonly unknown[], max: number, field: string): void {
  if (!Array.isArray(list)) invalid(field, 'must be an array')
  if (list.length > max) invalid(field, `${list.length} entries exceeds the maximum ${max}`)
  w.varint(list.length)
}

function writeFacts (w: Writer, f: NodeFacts): void {
  const L = TELEMETRY_LIMITS
  writeString(w, f.region, L.region, 'facts.region')
  writeString(w, f.zone, L.zone, 'facts.zone')
  writeString(w, f.geography, L.geography, 'facts.geography')
  writeEnum(w, NODE_PROVIDERS, f.provider, 'facts.provider')
  if (f.labels === null || typeof f.labels !== 'object') invalid('facts.labels', 'must be an object of strings')
  const labels = Object.entries(f.labels).sort(([a], [b]) => a < b ? -1 : 1)
  writeCount(w, labels, L.labels, 'facts.labels')
  for (const [key, value] of labels) {
    writeString(w, key, L.labelKey, `facts.labels[${JSON.stringify(key)}] key`)
    writeString(w, value, L.labelValue, `facts.labels[${JSON.stringify(key)}]`)
  }
  writeNumber(w, QUANTITIES.price, f.pricePerHour, 'facts.pricePerHour')
  w.bool(boolean(f.spot, 'facts.spot'))
  writeNumber(w, QUANTITIES.priority, f.priority, 'facts.priority')
  writeString(w, f.version, L.version, 'facts.version')
  writeString(w, f.arch, L.arch, 'facts.arch')
  writeNullableString(w, f.cpuModel, L.cpuModel, 'facts.cpuModel')
  writeNullableNumber(w, QUANTITIES.cores, f.cores, 'facts.cores')
  writeNullableNumber(w, QUANTITIES.bytes, f.memoryTotalBytes, 'facts.memoryTotalBytes')
  writeNullableNumber(w, QUANTITIES.bytes, f.diskTotalBytes, 'facts.diskTotalBytes')
  writeCount(w, f.gpus, L.gpus, 'facts.gpus')
  f.gpus.forEach((g: GpuFacts, i) => {
    writeString(w, g.model, L.gpuModel, `facts.gpus[${i}].model`)
    writeNullableNumber(w, QUANTITIES.mib, g.memoryTotalMiB, `facts.gpus[${i}].memoryTotalMiB`)
  })
  w.bool(f.jetson !== null)
  if (f.jetson !== null) {
    writeNullableString(w, f.jetson.model, L.jetsonModel, 'facts.jetson.model')
    writeNullableString(w, f.jetson.l4t, L.l4t, 'facts.jetson.l4t')
  }
  if (f.cloud === null) {
    w.u8(0)
  } else {
    const i = CLOUD_PROVIDERS.indexOf(f.cloud.provider)
    if (i < 0) invalid('facts.cloud.provider', `${String(f.cloud.provider)} is not one of ${CLOUD_PROVIDERS.join(', ')}`)
    w.u8(1 + i)
    writeNullableString(w, f.cloud.instanceType, L.instanceType, 'facts.cloud.instanceType')
    if (f.cloud.lifecycle === null) w.u8(0)
    else {
      const l = LIFECYCLES.indexOf(f.cloud.lifecycle)
      if (l < 0) invalid('facts.cloud.lifecycle', `${String(f.cloud.lifecycle)} is not one of ${LIFECYCLES.join(', ')} or null`)
      w.u8(1 + l)
    }
  }
}

function writeSample (w: Writer, s: NodeSample, gpuCount: number): void {
  writeNullableNumber(w, QUANTITIES.loadPercent, s.cpuLoadPercent, 'sample.cpuLoadPercent')
  writeNullableNumber(w, QUANTITIES.bytes, s.memoryAvailableBytes, 'sample.memoryAvailableBytes')
  writeNullableNumber(w, QUANTITIES.bytes, s.diskAvailableBytes, 'sample.diskAvailableBytes')
  writeNullableNumber(w, QUANTITIES.temperature, s.temperatureC, 'sample.temperatureC')
  if (s.battery === null) {
    w.u8(0)
  } else {
    const percent = toSteps(QUANTITIES.percent, s.battery.percent, 'sample.battery.percent')
    w.u8(1 + percent * 2 + (boolean(s.battery.charging, 'sample.battery.charging') ? 1 : 0))
  }
  writeCount(w, s.gpus, TELEMETRY_LIMITS.gpus, 'sample.gpus')
  if (s.gpus.length !== gpuCount) invalid('sample.gpus', `${s.gpus.length} samples for ${gpuCount} GPUs in facts.gpus`)
  s.gpus.forEach((g: GpuSample, i) => {
    writeNullableNumber(w, QUANTITIES.percent, g.utilizationPercent, `sample.gpus[${i}].utilizationPercent`)
    writeNullableNumber(w, QUANTITIES.mib, g.memoryUsedMiB, `sample.gpus[${i}].memoryUsedMiB`)
    writeNullableNumber(w, QUANTITIES.temperature, g.temperatureC, `sample.gpus[${i}].temperatureC`)
    writeNullableNumber(w, QUANTITIES.powerW, g.powerW, `sample.gpus[${i}].powerW`)
  })
  w.bool(s.interruption !== null)
  if (s.interruption !== null) {
    writeString(w, s.interruption.action, TELEMETRY_LIMITS.interruptionAction, 'sample.interruption.action')
    writeNullableNumber(w, QUANTITIES.timestamp, s.interruption.deadline, 'sample.interruption.deadline')
  }
}

/**
 * Encodes `t`, refusing with a RangeError naming the field anything that
 * `decodeTelemetry` would refuse, so a node never sends what its peers drop.
 * Fractional fields are rounded to their step (see the file's doc).
 */
export function encodeTelemetry (t: Telemetry): Uint8Array {
  const w = new Writer(512).u8(TELEMETRY_VERSION)
  writeNumber(w, QUANTITIES.seq, t.seq, 'seq')
  writeNumber(w, QUANTITIES.timestamp, t.at, 'at')
  writeNumber(w, QUANTITIES.timestamp, t.startedAt, 'startedAt')
  writeFacts(w, t.facts)
  writeSample(w, t.sample, t.facts.gpus.length)
  const bytes = w.finish()
  if (bytes.length > MAX_TELEMETRY_BYTES) invalid('message', `${bytes.length} bytes exceeds the maximum ${MAX_TELEMETRY_BYTES}`)
  return bytes
}

// ---- decoding ----

function readNumber (r: Reader, q: Quantity, field: string): number {
  const n = r.varint(field)
  if (n > steps(q)) malformed(field, `${fromSteps(q, n)} is outside ${range(q)}`)
  return fromSteps(q, n)
}

function readNullableNumber (r: Reader, q: Quantity, field: string): number | null {
  const n = r.varint(field)
  if (n === 0) return null
  if (n - 1 > steps(q)) malformed(field, `${fromSteps(q, n - 1)} is outside ${range(q)}`)
  return fromSteps(q, n - 1)
}

function readString (r: Reader, max: number, field: string): string {
  const raw = r.bytes(field, max)
  try {
    return utf8Strict.decode(raw)
  } catch {
    return malformed(field, 'not valid UTF-8')
  }
}

function readNullableString (r: Reader, max: number, field: string): string | null {
  return r.bool(`${field} presence`) ? readString(r, max, field) : null
}

/** `b` as an index into `table`, after `offset` values that mean something else (0 = null). */
function enumValue<T> (b: number, table: readonly T[], field: string, offset = 0): T {
  const value = table[b - offset]
  if (b < offset || value === undefined) malformed(field, `unknown value ${b} (this node knows ${table.map((v, i) => `${i + offset}=${String(v)}`).join(', ')})`)
  return value
}

function readFacts (r: Reader): NodeFacts {
  const L = TELEMETRY_LIMITS
  const region = readString(r, L.region, 'facts.region')
  const zone = readString(r, L.zone, 'facts.zone')
  const geography = readString(r, L.geography, 'facts.geography')
  const provider = enumValue(r.u8('facts.provider'), NODE_PROVIDERS, 'facts.provider')
  const labelCount = r.varint('facts.labels', L.labels)
  const labels: Array<[string, string]> = []
  for (let i = 0; i < labelCount; i++) {
    const key = readString(r, L.labelKey, `facts.labels[${i}] key`)
    const prev = labels[i - 1]
    if (prev !== undefined && !(prev[0] < key)) malformed(`facts.labels[${i}] key`, `${JSON.stringify(key)} does not follow ${JSON.stringify(prev[0])}: keys must be unique and in ascending order`)
    labels.push([key, readString(r, L.labelValue, `facts.labels[${JSON.stringify(key)}]`)])
  }
  const pricePerHour = readNumber(r, QUANTITIES.price, 'facts.pricePerHour')
  const spot = r.bool('facts.spot')
  const priority = readNumber(r, QUANTITIES.priority, 'facts.priority')
  const version = readString(r, L.version, 'facts.version')
  const arch = readString(r, L.arch, 'facts.arch')
  const cpuModel = readNullableString(r, L.cpuModel, 'facts.cpuModel')
  const cores = readNullableNumber(r, QUANTITIES.cores, 'facts.cores')
  const memoryTotalBytes = readNullableNumber(r, QUANTITIES.bytes, 'facts.memoryTotalBytes')
  const diskTotalBytes = readNullableNumber(r, QUANTITIES.bytes, 'facts.diskTotalBytes')
  const gpuCount = r.varint('facts.gpus', L.gpus)
  const gpus: GpuFacts[] = []
  for (let i = 0; i < gpuCount; i++) {
    gpus.push({
      model: readString(r, L.gpuModel, `facts.gpus[${i}].model`),
      memoryTotalMiB: readNullableNumber(r, QUANTITIES.mib, `facts.gpus[${i}].memoryTotalMiB`)
    })
  }
  const jetson = r.bool('facts.jetson presence')
    ? { model: readNullableString(r, L.jetsonModel, 'facts.jetson.model'), l4t: readNullableString(r, L.l4t, 'facts.jetson.l4t') }
    : null
  let cloud: NodeFacts['cloud'] = null
  const cloudByte = r.u8('facts.cloud.provider')
  if (cloudByte !== 0) {
    const cloudProvider = enumValue(cloudByte, CLOUD_PROVIDERS, 'facts.cloud.provider', 1)
    const instanceType = readNullableString(r, L.instanceType, 'facts.cloud.instanceType')
    const lifecycleByte = r.u8('facts.cloud.lifecycle')
    const lifecycle = lifecycleByte === 0 ? null : enumValue(lifecycleByte, LIFECYCLES, 'facts.cloud.lifecycle', 1)
    cloud = { provider: cloudProvider, instanceType, lifecycle }
  }
  // Object.fromEntries defines own properties, so a "__proto__" label stays a label.
  return { region, zone, geography, provider, labels: Object.fromEntries(labels), pricePerHour, spot, priority, version, arch, cpuModel, cores, memoryTotalBytes, diskTotalBytes, gpus, jetson, cloud }
}

function readSample (r: Reader, gpuCount: number): NodeSample {
  const cpuLoadPercent = readNullableNumber(r, QUANTITIES.loadPercent, 'sample.cpuLoadPercent')
  const memoryAvailableBytes = readNullableNumber(r, QUANTITIES.bytes, 'sample.memoryAvailableBytes')
  const diskAvailableBytes = readNullableNumber(r, QUANTITIES.bytes, 'sample.diskAvailableBytes')
  const temperatureC = readNullableNumber(r, QUANTITIES.temperature, 'sample.temperatureC')
  const batteryByte = r.u8('sample.battery')
  let battery: NodeSample['battery'] = null
  if (batteryByte !== 0) {
    const percent = (batteryByte - 1) >> 1
    if (percent > 100) malformed('sample.battery.percent', `${percent} is outside 0..100%`)
    battery = { percent, charging: ((batteryByte - 1) & 1) === 1 }
  }
  const count = r.varint('sample.gpus', TELEMETRY_LIMITS.gpus)
  if (count !== gpuCount) malformed('sample.gpus', `${count} samples for ${gpuCount} GPUs in facts.gpus`)
  const gpus: GpuSample[] = []
  for (let i = 0; i < count; i++) {
    gpus.push({
      utilizationPercent: readNullableNumber(r, QUANTITIES.percent, `sample.gpus[${i}].utilizationPercent`),
      memoryUsedMiB: readNullableNumber(r, QUANTITIES.mib, `sample.gpus[${i}].memoryUsedMiB`),
      temperatureC: readNullableNumber(r, QUANTITIES.temperature, `sample.gpus[${i}].temperatureC`),
      powerW: readNullableNumber(r, QUANTITIES.powerW, `sample.gpus[${i}].powerW`)
    })
  }
  const interruption = r.bool('sample.interruption presence')
    ? {
        action: readString(r, TELEMETRY_LIMITS.interruptionAction, 'sample.interruption.action'),
        deadline: readNullableNumber(r, QUANTITIES.timestamp, 'sample.interruption.deadline')
      }
    : null
  return { cpuLoadPercent, memoryAvailableBytes, diskAvailableBytes, temperatureC, battery, gpus, interruption }
}

/**
 * Decodes one Telemetry message, refusing with a MalformedMessageError that
 * names the field: oversized input (before parsing), an unknown version,
 * truncation, trailing bytes, non-minimal varints, unknown enum values,
 * invalid UTF-8, strings or lists over their maxima, and values out of range.
 * Whatever it returns, `encodeTelemetry` encodes back to the same bytes.
 */
export function decodeTelemetry (bytes: Uint8Array): Telemetry {
  if (bytes.length > MAX_TELEMETRY_BYTES) malformed('message', `${bytes.length} bytes exceeds the maximum ${MAX_TELEMETRY_BYTES}`)
  const r = new Reader(bytes, 'telemetry')
  const version = r.u8('version')
  if (version !== TELEMETRY_VERSION) malformed('version', `unsupported version ${version} (this node understands ${TELEMETRY_VERSION})`)
  const seq = readNumber(r, QUANTITIES.seq, 'seq')
  const at = readNumber(r, QUANTITIES.timestamp, 'at')
  const startedAt = readNumber(r, QUANTITIES.timestamp, 'startedAt')
  const facts = readFacts(r)
  const sample = readSample(r, facts.gpus.length)
  r.end()
  return { seq, at, startedAt, facts, sample }
}
