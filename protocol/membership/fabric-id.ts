import { createHash } from 'node:crypto'
import { toString } from 'uint8arrays/to-string'

/**
 * A fabric is named by its public key: `fab` + the first 80 bits of the key's
 * SHA-256 in base32. Short enough to read and type, long enough that two
 * fabrics never collide by accident; it is a name, not a proof (certificates
 * carry the full key).
 */
export function fabricIdFromPublicKey (publicKey: Uint8Array): string {
  const digest = createHash('sha256').update(publicKey).digest()
  return 'fab' + toString(digest.subarray(0, 10), 'base32')
}

const FABRIC_ID = /^fab[a-z2-7]{16}$/

export function isFabricId (value: string): boolean {
  return FABRIC_ID.test(value)
}
