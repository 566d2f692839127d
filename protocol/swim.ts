import { MalformedMessageError, Reader, Writer } from './codec/index.ts'

/**
 * The failure detector's wire messages (SWIM with Lifeguard's refutation).
 * Message kinds are append-only; the version byte guards the layout.
 *
 * - Ping / Ack: a direct probe over a stream. The ping carries what the
 *   prober believes of the target, so a target that is suspected or declared
 *   dead learns it from the probe itself and refutes at once with a higher
 *   incarnation (the ack carries it).
 * - PingReq: "probe this node for me" (indirect probe), answered with an Ack
 *   whose `ok` says whether the target answered the helper.
 * - Update: gossiped on the region's topic: alive / suspect / dead of a node
 *   at an incarnation.
 */
export const SWIM_VERSION = 1
export const NODE_STATES = ['alive', 'suspect', 'dead'] as const
export type NodeState = typeof NODE_STATES[number]
const MAX_ID = 64
const MAX_MESSAGE = 512

export interface Ping { kind: 'ping', seq: number, targetState: NodeState, targetIncarnation: number }
export interface PingReq { kind: 'ping-req', seq: number, target: string }
export interface Ack { kind: 'ack', seq: number, ok: boolean, incarnation: number }
export type ProbeMessage = Ping | PingReq | Ack

export interface Update { node: string, state: NodeState, incarnation: number }

const KINDS = ['ping', 'ping-req', 'ack'] as const

function header (r: Reader, what: string): void {
  const v = r.u8('version')
  if (v !== SWIM_VERSION) throw new MalformedMessageError(`${what}: version: unsupported version ${v} (this node reads ${SWIM_VERSION})`)
}

function state (r: Reader, field: string): NodeState {
  const b = r.u8(field)
  const s = NODE_STATES[b]
  if (s == null) throw new MalformedMessageError(`swim: ${field}: unknown state ${b}`)
  return s
}

export function encodeProbe (m: ProbeMessage): Uint8Array {
  const w = new Writer(64).u8(SWIM_VERSION).u8(KINDS.indexOf(m.kind)).varint(m.seq)
  if (m.kind === 'ping') w.u8(NODE_STATES.indexOf(m.targetState)).varint(m.targetIncarnation)
  else if (m.kind === 'ping-req') w.string(m.target)
  else w.bool(m.ok).varint(m.incarnation)
  return w.finish()
}

export function decodeProbe (bytes: Uint8Array): ProbeMessage {
  if (bytes.length > MAX_MESSAGE) throw new MalformedMessageError(`probe: ${bytes.length} bytes exceeds the maximum ${MAX_MESSAGE}`)
  const r = new Reader(bytes, 'probe')
  header(r, 'probe')
  const k = r.u8('kind')
  const seq = r.varint('seq')
  let m: ProbeMessage
  if (k === 0) m = { kind: 'ping', seq, targetState: state(r, 'targetState'), targetIncarnation: r.varint('targetIncarnation') }
  else if (k === 1) m = { kind: 'ping-req', seq, target: r.string('target', MAX_ID) }
  else if (k === 2) m = { kind: 'ack', seq, ok: r.bool('ok'), incarnation: r.varint('incarnation') }
  else throw new MalformedMessageError(`probe: kind: unknown kind ${k}`)
  r.end()
  return m
}

export function encodeUpdate (u: Update): Uint8Array {
  return new Writer(80).u8(SWIM_VERSION).string(u.node).u8(NODE_STATES.indexOf(u.state)).varint(u.incarnation).finish()
}

export function decodeUpdate (bytes: Uint8Array): Update {
  if (bytes.length > MAX_MESSAGE) throw new MalformedMessageError(`membership update: ${bytes.length} bytes exceeds the maximum ${MAX_MESSAGE}`)
  const r = new Reader(bytes, 'membership update')
  header(r, 'membership update')
  const u = { node: r.string('node', MAX_ID), state: state(r, 'state'), incarnation: r.varint('incarnation') }
  r.end()
  return u
}

/**
 * SWIM's precedence of updates about one node: a higher incarnation wins;
 * at equal incarnation dead beats suspect beats alive. Only the node itself
 * raises its incarnation, which is how it refutes.
 */
export function supersedes (next: { state: NodeState, incarnation: number }, prev: { state: NodeState, incarnation: number }): boolean {
  if (prev.state === 'dead' && next.state !== 'dead') return next.incarnation > prev.incarnation
  if (next.incarnation !== prev.incarnation) return next.incarnation > prev.incarnation
  return NODE_STATES.indexOf(next.state) > NODE_STATES.indexOf(prev.state)
}
