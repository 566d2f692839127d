import { fromString } from 'uint8arrays/from-string'
import { toString } from 'uint8arrays/to-string'
import { Reader, Writer, MalformedMessageError } from '../codec/index.ts'
import { decodeCertificate, encodeCertificate, MAX_CERT_BYTES, MAX_REGION_LENGTH, verifyCertificate, type Issuer, type MembershipCertificate } from './certificate.ts'
import { MembershipError } from './errors.ts'
import { fabricIdFromPublicKey } from './fabric-id.ts'
import { roleFromByte, roleToByte, type Role } from './roles.ts'
import { KEY_LENGTH, SIGNATURE_LENGTH, equalBytes, signTagged, verifyTagged } from './signing.ts'

/**
 * A join token is a bearer credential, one printable line: whoever holds it
 * may, until it expires, ask an admin for a membership certificate with the
 * token's role (and region, if the token names one). It carries the fabric
 * public key, so the joining node learns which fabric to trust from the token
 * alone, and the certificate of the admin that signed it when that admin is
 * not the fabric key itself.
 */
export interface JoinToken {
  fabricPublicKey: Uint8Array
  /** Random; lets logs name a token without printing it. */
  tokenId: Uint8Array
  role: Role
  /** '' means the joining node keeps the region it is configured with. */
  region: string
  issuedAt: number
  expiresAt: number
  /** How long a certificate obtained with this token stays valid. */
  certTtlMs: number
  issuer?: MembershipCertificate
  signature: Uint8Array
}

export const TOKEN_PREFIX = 'hyp1.'
const TOKEN_VERSION = 1
const TOKEN_ID_LENGTH = 16
const DOMAIN = 'token'
/** A token is pasted into shells and unit files: bound it well below any line limit. */
const MAX_TOKEN_CHARS = 4096

function writeBody (w: Writer, t: Omit<JoinToken, 'signature'>): Writer {
  return w.u8(TOKEN_VERSION)
    .fixed(t.fabricPublicKey)
    .fixed(t.tokenId)
    .u8(roleToByte(t.role))
    .string(t.region)
    .varint(t.issuedAt)
    .varint(t.expiresAt)
    .varint(t.certTtlMs)
    .bytes(t.issuer == null ? new Uint8Array(0) : encodeCertificate(t.issuer))
}

export function encodeToken (token: JoinToken): string {
  return TOKEN_PREFIX + toString(writeBody(new Writer(), token).fixed(token.signature).finish(), 'base64url')
}

/** Parses the structure only; `verifyToken` checks signatures and time. */
export function decodeToken (text: string): JoinToken {
  const trimmed = text.trim()
  const fail = (problem: string, cause?: unknown): never => {
    throw new MembershipError('TOKEN_MALFORMED', `join token: ${problem}`, { cause })
  }
  if (trimmed.length > MAX_TOKEN_CHARS) fail(`${trimmed.length} characters exceeds the maximum ${MAX_TOKEN_CHARS}`)
  if (!trimmed.startsWith(TOKEN_PREFIX)) fail(`must start with '${TOKEN_PREFIX}' (got '${trimmed.slice(0, 8)}…')`)
  let bytes: Uint8Array = new Uint8Array(0)
  try {
    bytes = fromString(trimmed.slice(TOKEN_PREFIX.length), 'base64url')
  } catch (err) {
    fail('not valid base64url', err)
  }
  try {
    const r = new Reader(bytes, 'join token')
    const version = r.u8('version')
    if (version !== TOKEN_VERSION) throw new MalformedMessageError(`version: unsupported version ${version} (this node speaks ${TOKEN_VERSION})`)
    const fabricPublicKey = r.fixed('fabricPublicKey', KEY_LENGTH)
    const tokenId = r.fixed('tokenId', TOKEN_ID_LENGTH)
    const roleByte = r.u8('role')
    const role = roleFromByte(roleByte)
    if (role == null) throw new MalformedMessageError(`role: unknown role ${roleByte}`)
    const region = r.string('region', MAX_REGION_LENGTH)
    const issuedAt = r.varint('issuedAt')
    const expiresAt = r.varint('expiresAt')
    const certTtlMs = r.varint('certTtlMs')
    const issuerBytes = r.bytes('issuer', MAX_CERT_BYTES)
    const signature = r.fixed('signature', SIGNATURE_LENGTH)
    r.end()
    const token: JoinToken = { fabricPublicKey, tokenId, role, region, issuedAt, expiresAt, certTtlMs, signature }
    if (issuerBytes.length > 0) token.issuer = decodeCertificate(issuerBytes)
    return token
  } catch (err) {
    if (err instanceof MembershipError && err.code !== 'CERT_MALFORMED') throw err
    return fail((err as Error).message.replace(/^join token: /, ''), err)
  }
}

