import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import {
  decodeCertificate, decodeHello, decodeJoinRequest, decodeJoinResponse, decodeMemberAnnounce, decodeToken,
  encodeCertificate, encodeHello, encodeJoinRequest, encodeJoinResponse, encodeMemberAnnounce, encodeToken,
  fabricIdFromPublicKey, isFabricId, issueCertificate, issueToken, verifyCertificate, verifyToken,
  verifyTokenSignature, type MembershipCertificate
} from '../../protocol/membership/index.ts'

const NOW = 1_800_000_000_000
const DAY = 86_400_000

function codeOf (expected: string) {
  return (err: Error & { code?: string }) => {
    assert.equal(err.code, expected, err.message)
    return true
  }
}

describe('membership certificates', () => {
  let fabric: PrivateKey
  let admin: PrivateKey
  let member: PrivateKey
  let adminCert: MembershipCertificate

  before(async () => {
    fabric = await generateKeyPair('Ed25519')
    admin = await generateKeyPair('Ed25519')
    member = await generateKeyPair('Ed25519')
    adminCert = await issueCertificate({ fabricPublicKey: fabric.publicKey.raw, subjectPublicKey: admin.publicKey.raw, role: 'admin', region: 'eu-west-1', issuedAt: NOW, expiresAt: NOW + 10 * DAY }, { privateKey: fabric })
  })

  const request = (subject: PrivateKey, overrides = {}) => ({
    fabricPublicKey: fabric.publicKey.raw, subjectPublicKey: subject.publicKey.raw, role: 'member' as const, region: 'us-east-1', issuedAt: NOW, expiresAt: NOW + DAY, ...overrides
  })

  it('verifies a certificate signed by the fabric key, after an encode/decode round trip', async () => {
    const decoded = decodeCertificate(encodeCertificate(adminCert))
    assert.deepEqual(encodeCertificate(decoded), encodeCertificate(adminCert))
    assert.equal(decoded.role, 'admin')
    await verifyCertificate(decoded, { fabricPublicKey: fabric.publicKey.raw, now: NOW + 1, subjectPublicKey: admin.publicKey.raw })
  })

  it('verifies a certificate delegated by an admin and clamps it to the admin certificate', async () => {
    const cert = await issueCertificate(request(member, { expiresAt: NOW + 100 * DAY }), { privateKey: admin, certificate: adminCert })
    assert.equal(cert.expiresAt, adminCert.expiresAt)
    await verifyCertificate(decodeCertificate(encodeCertificate(cert)), { fabricPublicKey: fabric.publicKey.raw, now: NOW + 1, subjectPublicKey: member.publicKey.raw })
  })

  it('refuses a member that tries to delegate', async () => {
    const memberCert = await issueCertificate(request(member), { privateKey: fabric })
    const other = await generateKeyPair('Ed25519')
    await assert.rejects(issueCertificate(request(other), { privateKey: member, certificate: memberCert }), codeOf('CERT_ISSUER_NOT_ADMIN'))
    // And a forged chain built by hand is refused by verification too.
    const forged = await issueCertificate(request(other), { privateKey: member, certificate: { ...memberCert, role: 'admin' } })
    await assert.rejects(verifyCertificate(forged, { fabricPublicKey: fabric.publicKey.raw, now: NOW + 1 }), codeOf('CERT_BAD_SIGNATURE'))
  })

  it('refuses expired, future, foreign, misbound and tampered certificates', async () => {
    const cert = await issueCertificate(request(member), { privateKey: fabric })
    const otherFabric = await generateKeyPair('Ed25519')
    await assert.rejects(verifyCertificate(cert, { fabricPublicKey: fabric.publicKey.raw, now: NOW + DAY }), codeOf('CERT_EXPIRED'))
    await assert.rejects(verifyCertificate(cert, { fabricPublicKey: fabric.publicKey.raw, now: NOW - DAY }), codeOf('CERT_NOT_YET_VALID'))
    await assert.rejects(verifyCertificate(cert, { fabricPublicKey: otherFabric.publicKey.raw, now: NOW + 1 }), codeOf('CERT_WRONG_FABRIC'))
    await assert.rejects(verifyCertificate(cert, { fabricPublicKey: fabric.publicKey.raw, now: NOW + 1, subjectPublicKey: admin.publicKey.raw }), codeOf('CERT_WRONG_SUBJECT'))
    await assert.rejects(verifyCertificate({ ...cert, role: 'admin' }, { fabricPublicKey: fabric.publicKey.raw, now: NOW + 1 }), codeOf('CERT_BAD_SIGNATURE'))
    await assert.rejects(verifyCertificate({ ...cert, region: 'eu-west-1' }, { fabricPublicKey: fabric.publicKey.raw, now: NOW + 1 }), codeOf('CERT_BAD_SIGNATURE'))
    // A certificate signed by another key pretending to be the fabric.
    const selfMade = await issueCertificate(request(member), { privateKey: otherFabric })
    await assert.rejects(verifyCertificate({ ...selfMade, fabricPublicKey: fabric.publicKey.raw }, { fabricPublicKey: fabric.publicKey.raw, now: NOW + 1 }), codeOf('CERT_BAD_SIGNATURE'))
  })

  it('refuses malformed encodings with a reason', () => {
    const bytes = encodeCertificate(adminCert)
    assert.throws(() => decodeCertificate(bytes.subarray(0, 50)), codeOf('CERT_MALFORMED'))
    assert.throws(() => decodeCertificate(new Uint8Array([...bytes, 0])), /trailing bytes/)
    const badVersion = Uint8Array.from(bytes)
    badVersion[0] = 9
    assert.throws(() => decodeCertificate(badVersion), /unsupported version 9/)
    assert.throws(() => decodeCertificate(new Uint8Array(5000)), /exceeds the maximum 2048/)
  })

  it('names fabrics from their key', () => {
    const id = fabricIdFromPublicKey(fabric.publicKey.raw)
    assert.ok(isFabricId(id), id)
    assert.equal(id, fabricIdFromPublicKey(fabric.publicKey.raw))
    assert.notEqual(id, fabricIdFromPublicKey(admin.publicKey.raw))
  })
})

