/**
 * Canonical JSON: object keys sorted by code unit, no whitespace, `undefined`
 * members dropped. Two nodes that hold equal values produce equal bytes, so a
 * hash of this text can decide "same spec" (apply idempotence) and "same
 * state" (anti-entropy digests) without comparing structures.
 *
 * Close to RFC 8785 for the values we hash (strings, safe integers, short
 * decimals); non-finite numbers and non-plain values are refused rather than
 * silently turned into `null`.
 */
import { createHash } from 'node:crypto'
import { InvalidInputError } from '../errors.ts'

export function canonicalJson (value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new InvalidInputError(`canonical JSON cannot hold ${String(value)}`, 'NOT_CANONICAL')
    return JSON.stringify(value)
  }
  if (Array.isArray(value)) {
    return `[${value.map(v => v === undefined ? 'null' : canonicalJson(v)).join(',')}]`
  }
  if (typeof value === 'object' && isPlain(value)) {
    const members: string[] = []
    for (const key of Object.keys(value).sort()) {
      const member = (value as Record<string, unknown>)[key]
      if (member !== undefined) members.push(`${JSON.stringify(key)}:${canonicalJson(member)}`)
    }
    return `{${members.join(',')}}`
  }
  throw new InvalidInputError(`canonical JSON cannot hold a ${typeof value}`, 'NOT_CANONICAL')
}

function isPlain (value: object): boolean {
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/** SHA-256 (hex) of the canonical JSON of `value`. */
export function canonicalHash (value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex')
}
