/**
 * The pure half of anti-entropy: deciding what two states must exchange,
 * given digests. The daemon carries these over a stream, one bounded message
 * at a time:
 *
 * 1. A sends `digest()` and `horizon`; equal digests: done.
 * 2. B answers `bucketDigests()` (256 × 16 hex) and its horizon; each side
 *    adopts the larger horizon (`collectTombstones`).
 * 3. For each bucket in `diffBuckets(mine, theirs)`, A pages through B's
 *    `keyDigests(bucket, after, limit)` and compares with its own using
 *    `diffKeys`: it asks B for `pull` (B replies `entriesFor(keys)`, in
 *    chunks of `limit`) and sends B `push`.
 * 4. Every received entry goes through `parseEntry` and the HLC drift check
 *    before `apply`, exactly like a gossiped one.
 *
 * Memory stays bounded by one bucket's keys (≈ state size / 256) plus one
 * page of entries, never the whole state.
 */
import type { KeyDigest } from './fabric-state.ts'

/** The buckets whose digests differ. */
export function diffBuckets (mine: readonly string[], theirs: readonly string[]): number[] {
  const out: number[] = []
  const n = Math.max(mine.length, theirs.length)
  for (let b = 0; b < n; b++) if (mine[b] !== theirs[b]) out.push(b)
  return out
}

export interface KeyDiff {
  /** Keys they hold that we lack or hold differently: ask for their entries. */
  readonly pull: string[]
  /** Keys we hold that they lack or hold differently: send them ours. */
  readonly push: string[]
}

/**
 * Compares the key digests of one bucket on both sides. A key held
 * differently is both pulled and pushed: a hash does not say which entry
 * wins, and `apply` on each side keeps the winner.
 */
export function diffKeys (mine: readonly KeyDigest[], theirs: readonly KeyDigest[]): KeyDiff {
  const ours = new Map(mine.map(d => [d.key, d.hash]))
  const pull: string[] = []
  const push: string[] = []
  const seen = new Set<string>()
  for (const { key, hash } of theirs) {
    seen.add(key)
    const own = ours.get(key)
    if (own === hash) continue
    pull.push(key)
    if (own !== undefined) push.push(key)
  }
  for (const { key } of mine) if (!seen.has(key)) push.push(key)
  return { pull, push }
}

/** Splits a list into chunks of at most `size`, for paged requests. */
export function chunk<T> (items: readonly T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}
