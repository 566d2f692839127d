/**
 * The fabric's desired and observed state as a state-based CRDT: a map of
 * LWW registers (see entries.ts) plus a tombstone horizon. `apply` and
 * `merge` are commutative, associative and idempotent, so replicas that have
 * seen the same entries hold the same state and the same `digest()`, in
 * whatever order, with whatever duplicates.
 *
 * Kept in memory and pure: the daemon persists every entry `apply` accepts
 * and replays them at start.
 *
 * Tombstone collection (`collectTombstones`, see its precondition) may only
 * forget what can no longer change the outcome of a later write. A spec or
 * status tombstone below a causally stable horizon qualifies: those registers
 * are ordered by HLC alone, and every later write is stamped after the
 * horizon, so it beats the tombstone anyway. An assignment tombstone does
 * not: ordered by (epoch, HLC), it still beats a later write of a lower
 * epoch (a deposed coordinator whose clock has moved on). Dropping it would
 * let that write win on replicas that had collected and lose on those that
 * had not yet, so collect and apply would not commute. Collection therefore
 * shrinks an assignment tombstone of epoch e > 0 to its *fence*: the same
 * tombstone with its clock wound back to zero. Under the ordinary entry order
 * a fence beats every write of a lower epoch and loses to every real write of
 * epoch >= e, which is all the collected tombstone could still decide, and
 * being an ordinary entry it keeps `apply`/`merge` commutative, associative
 * and idempotent, is in the digest, and travels by sync and full transfer
 * like any entry. Two fences of one key keep the greater. A fence leaves as
 * soon as its key is written again (any write of epoch >= e); epoch 0 fences
 * nothing and is not kept. Fences are hidden from
 * `size`, `all` and `assignments`. Memory: at most one fence (the size of
 * the tombstone it replaces, and identical on every replica whenever it was
 * collected) per assignment key last released at epoch > 0, so bounded by the
 * assignment keys ever used, not by the writes; spec and status tombstones
 * still go entirely. Forgetting fences as well would need an epoch horizon
 * (no coordinator can write below epoch e any more), which only the election
 * layer could supply: any rule based on time alone reopens this divergence.
 *
 * Digests are a two-level Merkle tree: keys hash into `SYNC_BUCKETS`
 * buckets, each bucket digests its sorted (key, entry hash) pairs, the root
 * digests the horizon and the buckets. Two nodes compare roots, then buckets,
 * then the keys of differing buckets, and send only the entries that differ
 * (see sync.ts).
 */
import { createHash } from 'node:crypto'
import { compareEntries, entryHash, entryKey, isTombstone, specKey, workloadPrefixes } from './entries.ts'
import type { AssignmentEntry, SpecEntry, StateEntry, StatusEntry } from './entries.ts'

/** Part of the sync protocol: both sides must bucket keys alike. */
export const SYNC_BUCKETS = 256
/** Bucket digests are truncated to this many hex digits (64 bits) to keep the bucket message ~4 KiB. */
export const BUCKET_DIGEST_HEX = 16

interface Stored {
  readonly entry: StateEntry
  readonly hash: string
  readonly bucket: number
}

export interface KeyDigest {
  readonly key: string
  readonly hash: string
}

export interface Page<T> {
  readonly items: T[]
  /** Pass as `after` for the next page; absent on the last page. */
  readonly next?: string
}

const EMPTY_BUCKET = sha256('')

export class FabricState {
  private readonly entries = new Map<string, Stored>()
  private readonly buckets: Array<Map<string, string>> = Array.from({ length: SYNC_BUCKETS }, () => new Map())
  private readonly bucketCache: Array<string | undefined> = new Array(SYNC_BUCKETS).fill(undefined)
  private sortedKeys: string[] | undefined
  private horizonMs = 0
  /** How many stored entries are fences, for `size`. */
  private fences = 0

