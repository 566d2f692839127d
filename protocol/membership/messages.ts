import { Reader, Writer, MalformedMessageError } from '../codec/index.ts'
import { MAX_CERT_BYTES, MAX_REGION_LENGTH } from './certificate.ts'

/**
 * The two membership exchanges. Both are one request, one response, each a
 * single length-prefixed message with hard limits on every field.
 */
const VERSION = 1

export const MAX_PEER_ID_CHARS = 64
export const MAX_ADDR_CHARS = 256
export const MAX_ADDRS_PER_PEER = 8
export const MAX_PEERS_PER_HELLO = 32
export const MAX_JOIN_MESSAGE_BYTES = 8 * 1024
export const MAX_HELLO_BYTES = 96 * 1024

function checkVersion (r: Reader, what: string): void {
  const v = r.u8('version')
  if (v !== VERSION) throw new MalformedMessageError(`${what}: version: unsupported version ${v} (this node speaks ${VERSION})`)
}

export interface JoinRequest {
  token: string
  /** The region the joining node is configured with. */
  region: string
}

export function encodeJoinRequest (m: JoinRequest): Uint8Array {
  return new Writer().u8(VERSION).string(m.token).string(m.region).finish()
}

export function decodeJoinRequest (bytes: Uint8Array): JoinRequest {
  const r = new Reader(bytes, 'join request')
  checkVersion(r, 'join request')
  const m = { token: r.string('token', 4096), region: r.string('region', MAX_REGION_LENGTH) }
  r.end()
  return m
}

export type JoinResponse =
  | { ok: true, certificate: Uint8Array }
  | { ok: false, code: string, message: string }

export function encodeJoinResponse (m: JoinResponse): Uint8Array {
  const w = new Writer().u8(VERSION).bool(m.ok)
  return (m.ok ? w.bytes(m.certificate) : w.string(m.code).string(m.message)).finish()
}

export function decodeJoinResponse (bytes: Uint8Array): JoinResponse {
  const r = new Reader(bytes, 'join response')
  checkVersion(r, 'join response')
  const m: JoinResponse = r.bool('ok')
    ? { ok: true, certificate: r.bytes('certificate', MAX_CERT_BYTES) }
    : { ok: false, code: r.string('code', 64), message: r.string('message', 1024) }
  r.end()
  return m
}

export interface PeerRecord {
  peerId: string
  addrs: string[]
}

/** A peer's certificate plus a sample of the members it knows, so a newcomer finds the rest of the fabric in one round trip. */
export interface Hello {
  certificate: Uint8Array
  peers: PeerRecord[]
  /** When the sender's daemon started: tells a restarted peer from a second connection of a running one. */
  bootedAt: number
}

export function encodeHello (m: Hello): Uint8Array {
  const w = new Writer(1024).u8(VERSION).bytes(m.certificate).varint(m.peers.length)
  for (const p of m.peers) {
    w.string(p.peerId).varint(p.addrs.length)
    for (const a of p.addrs) w.string(a)
  }
  return w.varint(m.bootedAt).finish()
}

export function decodeHello (bytes: Uint8Array): Hello {
  const r = new Reader(bytes, 'hello')
  checkVersion(r, 'hello')
  const certificate = r.bytes('certificate', MAX_CERT_BYTES)
  const count = r.varint('peers', MAX_PEERS_PER_HELLO)
  const peers: PeerRecord[] = []
  for (let i = 0; i < count; i++) {
    const peerId = r.string(`peers[${i}].peerId`, MAX_PEER_ID_CHARS)
    const n = r.varint(`peers[${i}].addrs`, MAX_ADDRS_PER_PEER)
    const addrs: string[] = []
    for (let j = 0; j < n; j++) addrs.push(r.string(`peers[${i}].addrs[${j}]`, MAX_ADDR_CHARS))
    peers.push({ peerId, addrs })
  }
  const bootedAt = r.varint('bootedAt')
  r.end()
  return { certificate, peers, bootedAt }
}

/**
 * Gossiped by every member when it joins and then periodically: proof of
 * membership (checked by every receiver, whoever relayed it) plus where to
 * dial it, so members beyond our direct connections can find each other.
 */
export interface MemberAnnounce {
  certificate: Uint8Array
  addrs: string[]
  version: string
  startedAt: number
}

export const MAX_ANNOUNCE_BYTES = 8 * 1024

export function encodeMemberAnnounce (m: MemberAnnounce): Uint8Array {
  const w = new Writer(512).u8(VERSION).bytes(m.certificate).varint(m.addrs.length)
  for (const a of m.addrs) w.string(a)
  return w.string(m.version).varint(m.startedAt).finish()
}

export function decodeMemberAnnounce (bytes: Uint8Array): MemberAnnounce {
  if (bytes.length > MAX_ANNOUNCE_BYTES) throw new MalformedMessageError(`member announce: ${bytes.length} bytes exceeds the maximum ${MAX_ANNOUNCE_BYTES}`)
  const r = new Reader(bytes, 'member announce')
  checkVersion(r, 'member announce')
  const certificate = r.bytes('certificate', MAX_CERT_BYTES)
  const n = r.varint('addrs', MAX_ADDRS_PER_PEER)
  const addrs: string[] = []
  for (let i = 0; i < n; i++) addrs.push(r.string(`addrs[${i}]`, MAX_ADDR_CHARS))
  const m = { certificate, addrs, version: r.string('version', 32), startedAt: r.varint('startedAt') }
  r.end()
  return m
}
