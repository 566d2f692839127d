/**
 * Anti-entropy between two nodes, over any ordered message channel (a
 * libp2p stream in the daemon, an in-memory pair in tests), following
 * protocol/state/sync.ts. The initiator drives; every request gets exactly
 * one answer:
 *
 *   root {digest}           → buckets {equal, buckets?}     (equal: done)
 *   keys {bucket, after?}   → keys {items, next?}           (a page of one bucket)
 *   get {keys}              → entries {entries, taken}      (the first `taken` keys answered)
 *   put {entries}           → ok {changed}
 *   done                    → bye
 *
 * Bounded memory and messages: key pages hold at most KEY_PAGE digests, an
 * entries message at most ENTRY_PAGE_BYTES of entries (but always one, so a
 * large manifest still moves), and the channel refuses anything over
 * MAX_SYNC_MESSAGE_BYTES before buffering it. The initiator holds one
 * bucket's key digests at a time (state size / 256), plus the keys still
 * to pull or push (under a page of them unless the states differ wholesale,
 * when they are bounded by the state's key count, not its size).
 *
 * Every received entry goes through the side's `accept` (schema, clock
 * drift, apply, persist), exactly like a gossiped one.
 */
import { diffBuckets, diffKeys, SYNC_BUCKETS, type FabricState, type KeyDigest, type StateEntry } from '../../protocol/state/index.ts'
import { HyperionError } from '../../protocol/errors.ts'

/** Key digests per page: a key is < 200 bytes, a hash 64, so a page stays under ~140 KiB. */
export const KEY_PAGE = 512
/** Keys asked for in one `get`. */
export const GET_KEYS = 256
/** Soft cap of the entries in one message (a single bigger entry still goes alone). */
export const ENTRY_PAGE_BYTES = 512 * 1024
/** Hard cap of any message: a manifest is at most 256 KiB as text, so one entry always fits. */
export const MAX_SYNC_MESSAGE_BYTES = 2 * 1024 * 1024

export type SyncMessage =
  | { t: 'root', digest: string }
  | { t: 'buckets', equal: boolean, buckets?: string[] }
  | { t: 'keys', bucket: number, after?: string }
  | { t: 'keyPage', items: KeyDigest[], next?: string }
  | { t: 'get', keys: string[] }
  | { t: 'entries', entries: unknown[], taken: number }
  | { t: 'put', entries: unknown[] }
  | { t: 'ok', changed: number }
  | { t: 'done' }
  | { t: 'bye' }

export interface Channel {
  send: (m: SyncMessage) => Promise<void>
  recv: () => Promise<SyncMessage>
}

export interface SyncSide {
  state: FabricState
  /** Validates, applies and persists entries from the peer; returns how many changed the state. */
  accept: (entries: unknown[]) => number
}

export interface SyncStats {
  /** Root digests were equal: nothing else was exchanged. */
  equal: boolean
  buckets: number
  pulled: number
  pushed: number
  messages: number
}

/** The peer broke the protocol: the session ends and nothing more is read from it. */
export class SyncProtocolError extends HyperionError {
  constructor (message: string) {
    super('SYNC_PROTOCOL', message)
  }
}