export interface TokenRequest {
  fabricPublicKey: Uint8Array
  tokenId: Uint8Array
  role: Role
  region: string
  issuedAt: number
  expiresAt: number
  certTtlMs: number
}

export async function issueToken (req: TokenRequest, issuer: Issuer): Promise<JoinToken> {
  if (req.tokenId.length !== TOKEN_ID_LENGTH) throw new RangeError(`tokenId must be ${TOKEN_ID_LENGTH} bytes`)
  if (issuer.certificate != null && issuer.certificate.role !== 'admin') {
    throw new MembershipError('NOT_AN_ISSUER', 'only an admin can issue join tokens')
  }
  const unsigned = { ...req, ...(issuer.certificate == null ? {} : { issuer: issuer.certificate }) }
  const signature = await signTagged(issuer.privateKey, DOMAIN, writeBody(new Writer(), unsigned).finish())
  return { ...unsigned, signature }
}

/**
 * Checks what an admin must check before it signs a certificate for the
 * bearer: the token is for this fabric, unexpired, and signed by the fabric
 * key or by a valid admin of it.
 */
export async function verifyToken (token: JoinToken, opts: { fabricPublicKey: Uint8Array, now: number }): Promise<void> {
  if (!equalBytes(token.fabricPublicKey, opts.fabricPublicKey)) {
    throw new MembershipError('TOKEN_WRONG_FABRIC', `join token is for fabric ${fabricIdFromPublicKey(token.fabricPublicKey)}, not ${fabricIdFromPublicKey(opts.fabricPublicKey)}`)
  }
  await verifyTokenSignature(token)
  if (token.expiresAt <= opts.now) {
    throw new MembershipError('TOKEN_EXPIRED', `join token expired at ${new Date(token.expiresAt).toISOString()}`)
  }
  if (token.issuer != null) {
    try {
      await verifyCertificate(token.issuer, { fabricPublicKey: opts.fabricPublicKey, now: opts.now })
    } catch (err) {
      throw new MembershipError('TOKEN_BAD_SIGNATURE', `join token was signed by an admin whose certificate is not valid: ${(err as Error).message}`, { cause: err })
    }
    if (token.issuer.role !== 'admin') throw new MembershipError('TOKEN_BAD_SIGNATURE', 'join token was signed by a peer that is not an admin')
  }
}

/**
 * The signature alone can be checked by anyone holding the token (the key it
 * must verify against is inside it), which lets a joining node spot a token
 * damaged in copy and paste before it dials anybody.
 */
export async function verifyTokenSignature (token: JoinToken): Promise<void> {
  const signer = token.issuer == null ? token.fabricPublicKey : token.issuer.subjectPublicKey
  const { signature, ...unsigned } = token
  if (!await verifyTagged(signer, DOMAIN, writeBody(new Writer(), unsigned).finish(), signature)) {
    throw new MembershipError('TOKEN_BAD_SIGNATURE', 'join token signature is invalid (was it altered or truncated?)')
  }
}

export function tokenIdHex (token: JoinToken): string {
  return toString(token.tokenId, 'base16').slice(0, 12)
}