  /**
   * Applies one entry (an op): keeps it if it wins over what is stored for
   * its key. Returns true when the state changed, i.e. when the daemon must
   * persist it and gossip it on. Validate untrusted entries with `parseEntry`
   * first.
   */
  apply (entry: StateEntry): boolean {
    const key = entryKey(entry)
    const current = this.entries.get(key)
    const hash = entryHash(entry)
    if (current !== undefined && compareEntries(entry, hash, current.entry, current.hash) <= 0) return false
    const bucket = current?.bucket ?? bucketOf(key)
    if (isTombstone(entry) && entry.ts.wallMs < this.horizonMs) {
      // A tombstone below the horizon would be collected at once: it only has to remove what it beats, leaving its fence.
      const fence = fenceOf(entry)
      if (fence === undefined) {
        if (current === undefined) return false
        this.remove(key, current)
        return true
      }
      const fenceHash = entryHash(fence)
      if (current !== undefined && isFence(current.entry) && compareEntries(fence, fenceHash, current.entry, current.hash) <= 0) return false
      this.put(key, { entry: fence, hash: fenceHash, bucket })
      return true
    }
    this.put(key, { entry, hash, bucket })
    return true
  }

  /** Takes in everything `other` holds. Returns true when this state changed. */
  merge (other: FabricState): boolean {
    let changed = this.raiseHorizon(other.horizonMs) > 0
    for (const { entry } of other.entries.values()) changed = this.apply(entry) || changed
    return changed
  }

  /**
   * Forgets tombstones written before `olderThanMs` (wall-clock ms) and
   * refuses tombstones older than that from now on. Returns how many were
   * dropped.
   *
   * `olderThanMs` must be causally stable: every member has merged every
   * entry stamped before it, and every member's HLC has passed it (so none
   * can stamp an entry before it any more). The daemon can take the minimum
   * of the HLCs members report, minus a margin. Otherwise an older entry
   * arriving later meets no tombstone and resurrects what was deleted, on
   * some replicas and not others. A node that was away longer than that
   * must resync from empty rather than merge its old state.
   *
   * An assignment tombstone of epoch > 0 is not forgotten but shrunk to its
   * fence (see the top of this file), so that a later write of an older
   * epoch loses on every replica, whether it arrives before or after this
   * call. Fences count as collected.
   */
  collectTombstones (olderThanMs: number): number {
    return this.raiseHorizon(olderThanMs)
  }

  /** Tombstones before this wall-clock time have been collected. */
  get horizon (): number {
    return this.horizonMs
  }

  /** Entries held, fences not counted. */
  get size (): number {
    return this.entries.size - this.fences
  }

  get (key: string): StateEntry | undefined {
    return this.entries.get(key)?.entry
  }

  /** The spec register of a workload, tombstone included (it carries the last generation). */
  spec (name: string): SpecEntry | undefined {
    return this.get(specKey(name)) as SpecEntry | undefined
  }

  /** Live workloads, by name. */
  specs (): SpecEntry[] {
    return this.ofType('spec').filter(e => e.value !== null)
  }

  /** A workload's assignments by replica index (tombstones included: they record "no longer wanted"). */
  assignments (workload: string): AssignmentEntry[] {
    return this.withPrefix(workloadPrefixes(workload)[0] as string).filter(e => !isFence(e)) as AssignmentEntry[]
  }

  statuses (workload: string): StatusEntry[] {
    return this.withPrefix(workloadPrefixes(workload)[1] as string) as StatusEntry[]
  }

  /** Every entry but fences, sorted by key. */
  all (): StateEntry[] {
    return this.keys().map(k => (this.entries.get(k) as Stored).entry).filter(e => !isFence(e))
  }

  /** A page of entries (fences included) sorted by key, for a full transfer to an empty node. */
  page (after: string | undefined, limit: number): Page<StateEntry> {
    const keys = this.keys()
    const start = after === undefined ? 0 : upperBound(keys, after)
    const slice = keys.slice(start, start + limit)
    const items = slice.map(k => (this.entries.get(k) as Stored).entry)
    const last = slice[slice.length - 1]
    return start + limit < keys.length && last !== undefined ? { items, next: last } : { items }
  }

  /** Deterministic digest of the whole state (entries and horizon). */
  digest (): string {
    return sha256(`horizon ${this.horizonMs}\n${this.fullBucketDigests().join('\n')}`)
  }

  /** One digest per bucket (truncated), to find which buckets two states disagree on. */
  bucketDigests (): string[] {
    return this.fullBucketDigests().map(d => d.slice(0, BUCKET_DIGEST_HEX))
  }

  /** The (key, entry hash) pairs of one bucket, sorted by key, a page at a time. */
  keyDigests (bucket: number, after: string | undefined, limit: number): Page<KeyDigest> {
    const pairs = this.sortedBucket(bucket)
    const start = after === undefined ? 0 : upperBound(pairs.map(p => p[0]), after)
    const items = pairs.slice(start, start + limit).map(([key, hash]) => ({ key, hash }))
    const last = items[items.length - 1]
    return start + limit < pairs.length && last !== undefined ? { items, next: last.key } : { items }
  }