describe('join tokens', () => {
  let fabric: PrivateKey
  before(async () => { fabric = await generateKeyPair('Ed25519') })

  const req = (overrides = {}) => ({
    fabricPublicKey: fabric.publicKey.raw, tokenId: new Uint8Array(16).fill(1), role: 'member' as const, region: '', issuedAt: NOW, expiresAt: NOW + DAY, certTtlMs: 365 * DAY, ...overrides
  })

  it('round-trips as one printable line and verifies', async () => {
    const text = encodeToken(await issueToken(req({ region: 'edge-berlin-1', role: 'admin' }), { privateKey: fabric }))
    assert.match(text, /^hyp1\.[A-Za-z0-9_-]+$/)
    const token = decodeToken(`  ${text}\n`)
    assert.equal(token.region, 'edge-berlin-1')
    assert.equal(token.role, 'admin')
    await verifyToken(token, { fabricPublicKey: fabric.publicKey.raw, now: NOW + 1 })
  })

  it('refuses expired, foreign and tampered tokens', async () => {
    const token = await issueToken(req(), { privateKey: fabric })
    const other = await generateKeyPair('Ed25519')
    await assert.rejects(verifyToken(token, { fabricPublicKey: fabric.publicKey.raw, now: NOW + DAY }), codeOf('TOKEN_EXPIRED'))
    await assert.rejects(verifyToken(token, { fabricPublicKey: other.publicKey.raw, now: NOW }), codeOf('TOKEN_WRONG_FABRIC'))
    await assert.rejects(verifyToken({ ...token, role: 'admin' }, { fabricPublicKey: fabric.publicKey.raw, now: NOW }), codeOf('TOKEN_BAD_SIGNATURE'))
    await assert.rejects(verifyToken({ ...token, expiresAt: NOW + 365 * DAY }, { fabricPublicKey: fabric.publicKey.raw, now: NOW }), codeOf('TOKEN_BAD_SIGNATURE'))
  })

  it('spots a character changed in copy and paste', async () => {
    const text = encodeToken(await issueToken(req(), { privateKey: fabric }))
    for (const at of [10, 60, text.length - 5]) {
      const flipped = text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1)
      await assert.rejects(async () => { await verifyTokenSignature(decodeToken(flipped)) }, (err: Error & { code?: string }) => {
        assert.ok(['TOKEN_BAD_SIGNATURE', 'TOKEN_MALFORMED'].includes(err.code as string), err.message)
        return true
      })
    }
  })

  it('refuses text that is not a token', () => {
    assert.throws(() => decodeToken('hello'), /must start with 'hyp1\.'/)
    assert.throws(() => decodeToken('hyp1.AAAA'), codeOf('TOKEN_MALFORMED'))
    assert.throws(() => decodeToken('hyp1.' + 'A'.repeat(5000)), /exceeds the maximum/)
  })

  it('admin-issued tokens carry the admin certificate and verify through it', async () => {
    const admin = await generateKeyPair('Ed25519')
    const adminCert = await issueCertificate({ fabricPublicKey: fabric.publicKey.raw, subjectPublicKey: admin.publicKey.raw, role: 'admin', region: '', issuedAt: NOW, expiresAt: NOW + 10 * DAY }, { privateKey: fabric })
    const token = decodeToken(encodeToken(await issueToken(req(), { privateKey: admin, certificate: adminCert })))
    await verifyToken(token, { fabricPublicKey: fabric.publicKey.raw, now: NOW + 1 })
    // Once the admin's own certificate has expired, its tokens are worthless.
    const shortAdmin = await issueCertificate({ ...adminCert, expiresAt: NOW + 10 }, { privateKey: fabric })
    const late = await issueToken(req({ expiresAt: NOW + DAY }), { privateKey: admin, certificate: shortAdmin })
    await assert.rejects(verifyToken(late, { fabricPublicKey: fabric.publicKey.raw, now: NOW + 1000 }), /admin whose certificate is not valid/)
  })
})

