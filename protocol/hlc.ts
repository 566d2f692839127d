/**
 * Hybrid logical clock (Kulkarni et al., "Logical Physical Clocks", 2014):
 * timestamps that follow wall-clock time closely but never run backwards and
 * always order a receive after its send, so last-writer-wins registers pick
 * the causally later write even when wall clocks disagree a little.
 *
 * A clock that is far off must not win forever: `receive` refuses a remote
 * timestamp more than `maxDriftMs` ahead of our own wall clock, so one node
 * with a clock set hours ahead cannot push everyone's clock (and every later
 * write) into its future.
 *
 * Total order: (wallMs, logical, node). The node id breaks ties between two
 * nodes that stamped the same instant, so no two writers ever produce equal
 * timestamps.
 */
import { HyperionError, InvalidInputError } from './errors.ts'

export interface Hlc {
  /** Milliseconds since the epoch, as the writer's (adjusted) wall clock saw it. */
  readonly wallMs: number
  /** Orders events within the same `wallMs`. */
  readonly logical: number
  /** The writer: its peer id. */
  readonly node: string
}

/** What the clock uses from its surroundings. */
export interface HybridClockComponents {
  /** The wall clock, in ms since the epoch; injected so tests can drive it. */
  wallClock: () => number
}

export interface HybridClockInit {
  /** This node's id, stamped into every timestamp it makes. */
  node: string
  /**
   * How far ahead of our wall clock a remote timestamp may be before it is refused.
   * Generous against NTP-less edge devices, small against a clock set hours off.
   *
   * @default 60_000
   */
  maxDriftMs?: number
  /** The last timestamp issued before a restart, so the clock never repeats one. */
  last?: Hlc
}

export const DEFAULT_MAX_DRIFT_MS = 60_000
/** Fits six bytes (until the year 10889) so the binary form stays fixed-width. */
export const MAX_WALL_MS = 2 ** 48 - 1
export const MAX_LOGICAL = 2 ** 32 - 1
export const MAX_NODE_ID_LENGTH = 128

/** A remote timestamp too far in our future: its writer's clock is off. */
export class ClockDriftError extends HyperionError {
  readonly driftMs: number

  constructor (remote: Hlc, driftMs: number, maxDriftMs: number) {
    super('CLOCK_DRIFT', `timestamp from ${remote.node} is ${driftMs} ms ahead of this node's clock (the limit is ${maxDriftMs} ms): its clock is wrong`)
    this.driftMs = driftMs
  }
}

/** Thrown rather than wrapping the counter, which would reorder writes. */
export class ClockOverflowError extends HyperionError {
  constructor () {
    super('HLC_OVERFLOW', `the clock's logical counter passed ${MAX_LOGICAL} within one millisecond`)
  }
}

export class HybridClock {
  readonly node: string
  readonly maxDriftMs: number
  private readonly wallClock: () => number
  private wallMs: number
  private logical: number

  constructor (components: HybridClockComponents, init: HybridClockInit) {
    assertNodeId(init.node)
    if (init.last !== undefined) assertHlc(init.last)
    this.node = init.node
    this.wallClock = components.wallClock
    this.maxDriftMs = init.maxDriftMs ?? DEFAULT_MAX_DRIFT_MS
    this.wallMs = init.last?.wallMs ?? 0
    this.logical = init.last?.logical ?? 0
  }

  /** A timestamp for a local event, later than every timestamp seen so far. */
  now (): Hlc {
    const physical = this.physical()
    if (physical > this.wallMs) {
      this.wallMs = physical
      this.logical = 0
    } else {
      this.tick(this.logical)
    }
    return this.current()
  }

  /**
   * Takes in a remote timestamp (before applying the op it stamps), so that
   * whatever we write next orders after it. Throws `ClockDriftError` and
   * leaves the clock untouched when the remote is too far ahead.
   */
  receive (remote: Hlc): Hlc {
    this.checkDrift(remote)
    const physical = this.physical()
    const wall = Math.max(this.wallMs, remote.wallMs, physical)
    if (wall === this.wallMs && wall === remote.wallMs) {
      this.tick(Math.max(this.logical, remote.logical))
    } else if (wall === this.wallMs) {
      this.tick(this.logical)
    } else if (wall === remote.wallMs) {
      this.wallMs = wall
      this.tick(remote.logical)
    } else {
      this.wallMs = wall
      this.logical = 0
    }
    return this.current()
  }

  /** Throws `ClockDriftError` if `remote` is more than `maxDriftMs` ahead of our wall clock. */
  checkDrift (remote: Hlc): void {
    const drift = remote.wallMs - this.physical()
    if (drift > this.maxDriftMs) throw new ClockDriftError(remote, drift, this.maxDriftMs)
  }

