import { randomBytes } from 'node:crypto'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import {
  encodeToken, fabricIdFromPublicKey, issueCertificate, issueToken, verifyCertificate,
  type Issuer, type MembershipCertificate, type Role
} from '../../protocol/membership/index.ts'
import type { DataDir, Membership } from '../config/data-dir.ts'
import { DataDirError } from '../errors.ts'

/** The fabric key holder's own certificate: long-lived, since it can always sign itself a new one. */
export const ADMIN_SELF_CERT_TTL_MS = 10 * 365 * 86_400_000
/** Default validity of a certificate obtained with a join token. */
export const DEFAULT_CERT_TTL_MS = 365 * 86_400_000
/** Re-sign our own certificate when less than this is left. */
const RENEW_BEFORE_MS = 30 * 86_400_000

/**
 * `hyperion fabric create`: a new fabric key, and this node its first admin.
 * Refuses when the data dir already belongs to a fabric, since the old
 * membership would be silently orphaned.
 */
export async function createFabric (dir: DataDir, nodeKey: PrivateKey, region: string, now: number): Promise<Membership> {
  const existing = dir.loadMembership()
  if (existing != null || dir.hasFabricKey()) {
    throw new DataDirError('ALREADY_IN_FABRIC', `${dir.path} is already a member of fabric ${existing?.fabricId ?? '(fabric key present)'}; use another --data-dir for a new fabric`)
  }
  const fabricKey = await generateKeyPair('Ed25519')
  dir.saveFabricKey(fabricKey)
  const membership = await selfCertify(fabricKey, nodeKey, region, now)
  dir.saveMembership(membership)
  return membership
}

async function selfCertify (fabricKey: PrivateKey, nodeKey: PrivateKey, region: string, now: number): Promise<Membership> {
  const fabricPublicKey = fabricKey.publicKey.raw
  const certificate = await issueCertificate({
    fabricPublicKey,
    subjectPublicKey: nodeKey.publicKey.raw,
    role: 'admin',
    region,
    issuedAt: now,
    expiresAt: now + ADMIN_SELF_CERT_TTL_MS
  }, { privateKey: fabricKey })
  return { fabricId: fabricIdFromPublicKey(fabricPublicKey), fabricPublicKey, certificate }
}

/**
 * The membership a starting daemon runs with. The fabric key holder repairs
 * its own certificate (after `init --force`, a region change, or near
 * expiry); anyone else with a bad certificate is told how to join again.
 */
export async function loadOwnMembership (dir: DataDir, nodeKey: PrivateKey, region: string, now: number): Promise<Membership | undefined> {
  const fabricKey = dir.loadFabricKey()
  const current = dir.loadMembership()
  if (fabricKey != null) {
    const stale = current == null ||
      current.certificate.region !== region ||
      current.certificate.expiresAt - now < RENEW_BEFORE_MS ||
      !(await isValidFor(current, nodeKey, now))
    if (!stale) return current
    const renewed = await selfCertify(fabricKey, nodeKey, region, now)
    dir.saveMembership(renewed)
    return renewed
  }
  if (current == null) return undefined
  try {
    await verifyCertificate(current.certificate, { fabricPublicKey: current.fabricPublicKey, now, subjectPublicKey: nodeKey.publicKey.raw })
  } catch (err) {
    throw new DataDirError('CORRUPT_DATA_DIR', `this node's membership certificate of fabric ${current.fabricId} is no longer usable (${(err as Error).message}); join again with a new token: hyperion start --join-token TOKEN --bootstrap MULTIADDR`, { cause: err })
  }
  return current
}

async function isValidFor (m: Membership, nodeKey: PrivateKey, now: number): Promise<boolean> {
  try {
    await verifyCertificate(m.certificate, { fabricPublicKey: m.fabricPublicKey, now, subjectPublicKey: nodeKey.publicKey.raw })
    return true
  } catch {
    return false
  }
}

/** Who may sign tokens and certificates here: the fabric key, else an admin's node key with its certificate. */
export function issuerFor (dir: DataDir, nodeKey: PrivateKey, membership: Membership | undefined): Issuer | undefined {
  const fabricKey = dir.loadFabricKey()
  if (fabricKey != null) return { privateKey: fabricKey }
  if (membership?.certificate.role === 'admin') return { privateKey: nodeKey, certificate: membership.certificate }
  return undefined
}

export interface TokenOptions {
  ttlMs: number
  role: Role
  region: string
  certTtlMs?: number
}

export async function makeJoinToken (issuer: Issuer, fabricPublicKey: Uint8Array, opts: TokenOptions, now: number): Promise<{ token: string, expiresAt: number }> {
  const token = await issueToken({
    fabricPublicKey,
    tokenId: randomBytes(16),
    role: opts.role,
    region: opts.region,
    issuedAt: now,
    expiresAt: now + opts.ttlMs,
    certTtlMs: opts.certTtlMs ?? DEFAULT_CERT_TTL_MS
  }, issuer)
  return { token: encodeToken(token), expiresAt: token.expiresAt }
}

export type { MembershipCertificate }