export async function initiateSync (ch: Channel, side: SyncSide): Promise<SyncStats> {
  const stats: SyncStats = { equal: false, buckets: 0, pulled: 0, pushed: 0, messages: 0 }
  const ask = async <T extends SyncMessage['t']>(m: SyncMessage, want: T): Promise<Extract<SyncMessage, { t: T }>> => {
    stats.messages++
    await ch.send(m)
    const answer = await ch.recv()
    if (answer.t !== want) throw new SyncProtocolError(`expected ${want}, got ${answer.t}`)
    return answer as Extract<SyncMessage, { t: T }>
  }
  const root = await ask({ t: 'root', digest: side.state.digest() }, 'buckets')
  if (root.equal || root.buckets === undefined) {
    stats.equal = root.equal
  } else {
    let pull: string[] = []
    let push: string[] = []
    for (const bucket of diffBuckets(side.state.bucketDigests(), root.buckets)) {
      stats.buckets++
      const theirs: KeyDigest[] = []
      let after: string | undefined
      do {
        const page = await ask({ t: 'keys', bucket, ...(after !== undefined ? { after } : {}) }, 'keyPage')
        theirs.push(...page.items)
        after = page.next
      } while (after !== undefined)
      const diff = diffKeys(allKeys(side.state, bucket), theirs)
      // Batched across buckets, so a sparse difference costs a message per page, not per bucket.
      pull.push(...diff.pull)
      push.push(...diff.push)
      if (pull.length >= GET_KEYS) pull = await pullKeys(pull, false)
      if (push.length >= GET_KEYS) push = await pushKeys(push, false)
    }
    await pullKeys(pull, true)
    await pushKeys(push, true)
  }
  await ask({ t: 'done' }, 'bye')
  return stats

  /** Pulls whole pages of `keys` (all of them with `all`); returns what is left. */
  async function pullKeys (keys: string[], all: boolean): Promise<string[]> {
    let rest = keys
    while (rest.length >= (all ? 1 : GET_KEYS)) {
      const asked = rest.slice(0, GET_KEYS)
      const got = await ask({ t: 'get', keys: asked }, 'entries')
      if (got.taken < 1 || got.taken > asked.length) throw new SyncProtocolError(`entries.taken: must be 1..${asked.length} (got ${got.taken})`)
      stats.pulled += side.accept(got.entries)
      rest = rest.slice(got.taken)
    }
    return rest
  }

  async function pushKeys (keys: string[], all: boolean): Promise<string[]> {
    let rest = keys
    while (rest.length >= (all ? 1 : GET_KEYS)) {
      const { entries, taken } = pack(side.state, rest)
      rest = rest.slice(taken)
      if (entries.length > 0) stats.pushed += (await ask({ t: 'put', entries }, 'ok')).changed
    }
    return rest
  }
}

/** Serves one session until the initiator says `done`. */
export async function serveSync (ch: Channel, side: SyncSide): Promise<SyncStats> {
  const stats: SyncStats = { equal: false, buckets: 0, pulled: 0, pushed: 0, messages: 0 }
  for (;;) {
    const m = await ch.recv()
    stats.messages++
    switch (m.t) {
      case 'root': {
        stats.equal = m.digest === side.state.digest()
        await ch.send(stats.equal ? { t: 'buckets', equal: true } : { t: 'buckets', equal: false, buckets: side.state.bucketDigests() })
        break
      }
      case 'keys': {
        stats.buckets++
        const page = side.state.keyDigests(m.bucket, m.after, KEY_PAGE)
        await ch.send({ t: 'keyPage', items: page.items, ...(page.next !== undefined ? { next: page.next } : {}) })
        break
      }
      case 'get': {
        const { entries, taken } = pack(side.state, m.keys)
        stats.pushed += entries.length
        await ch.send({ t: 'entries', entries, taken })
        break
      }
      case 'put': {
        const changed = side.accept(m.entries)
        stats.pulled += changed
        await ch.send({ t: 'ok', changed })
        break
      }
      case 'done':
        await ch.send({ t: 'bye' })
        return stats
      default:
        throw new SyncProtocolError(`unexpected ${m.t} from the initiator`)
    }
  }
}

function allKeys (state: FabricState, bucket: number): KeyDigest[] {
  const out: KeyDigest[] = []
  let after: string | undefined
  do {
    const page = state.keyDigests(bucket, after, KEY_PAGE)
    out.push(...page.items)
    after = page.next
  } while (after !== undefined)
  return out
}

/** Entries of a prefix of `keys` that fits ENTRY_PAGE_BYTES (at least one key); `taken` keys were handled. */
function pack (state: FabricState, keys: readonly string[]): { entries: StateEntry[], taken: number } {
  const entries: StateEntry[] = []
  let bytes = 0
  let taken = 0
  for (const key of keys.slice(0, GET_KEYS)) {
    const entry = state.entriesFor([key])[0]
    if (entry !== undefined) {
      const size = JSON.stringify(entry).length
      if (entries.length > 0 && bytes + size > ENTRY_PAGE_BYTES) break
      bytes += size
      entries.push(entry)
    }
    taken++
  }
  return { entries, taken }
}