describe('membership messages', () => {
  it('round-trip and refuse out-of-range content', () => {
    assert.deepEqual(decodeJoinRequest(encodeJoinRequest({ token: 'hyp1.x', region: 'us-east-1' })), { token: 'hyp1.x', region: 'us-east-1' })
    assert.deepEqual(decodeJoinResponse(encodeJoinResponse({ ok: false, code: 'TOKEN_EXPIRED', message: 'late' })), { ok: false, code: 'TOKEN_EXPIRED', message: 'late' })
    const ok = decodeJoinResponse(encodeJoinResponse({ ok: true, certificate: new Uint8Array([1, 2]) }))
    assert.ok(ok.ok)
    const hello = { certificate: new Uint8Array([5]), peers: [{ peerId: '12D3KooWabc', addrs: ['/ip4/127.0.0.1/udp/1/quic-v1'] }], bootedAt: NOW }
    assert.deepEqual(decodeHello(encodeHello(hello)), hello)
    const tooMany = { certificate: new Uint8Array([5]), peers: Array.from({ length: 33 }, () => ({ peerId: 'p', addrs: [] })), bootedAt: NOW }
    assert.throws(() => decodeHello(encodeHello(tooMany)), /hello: peers: 33 exceeds the maximum 32/)
    const announce = { certificate: new Uint8Array([1]), addrs: ['/ip4/1.2.3.4/udp/4001/quic-v1'], version: '0.1.0', startedAt: NOW }
    assert.deepEqual(decodeMemberAnnounce(encodeMemberAnnounce(announce)), announce)
    assert.throws(() => decodeMemberAnnounce(new Uint8Array(9000)), /exceeds the maximum/)
  })
})
