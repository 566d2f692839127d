import { existsSync, readFileSync, renameSync } from 'node:fs'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { privateKeyFromProtobuf, privateKeyToProtobuf, generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { fromString } from 'uint8arrays/from-string'
import { toString } from 'uint8arrays/to-string'
import type { PrivateKey } from '@libp2p/interface'
import { decodeCertificate, encodeCertificate, fabricIdFromPublicKey, type MembershipCertificate } from '../../protocol/membership/index.ts'
import { DataDirError } from '../errors.ts'
import { ensurePrivateDir, writeFileAtomic } from '../fsutil.ts'
import { CONFIG_VERSION, validateNodeConfig, type NodeConfig } from './node-config.ts'

/** `--data-dir`, else `$HYPERION_DATA_DIR`, else `~/.hyperion` (SPEC). */
export function resolveDataDir (flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(flag ?? env.HYPERION_DATA_DIR ?? join(homedir(), '.hyperion'))
}

/** What this node is a member of, kept in `membership.json`. */
export interface Membership {
  fabricId: string
  fabricPublicKey: Uint8Array
  certificate: MembershipCertificate
}

/**
 * The files of one data dir, and nothing else: which file holds what, how
 * each is read and written (keys mode 0600, atomically), and the error that
 * says what is wrong with a file a user may have edited by hand.
 */
export class DataDir {
  readonly path: string

  constructor (path: string) {
    this.path = path
  }

  get nodeKeyPath (): string { return join(this.path, 'node.key') }
  get configPath (): string { return join(this.path, 'config.json') }
  get fabricKeyPath (): string { return join(this.path, 'fabric.key') }
  get membershipPath (): string { return join(this.path, 'membership.json') }
  get peersPath (): string { return join(this.path, 'peers.json') }
  get defaultSocketPath (): string { return join(this.path, 'admin.sock') }
  get lockPath (): string { return join(this.path, 'daemon.pid') }

  isInitialised (): boolean {
    return existsSync(this.nodeKeyPath)
  }

  /** Creates a new identity and config; refuses to replace an identity unless `force`. */
  async init (config: NodeConfig, force = false): Promise<PrivateKey> {
    if (this.isInitialised() && !force) {
      throw new DataDirError('ALREADY_INITIALISED', `${this.path} already holds a node identity (peer ${this.peerIdOf(this.loadNodeKey())}); pass --force to replace it (the node gets a new peer id and must join its fabric again)`)
    }
    ensurePrivateDir(this.path)
    const key = await generateKeyPair('Ed25519')
    writeFileAtomic(this.nodeKeyPath, privateKeyToProtobuf(key))
    this.saveConfig(config)
    // The certificate names the old key, so every peer would refuse it; keep
    // it aside rather than delete what a user may want to look at.
    if (existsSync(this.membershipPath)) renameSync(this.membershipPath, this.membershipPath + '.old')
    return key
  }

  private peerIdOf (key: PrivateKey): string {
    return peerIdFromPrivateKey(key).toString()
  }

  loadNodeKey (): PrivateKey {
    return this.readKey(this.nodeKeyPath, 'node key')
  }

  private readKey (path: string, what: string): PrivateKey {
    let bytes: Uint8Array
    try {
      bytes = readFileSync(path)
    } catch (err) {
      throw new DataDirError('NOT_INITIALISED', `${what} not found at ${path}: run 'hyperion init' (or 'hyperion start', which initialises a new data dir)`, { cause: err })
    }
    try {
      const key = privateKeyFromProtobuf(bytes)
      if (key.type !== 'Ed25519') throw new Error(`key type ${key.type}`)
      return key
    } catch (err) {
      throw new DataDirError('CORRUPT_DATA_DIR', `${what} at ${path} is not a valid Ed25519 private key`, { cause: err })
    }
  }

  loadConfig (): NodeConfig {
    let text: string
    try {
      text = readFileSync(this.configPath, 'utf8')
    } catch (err) {
      throw new DataDirError('NOT_INITIALISED', `config not found at ${this.configPath}: run 'hyperion init'`, { cause: err })
    }
    let raw: unknown
    try {
      raw = JSON.parse(text)
    } catch (err) {
      throw new DataDirError('CORRUPT_DATA_DIR', `${this.configPath} is not valid JSON: ${(err as Error).message}`, { cause: err })
    }
    try {
      return validateNodeConfig(raw)
    } catch (err) {
      throw new DataDirError('CORRUPT_DATA_DIR', `${this.configPath}: ${(err as Error).message}`, { cause: err })
    }
  }

  saveConfig (config: NodeConfig): void {
    writeFileAtomic(this.configPath, JSON.stringify({ configVersion: CONFIG_VERSION, ...config }, null, 2) + '\n', 0o644)
  }

  hasFabricKey (): boolean {
    return existsSync(this.fabricKeyPath)
  }

  loadFabricKey (): PrivateKey | undefined {
    return this.hasFabricKey() ? this.readKey(this.fabricKeyPath, 'fabric key') : undefined
  }

  saveFabricKey (key: PrivateKey): void {
    writeFileAtomic(this.fabricKeyPath, privateKeyToProtobuf(key))
  }

  loadMembership (): Membership | undefined {
    if (!existsSync(this.membershipPath)) return undefined
    try {
      const raw = JSON.parse(readFileSync(this.membershipPath, 'utf8')) as { fabricId: string, fabricPublicKey: string, certificate: string }
      const fabricPublicKey = fromString(raw.fabricPublicKey, 'base64')
      const certificate = decodeCertificate(fromString(raw.certificate, 'base64'))
      if (fabricIdFromPublicKey(fabricPublicKey) !== raw.fabricId) throw new Error('fabricId does not match fabricPublicKey')
      return { fabricId: raw.fabricId, fabricPublicKey, certificate }
    } catch (err) {
      throw new DataDirError('CORRUPT_DATA_DIR', `${this.membershipPath} is not a valid membership record: ${(err as Error).message}`, { cause: err })
    }
  }

  saveMembership (m: Membership): void {
    writeFileAtomic(this.membershipPath, JSON.stringify({
      fabricId: m.fabricId,
      fabricPublicKey: toString(m.fabricPublicKey, 'base64'),
      certificate: toString(encodeCertificate(m.certificate), 'base64'),
      role: m.certificate.role,
      region: m.certificate.region,
      expiresAt: new Date(m.certificate.expiresAt).toISOString()
    }, null, 2) + '\n')
  }
}
