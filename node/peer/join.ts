import type { Connection, Libp2p, PrivateKey, Stream } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Logger } from 'pino'
import {
  decodeCertificate, decodeJoinRequest, decodeJoinResponse, decodeToken, encodeCertificate,
  encodeJoinRequest, encodeJoinResponse, fabricIdFromPublicKey, issueCertificate, MembershipError,
  tokenIdHex, verifyCertificate, verifyToken, verifyTokenSignature, MAX_JOIN_MESSAGE_BYTES,
  type Issuer, type JoinToken
} from '../../protocol/membership/index.ts'
import type { Clock } from '../../protocol/clock.ts'
import type { Membership } from '../config/data-dir.ts'
import { JoinError } from '../errors.ts'
import type { HelloService } from './hello.ts'
import { request, respond } from './rpc.ts'

/** Token problems that no other bootstrap peer would judge differently. */
const FATAL = new Set(['TOKEN_MALFORMED', 'TOKEN_EXPIRED', 'TOKEN_BAD_SIGNATURE', 'TOKEN_WRONG_FABRIC', 'TOKEN_WRONG_REGION'])

/**
 * Checks a token on the joining side before dialling anyone: a truncated,
 * altered or expired token is refused at once, with the reason, instead of
 * after a round trip.
 */
export async function checkTokenLocally (text: string, now: number): Promise<JoinToken> {
  const token = decodeToken(text)
  await verifyTokenSignature(token)
  if (token.expiresAt <= now) throw new MembershipError('TOKEN_EXPIRED', `join token expired at ${new Date(token.expiresAt).toISOString()}; ask an admin for a new one (hyperion fabric token)`)
  return token
}

export interface JoinIssuerComponents {
  libp2p: Libp2p
  hello: HelloService
  clock: Clock
  logger: Logger
  membership: () => Membership | undefined
  issuer: () => Issuer | undefined
}

/**
 * The admin side of joining: trades a valid token for a certificate bound to
 * the key the peer proved in the QUIC handshake. Non-admins answer
 * NOT_AN_ISSUER, so the joiner tries its next bootstrap peer.
 */
export class JoinIssuer {
  private readonly c: JoinIssuerComponents
  private readonly protocol: string

  constructor (components: JoinIssuerComponents, init: { protocol: string }) {
    this.c = components
    this.protocol = init.protocol
  }

  async start (): Promise<void> {
    await this.c.libp2p.handle(this.protocol, (stream, connection) => { void this.serve(stream, connection) }, { maxInboundStreams: 2 })
  }

  async stop (): Promise<void> {
    await this.c.libp2p.unhandle(this.protocol)
  }

  private async serve (stream: Stream, connection: Connection): Promise<void> {
    const peer = connection.remotePeer.toString()
    let refused: string | undefined
    await respond(stream, { maxLength: MAX_JOIN_MESSAGE_BYTES, timeoutMs: 5_000 }, async (bytes) => {
      try {
        const cert = await this.issue(bytes, connection)
        this.c.hello.admit(peer, cert)
        return encodeJoinResponse({ ok: true, certificate: encodeCertificate(cert) })
      } catch (err) {
        const code = err instanceof MembershipError ? err.code : 'JOIN_REFUSED'
        refused = `${code}: ${(err as Error).message}`
        return encodeJoinResponse({ ok: false, code, message: (err as Error).message })
      }
    }).catch(err => { refused ??= (err as Error).message })
    if (refused != null && !refused.startsWith('NOT_AN_ISSUER')) this.c.hello.expel(peer, `join refused: ${refused}`)
  }

  private async issue (bytes: Uint8Array, connection: Connection) {
    const own = this.c.membership()
    const issuer = this.c.issuer()
    if (own == null || issuer == null) throw new MembershipError('NOT_AN_ISSUER', 'this peer is not an admin of the fabric and cannot sign certificates; bootstrap from an admin node')
    const req = decodeJoinRequest(bytes)
    const token = decodeToken(req.token)
    const now = this.c.clock.now()
    await verifyToken(token, { fabricPublicKey: own.fabricPublicKey, now })
    if (token.region !== '' && token.region !== req.region) {
      throw new MembershipError('TOKEN_WRONG_REGION', `join token is for region ${token.region}, but the node is configured for ${req.region}; run 'hyperion init --force --region ${token.region}' or ask for a token without --region`)
    }
    const subject = connection.remotePeer.publicKey?.raw
    if (subject == null) throw new MembershipError('CERT_WRONG_SUBJECT', 'joining peer has no Ed25519 identity')
    const cert = await issueCertificate({
      fabricPublicKey: own.fabricPublicKey,
      subjectPublicKey: subject,
      role: token.role,
      region: token.region !== '' ? token.region : req.region,
      issuedAt: now,
      expiresAt: now + token.certTtlMs
    }, issuer)
    this.c.logger.info({ peer: connection.remotePeer.toString(), token: tokenIdHex(token), role: cert.role, region: cert.region }, 'issued membership certificate')
    return cert
  }
}

export interface JoinAttempt {
  libp2p: Libp2p
  nodeKey: PrivateKey
  token: JoinToken
  tokenText: string
  region: string
  bootstraps: Multiaddr[]
  protocol: string
  clock: Clock
  logger: Logger
}

/**
 * Tries each bootstrap peer in turn. Returns the membership on the first
 * success; throws a JoinError that is `fatal` when the token itself was
 * refused, and transient when nobody useful could be reached (the caller
 * retries those with backoff).
 */
export async function joinFabric (a: JoinAttempt): Promise<{ membership: Membership, connection: Connection }> {
  const problems: string[] = []
  for (const addr of a.bootstraps) {
    let connection: Connection
    try {
      connection = await a.libp2p.dial(addr, { signal: AbortSignal.timeout(5_000) })
    } catch (err) {
      problems.push(`${addr.toString()}: unreachable (${(err as Error).message})`)
      continue
    }
    let answerBytes: Uint8Array
    try {
      answerBytes = await request(connection, a.protocol, encodeJoinRequest({ token: a.tokenText, region: a.region }), { maxLength: MAX_JOIN_MESSAGE_BYTES, timeoutMs: 5_000 })
    } catch (err) {
      const name = (err as Error).name
      if (name === 'UnsupportedProtocolError') {
        throw new JoinError('TOKEN_WRONG_FABRIC', `${addr.toString()} is not a member of fabric ${fabricIdFromPublicKey(a.token.fabricPublicKey)} (the fabric named in the join token): check the token and the bootstrap address`)
      }
      problems.push(`${addr.toString()}: join exchange failed (${(err as Error).message})`)
      continue
    }
    const answer = decodeJoinResponse(answerBytes)
    if (!answer.ok) {
      if (FATAL.has(answer.code)) throw new JoinError(answer.code, `the fabric refused the join token: ${answer.message}`)
      problems.push(`${addr.toString()}: ${answer.code}: ${answer.message}`)
      continue
    }
    const certificate = decodeCertificate(answer.certificate)
    // Trust nothing the bootstrap says until the fabric key vouches for it.
    await verifyCertificate(certificate, { fabricPublicKey: a.token.fabricPublicKey, now: a.clock.now(), subjectPublicKey: a.nodeKey.publicKey.raw })
    const membership = { fabricId: fabricIdFromPublicKey(a.token.fabricPublicKey), fabricPublicKey: a.token.fabricPublicKey, certificate }
    return { membership, connection }
  }
  throw new JoinError('JOIN_UNREACHABLE', `could not join through any bootstrap peer: ${problems.join('; ')}`)
}