  /** The latest timestamp issued or received, to persist across restarts. */
  current (): Hlc {
    return { wallMs: this.wallMs, logical: this.logical, node: this.node }
  }

  private physical (): number {
    return Math.floor(this.wallClock())
  }

  private tick (from: number): void {
    if (from >= MAX_LOGICAL) throw new ClockOverflowError()
    this.logical = from + 1
  }
}

/** Orders by wall time, then logical counter, then node id (code-unit order, like the string form). */
export function compareHlc (a: Hlc, b: Hlc): -1 | 0 | 1 {
  if (a.wallMs !== b.wallMs) return a.wallMs < b.wallMs ? -1 : 1
  if (a.logical !== b.logical) return a.logical < b.logical ? -1 : 1
  if (a.node !== b.node) return a.node < b.node ? -1 : 1
  return 0
}

function assertNodeId (node: unknown): asserts node is string {
  if (typeof node !== 'string' || node.length === 0 || node.length > MAX_NODE_ID_LENGTH || /[\s\p{Cc}]/u.test(node)) {
    throw new InvalidInputError(`hlc.node: must be 1–${MAX_NODE_ID_LENGTH} characters without blanks (got ${JSON.stringify(node)})`, 'INVALID_HLC')
  }
}

/** Checks a timestamp that came from outside (wire, disk); throws `INVALID_HLC` naming the field. */
export function assertHlc (ts: unknown): asserts ts is Hlc {
  if (typeof ts !== 'object' || ts === null) throw new InvalidInputError(`hlc: must be an object (got ${JSON.stringify(ts)})`, 'INVALID_HLC')
  const { wallMs, logical, node } = ts as Record<string, unknown>
  if (!Number.isSafeInteger(wallMs) || (wallMs as number) < 0 || (wallMs as number) > MAX_WALL_MS) {
    throw new InvalidInputError(`hlc.wallMs: must be an integer in [0, 2^48) (got ${JSON.stringify(wallMs)})`, 'INVALID_HLC')
  }
  if (!Number.isSafeInteger(logical) || (logical as number) < 0 || (logical as number) > MAX_LOGICAL) {
    throw new InvalidInputError(`hlc.logical: must be an integer in [0, 2^32) (got ${JSON.stringify(logical)})`, 'INVALID_HLC')
  }
  assertNodeId(node)
}

/**
 * `<wallMs as 12 hex digits>.<logical as 8 hex digits>.<node>`: fixed-width
 * hex, so comparing two encodings as strings orders them as `compareHlc` does
 * (a sort key for storage indexes).
 */
export function encodeHlc (ts: Hlc): string {
  return `${ts.wallMs.toString(16).padStart(12, '0')}.${ts.logical.toString(16).padStart(8, '0')}.${ts.node}`
}

export function decodeHlc (text: string): Hlc {
  const match = /^([0-9a-f]{12})\.([0-9a-f]{8})\.(.+)$/s.exec(text)
  if (match === null) throw new InvalidInputError(`hlc: not an encoded timestamp (got ${JSON.stringify(text)})`, 'INVALID_HLC')
  const ts = { wallMs: parseInt(match[1] as string, 16), logical: parseInt(match[2] as string, 16), node: match[3] as string }
  assertHlc(ts)
  return ts
}

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

/** 6 bytes wall ms, 4 bytes logical (both big-endian), then the node id in UTF-8. */
export function hlcToBytes (ts: Hlc): Uint8Array {
  const node = encoder.encode(ts.node)
  const out = new Uint8Array(10 + node.length)
  const view = new DataView(out.buffer)
  view.setUint16(0, Math.floor(ts.wallMs / 2 ** 32))
  view.setUint32(2, ts.wallMs % 2 ** 32)
  view.setUint32(6, ts.logical)
  out.set(node, 10)
  return out
}

export function hlcFromBytes (bytes: Uint8Array): Hlc {
  if (bytes.length < 11) throw new InvalidInputError(`hlc: ${bytes.length} bytes is too short for a timestamp`, 'INVALID_HLC')
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let node: string
  try {
    node = decoder.decode(bytes.subarray(10))
  } catch (err) {
    throw new InvalidInputError('hlc.node: not valid UTF-8', 'INVALID_HLC', { cause: err })
  }
  const ts = { wallMs: view.getUint16(0) * 2 ** 32 + view.getUint32(2), logical: view.getUint32(6), node }
  assertHlc(ts)
  return ts
}
