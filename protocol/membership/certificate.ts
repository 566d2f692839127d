import { Reader, Writer, MalformedMessageError } from '../codec/index.ts'
import { MembershipError } from './errors.ts'
import { roleFromByte, roleToByte, type Role } from './roles.ts'
import { KEY_LENGTH, SIGNATURE_LENGTH, equalBytes, signTagged, verifyTagged } from './signing.ts'
import type { PrivateKey } from '@libp2p/interface'

/**
 * A membership certificate binds one peer's Ed25519 key to a fabric, a role,
 * a region and a validity window. It is signed either by the fabric key
 * itself (no parent) or by an admin's node key, in which case the admin's own
 * certificate travels with it as `parent`, so any peer can check the whole
 * chain back to the fabric key with nothing but the fabric public key.
 */
export interface MembershipCertificate {
  fabricPublicKey: Uint8Array
  subjectPublicKey: Uint8Array
  role: Role
  /** The region the subject may claim; '' means any. */
  region: string
  issuedAt: number
  expiresAt: number
  parent?: MembershipCertificate
  signature: Uint8Array
}

export const CERT_VERSION = 1
/** A chain longer than this is refused: delegation is for a few admins, not a tree. */
export const MAX_CHAIN_DEPTH = 4
export const MAX_REGION_LENGTH = 63
/** Bounds one encoded certificate, parents included (each is ~180 bytes). */
export const MAX_CERT_BYTES = 2048

const DOMAIN = 'cert'

function writeBody (w: Writer, c: Omit<MembershipCertificate, 'signature'>): Writer {
  return w.u8(CERT_VERSION)
    .fixed(c.fabricPublicKey)
    .fixed(c.subjectPublicKey)
    .u8(roleToByte(c.role))
    .string(c.region)
    .varint(c.issuedAt)
    .varint(c.expiresAt)
    .bytes(c.parent == null ? new Uint8Array(0) : encodeCertificate(c.parent))
}

export function encodeCertificate (cert: MembershipCertificate): Uint8Array {
  return writeBody(new Writer(), cert).fixed(cert.signature).finish()
}

export function decodeCertificate (bytes: Uint8Array, depth = 0): MembershipCertificate {
  if (depth >= MAX_CHAIN_DEPTH) throw new MembershipError('CERT_CHAIN_TOO_LONG', `membership certificate: chain is longer than ${MAX_CHAIN_DEPTH}`)
  if (bytes.length > MAX_CERT_BYTES) throw new MembershipError('CERT_MALFORMED', `membership certificate: ${bytes.length} bytes exceeds the maximum ${MAX_CERT_BYTES}`)
  try {
    const r = new Reader(bytes, 'membership certificate')
    const version = r.u8('version')
    if (version !== CERT_VERSION) throw new MalformedMessageError(`membership certificate: version: unsupported version ${version} (this node speaks ${CERT_VERSION})`)
    const fabricPublicKey = r.fixed('fabricPublicKey', KEY_LENGTH)
    const subjectPublicKey = r.fixed('subjectPublicKey', KEY_LENGTH)
    const roleByte = r.u8('role')
    const role = roleFromByte(roleByte)
    if (role == null) throw new MalformedMessageError(`membership certificate: role: unknown role ${roleByte}`)
    const region = r.string('region', MAX_REGION_LENGTH)
    const issuedAt = r.varint('issuedAt')
    const expiresAt = r.varint('expiresAt')
    const parentBytes = r.bytes('parent', MAX_CERT_BYTES)
    const signature = r.fixed('signature', SIGNATURE_LENGTH)
    r.end()
    const cert: MembershipCertificate = { fabricPublicKey, subjectPublicKey, role, region, issuedAt, expiresAt, signature }
    if (parentBytes.length > 0) cert.parent = decodeCertificate(parentBytes, depth + 1)
    return cert
  } catch (err) {
    if (err instanceof MembershipError) throw err
    throw new MembershipError('CERT_MALFORMED', (err as Error).message, { cause: err })
  }
}

export interface Issuer {
  /** The fabric key (no certificate) or an admin's node key (with its certificate). */
  privateKey: PrivateKey
  certificate?: MembershipCertificate
}

export interface CertificateRequest {
  fabricPublicKey: Uint8Array
  subjectPublicKey: Uint8Array
  role: Role
  region: string
  issuedAt: number
  expiresAt: number
}

export async function issueCertificate (req: CertificateRequest, issuer: Issuer): Promise<MembershipCertificate> {
  const parent = issuer.certificate
  if (parent != null) {
    if (parent.role !== 'admin') throw new MembershipError('CERT_ISSUER_NOT_ADMIN', 'only an admin can sign membership certificates')
    if (!equalBytes(parent.subjectPublicKey, issuer.privateKey.publicKey.raw)) throw new MembershipError('CERT_WRONG_SUBJECT', 'issuer certificate does not belong to the signing key')
  }
  // A delegated certificate never outlives the admin certificate that vouches for it.
  const expiresAt = parent == null ? req.expiresAt : Math.min(req.expiresAt, parent.expiresAt)
  const unsigned = { ...req, expiresAt, ...(parent == null ? {} : { parent }) }
  const signature = await signTagged(issuer.privateKey, DOMAIN, writeBody(new Writer(), unsigned).finish())
  return { ...unsigned, signature }
}

export interface VerifyOptions {
  fabricPublicKey: Uint8Array
  now: number
  /** When given, the certificate must belong to this key (the authenticated remote peer). */
  subjectPublicKey?: Uint8Array
}

/** Throws a `MembershipError` naming the first thing wrong with the chain. */
export async function verifyCertificate (cert: MembershipCertificate, opts: VerifyOptions): Promise<void> {
  if (opts.subjectPublicKey != null && !equalBytes(cert.subjectPublicKey, opts.subjectPublicKey)) {
    throw new MembershipError('CERT_WRONG_SUBJECT', 'membership certificate was issued to another peer')
  }
  let current: MembershipCertificate | undefined = cert
  for (let depth = 0; current != null; depth++) {
    if (depth >= MAX_CHAIN_DEPTH) throw new MembershipError('CERT_CHAIN_TOO_LONG', `membership certificate chain is longer than ${MAX_CHAIN_DEPTH}`)
    if (!equalBytes(current.fabricPublicKey, opts.fabricPublicKey)) throw new MembershipError('CERT_WRONG_FABRIC', 'membership certificate belongs to another fabric')
    if (current.expiresAt <= opts.now) throw new MembershipError('CERT_EXPIRED', `membership certificate expired at ${new Date(current.expiresAt).toISOString()}`)
    // Tolerate a little clock skew between the issuer and us.
    if (current.issuedAt > opts.now + 5 * 60_000) throw new MembershipError('CERT_NOT_YET_VALID', `membership certificate is issued in the future (${new Date(current.issuedAt).toISOString()})`)
    const parent: MembershipCertificate | undefined = current.parent
    if (parent != null && parent.role !== 'admin') throw new MembershipError('CERT_ISSUER_NOT_ADMIN', 'membership certificate was signed by a peer that is not an admin')
    const signer = parent == null ? opts.fabricPublicKey : parent.subjectPublicKey
    const { signature, ...unsigned } = current
    if (!await verifyTagged(signer, DOMAIN, writeBody(new Writer(), unsigned).finish(), signature)) {
      throw new MembershipError('CERT_BAD_SIGNATURE', 'membership certificate signature is invalid')
    }
    current = parent
  }
}