const HEX = /^[0-9a-f]+$/

/** Checks the shape of a message from the wire; anything else is a protocol error naming the field. */
export function decodeSyncMessage (data: unknown): SyncMessage {
  const m = data as Record<string, unknown>
  if (typeof m !== 'object' || m === null || Array.isArray(m)) throw new SyncProtocolError('message: must be an object')
  const bad = (field: string, want: string): never => {
    throw new SyncProtocolError(`${m.t as string}.${field}: must be ${want} (got ${String(JSON.stringify(m[field])).slice(0, 60)})`)
  }
  const str = (v: unknown, max: number): v is string => typeof v === 'string' && v.length <= max
  const strings = (v: unknown, n: number, max: number): v is string[] => Array.isArray(v) && v.length <= n && v.every(x => str(x, max))
  switch (m.t) {
    case 'root':
      if (!str(m.digest, 64) || !HEX.test(m.digest)) bad('digest', 'a hex digest')
      return { t: 'root', digest: m.digest as string }
    case 'buckets':
      if (typeof m.equal !== 'boolean') bad('equal', 'a boolean')
      if (m.buckets !== undefined && (!strings(m.buckets, SYNC_BUCKETS, 64) || m.buckets.length !== SYNC_BUCKETS)) bad('buckets', `${SYNC_BUCKETS} digests`)
      return m.buckets === undefined ? { t: 'buckets', equal: m.equal as boolean } : { t: 'buckets', equal: m.equal as boolean, buckets: m.buckets as string[] }
    case 'keys':
      if (!Number.isInteger(m.bucket) || (m.bucket as number) < 0 || (m.bucket as number) >= SYNC_BUCKETS) bad('bucket', `an integer in [0, ${SYNC_BUCKETS})`)
      if (m.after !== undefined && !str(m.after, 512)) bad('after', 'a key')
      return { t: 'keys', bucket: m.bucket as number, ...(m.after !== undefined ? { after: m.after as string } : {}) }
    case 'keyPage': {
      const items = m.items
      if (!Array.isArray(items) || items.length > KEY_PAGE || !items.every(i => typeof i === 'object' && i !== null && str(i.key, 512) && str(i.hash, 64))) bad('items', `at most ${KEY_PAGE} {key, hash}`)
      if (m.next !== undefined && !str(m.next, 512)) bad('next', 'a key')
      return { t: 'keyPage', items: (items as KeyDigest[]).map(i => ({ key: i.key, hash: i.hash })), ...(m.next !== undefined ? { next: m.next as string } : {}) }
    }
    case 'get':
      if (!strings(m.keys, GET_KEYS, 512)) bad('keys', `at most ${GET_KEYS} keys`)
      return { t: 'get', keys: m.keys as string[] }
    case 'entries':
      if (!Array.isArray(m.entries) || m.entries.length > GET_KEYS) bad('entries', `an array of at most ${GET_KEYS}`)
      if (!Number.isInteger(m.taken)) bad('taken', 'an integer')
      return { t: 'entries', entries: m.entries as unknown[], taken: m.taken as number }
    case 'put':
      if (!Array.isArray(m.entries) || m.entries.length > GET_KEYS) bad('entries', `an array of at most ${GET_KEYS}`)
      return { t: 'put', entries: m.entries as unknown[] }
    case 'ok':
      if (!Number.isInteger(m.changed)) bad('changed', 'an integer')
      return { t: 'ok', changed: m.changed as number }
    case 'done': return { t: 'done' }
    case 'bye': return { t: 'bye' }
    default:
      throw new SyncProtocolError(`t: unknown message type (got ${JSON.stringify(m.t)?.slice(0, 40)})`)
  }
}