  /** The stored entries of these keys (those it has), fences included. */
  entriesFor (keys: Iterable<string>): StateEntry[] {
    const out: StateEntry[] = []
    for (const key of keys) {
      const stored = this.entries.get(key)
      if (stored !== undefined) out.push(stored.entry)
    }
    return out
  }

  private raiseHorizon (olderThanMs: number): number {
    if (olderThanMs <= this.horizonMs) return 0
    this.horizonMs = olderThanMs
    let dropped = 0
    for (const [key, stored] of this.entries) {
      const { entry } = stored
      if (!isTombstone(entry) || entry.ts.wallMs >= olderThanMs || isFence(entry)) continue
      const fence = fenceOf(entry)
      if (fence === undefined) this.remove(key, stored)
      else this.put(key, { entry: fence, hash: entryHash(fence), bucket: stored.bucket })
      dropped++
    }
    return dropped
  }

  private put (key: string, stored: Stored): void {
    const previous = this.entries.get(key)
    if (previous === undefined) this.sortedKeys = undefined
    else if (isFence(previous.entry)) this.fences--
    if (isFence(stored.entry)) this.fences++
    this.entries.set(key, stored)
    this.buckets[stored.bucket]?.set(key, stored.hash)
    this.bucketCache[stored.bucket] = undefined
  }

  private remove (key: string, stored: Stored): void {
    if (isFence(stored.entry)) this.fences--
    this.entries.delete(key)
    this.buckets[stored.bucket]?.delete(key)
    this.bucketCache[stored.bucket] = undefined
    this.sortedKeys = undefined
  }

  private keys (): string[] {
    this.sortedKeys ??= [...this.entries.keys()].sort()
    return this.sortedKeys
  }

  private ofType<T extends StateEntry['type']> (type: T): Array<Extract<StateEntry, { type: T }>> {
    return this.withPrefix(`${type}/`) as Array<Extract<StateEntry, { type: T }>>
  }

  private withPrefix (prefix: string): StateEntry[] {
    const keys = this.keys()
    const out: StateEntry[] = []
    for (let i = lowerBound(keys, prefix); i < keys.length && (keys[i] as string).startsWith(prefix); i++) {
      out.push((this.entries.get(keys[i] as string) as Stored).entry)
    }
    return out
  }

  private sortedBucket (bucket: number): Array<[string, string]> {
    return [...(this.buckets[bucket] ?? new Map<string, string>()).entries()].sort((a, b) => a[0] < b[0] ? -1 : 1)
  }

  private fullBucketDigests (): string[] {
    for (let b = 0; b < SYNC_BUCKETS; b++) {
      if (this.bucketCache[b] !== undefined) continue
      const pairs = this.sortedBucket(b)
      this.bucketCache[b] = pairs.length === 0 ? EMPTY_BUCKET : sha256(pairs.map(([k, h]) => `${k}\0${h}`).join('\n'))
    }
    return this.bucketCache as string[]
  }
}

/** What a collected tombstone leaves behind: the fence of an assignment of epoch > 0, nothing otherwise. */
function fenceOf (tombstone: StateEntry): AssignmentEntry | undefined {
  if (tombstone.type !== 'assignment' || tombstone.epoch === 0) return undefined
  return { ...tombstone, ts: { wallMs: 0, logical: 0, node: tombstone.ts.node } }
}

/** An assignment tombstone of epoch > 0 stamped at time zero: no clock stamps that, only collection does. */
function isFence (entry: StateEntry): boolean {
  return entry.type === 'assignment' && entry.epoch > 0 && entry.value === null && entry.ts.wallMs === 0 && entry.ts.logical === 0
}

/** The sync bucket of a key: the first byte of its SHA-256. */
export function bucketOf (key: string): number {
  return createHash('sha256').update(key).digest()[0] as number
}

function sha256 (text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

/** First index whose key is >= `key`. */
function lowerBound (sorted: string[], key: string): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((sorted[mid] as string) < key) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** First index whose key is > `key`. */
function upperBound (sorted: string[], key: string): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((sorted[mid] as string) <= key) lo = mid + 1
    else hi = mid
  }
  return lo
}
