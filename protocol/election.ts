import { MalformedMessageError, Reader, Writer } from './codec/index.ts'

/**
 * A coordinator's claim on its region, gossiped on the region's topic every
 * claim interval (it doubles as the coordinator's heartbeat). `epoch` only
 * grows; a node accepts the claim with the higher (epoch, rank) and ignores
 * decisions from older epochs (SPEC invariant 4). `handover` is sent once by
 * a coordinator that is shutting down, so the next one claims at once.
 */
export interface Claim {
  region: string
  epoch: number
  coordinator: string
  priority: number
  handover: boolean
}

const VERSION = 1

export function encodeClaim (c: Claim): Uint8Array {
  return new Writer(96).u8(VERSION).string(c.region).varint(c.epoch).string(c.coordinator).varint(c.priority + 1000).bool(c.handover).finish()
}

export function decodeClaim (bytes: Uint8Array): Claim {
  if (bytes.length > 256) throw new MalformedMessageError(`claim: ${bytes.length} bytes exceeds the maximum 256`)
  const r = new Reader(bytes, 'claim')
  const v = r.u8('version')
  if (v !== VERSION) throw new MalformedMessageError(`claim: version: unsupported version ${v} (this node reads ${VERSION})`)
  const c = { region: r.string('region', 63), epoch: r.varint('epoch'), coordinator: r.string('coordinator', 64), priority: r.varint('priority', 2000) - 1000, handover: r.bool('handover') }
  r.end()
  return c
}

/** Rank of a region member: configured priority first, then peer id. Higher ranks first. */
export interface Ranked { peerId: string, priority: number }

export function compareRank (a: Ranked, b: Ranked): number {
  if (a.priority !== b.priority) return a.priority - b.priority
  return a.peerId < b.peerId ? -1 : a.peerId > b.peerId ? 1 : 0
}

/** Whether claim `a` beats claim `b`: the higher epoch, then the higher rank. */
export function claimBeats (a: Claim, b: Claim): boolean {
  if (a.epoch !== b.epoch) return a.epoch > b.epoch
  return compareRank({ peerId: a.coordinator, priority: a.priority }, { peerId: b.coordinator, priority: b.priority }) > 0
}
