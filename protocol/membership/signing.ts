import { publicKeyFromRaw } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'

/** Raw Ed25519 key and signature sizes: fixed on the wire. */
export const KEY_LENGTH = 32
export const SIGNATURE_LENGTH = 64

/**
 * Signatures are over a domain tag + the message body, so a signed token can
 * never be replayed as a certificate (or the reverse).
 */
function tagged (domain: string, body: Uint8Array): Uint8Array {
  const tag = new TextEncoder().encode(`hyperion/${domain}/v1\0`)
  const out = new Uint8Array(tag.length + body.length)
  out.set(tag)
  out.set(body, tag.length)
  return out
}

export async function signTagged (key: PrivateKey, domain: string, body: Uint8Array): Promise<Uint8Array> {
  return key.sign(tagged(domain, body))
}

export async function verifyTagged (publicKey: Uint8Array, domain: string, body: Uint8Array, signature: Uint8Array): Promise<boolean> {
  try {
    return await publicKeyFromRaw(publicKey).verify(tagged(domain, body), signature)
  } catch {
    return false
  }
}

export function equalBytes (a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
