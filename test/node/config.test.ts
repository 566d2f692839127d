import assert from 'node:assert/strict'
import { statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { DataDir, resolveDataDir } from '../../node/config/data-dir.ts'
import { DEFAULT_CONFIG, validateNodeConfig } from '../../node/config/node-config.ts'
import { configFromFlags } from '../../node/cli/commands/init.ts'
import { createFabric, loadOwnMembership } from '../../node/membership/fabric.ts'
import { tempDir } from '../utils/harness.ts'

describe('node config', () => {
  it('fills defaults that make a runnable single node', () => {
    assert.deepEqual(validateNodeConfig({}), DEFAULT_CONFIG)
    assert.deepEqual(DEFAULT_CONFIG.listen, ['/ip4/0.0.0.0/udp/4001/quic-v1'])
  })

  const bad: Array<[string, object, RegExp]> = [
    ['an unknown field', { colour: 'red' }, /colour: unknown field/],
    ['an upper-case region', { region: 'US-East' }, /region: must be lower-case .* \(got "US-East"\)/],
    ['a lower-case geography', { geography: 'eu' }, /geography: must be 2-8 upper-case letters/],
    ['an unknown provider', { provider: 'ibm' }, /provider: must be one of aws, gcp, azure, onprem, edge \(got "ibm"\)/],
    ['a negative price', { pricePerHour: -1 }, /pricePerHour: must be a number/],
    ['a TCP listen address', { listen: ['/ip4/0.0.0.0/tcp/4001'] }, /listen\[0\]: must be a QUIC address/],
    ['a broken multiaddr', { listen: ['/ip4/999.1.1.1/udp/1/quic-v1'] }, /listen\[0\]: is not a valid multiaddr/],
    ['a bad label key', { labels: { 'no spaces': 'x' } }, /labels.no spaces: label key/],
    ['a fractional priority', { priority: 1.5 }, /priority: must be an integer/]
  ]
  for (const [name, raw, message] of bad) {
    it(`refuses ${name}, naming the field and the value`, () => {
      assert.throws(() => validateNodeConfig(raw), (err: Error & { code?: string }) => {
        assert.equal(err.code, 'INVALID_CONFIG')
        assert.match(err.message, message)
        return true
      })
    })
  }

  it('builds a config from init flags', () => {
    const c = configFromFlags({ region: 'eu-west-1', zone: 'eu-west-1a', geography: 'EU', provider: 'aws', label: ['gpu=a10', 'tier=spot'], 'price-per-hour': '0.41', spot: true, listen: ['/ip4/0.0.0.0/udp/4002/quic-v1'], priority: '5', 'telemetry-interval': '5s' })
    assert.deepEqual(c, { region: 'eu-west-1', zone: 'eu-west-1a', geography: 'EU', provider: 'aws', labels: { gpu: 'a10', tier: 'spot' }, pricePerHour: 0.41, spot: true, listen: ['/ip4/0.0.0.0/udp/4002/quic-v1'], priority: 5, telemetryIntervalMs: 5_000 })
    assert.throws(() => configFromFlags({ 'telemetry-interval': '100ms' }), /telemetryIntervalMs: must be a whole number of ms between 500 and 600000/)
    assert.throws(() => configFromFlags({ label: ['novalue'] }), /--label: must be key=value \(got 'novalue'\)/)
    assert.throws(() => configFromFlags({ 'price-per-hour': 'cheap' }), /--price-per-hour: must be a number \(got 'cheap'\)/)
  })

  it('resolves the data dir from the flag, then HYPERION_DATA_DIR, then ~/.hyperion', () => {
    assert.equal(resolveDataDir('/x/y', {}), '/x/y')
    assert.equal(resolveDataDir(undefined, { HYPERION_DATA_DIR: '/from/env' }), '/from/env')
    assert.match(resolveDataDir(undefined, {}), /\/\.hyperion$/)
  })
})

describe('data dir', () => {
  it('keeps the node key private and the peer id stable across loads', async () => {
    const dir = new DataDir(join(tempDir(), 'node'))
    const key = await dir.init(DEFAULT_CONFIG)
    assert.equal(statSync(dir.nodeKeyPath).mode & 0o777, 0o600)
    assert.equal(statSync(dir.path).mode & 0o777, 0o700)
    const again = new DataDir(dir.path).loadNodeKey()
    assert.equal(peerIdFromPrivateKey(again).toString(), peerIdFromPrivateKey(key).toString())
  })

  it('refuses to replace an identity without force, and replaces it with force', async () => {
    const dir = new DataDir(join(tempDir(), 'node'))
    const first = await dir.init(DEFAULT_CONFIG)
    await assert.rejects(dir.init(DEFAULT_CONFIG), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'ALREADY_INITIALISED')
      assert.match(err.message, new RegExp(`peer ${peerIdFromPrivateKey(first).toString()}.*--force`))
      return true
    })
    const second = await dir.init(DEFAULT_CONFIG, true)
    assert.notEqual(peerIdFromPrivateKey(second).toString(), peerIdFromPrivateKey(first).toString())
  })

  it('names the file and the problem when a config was damaged by hand', async () => {
    const dir = new DataDir(join(tempDir(), 'node'))
    await dir.init(DEFAULT_CONFIG)
    writeFileSync(dir.configPath, '{"region": "Bad Region"}')
    assert.throws(() => dir.loadConfig(), /config\.json: region: must be lower-case/)
    writeFileSync(dir.configPath, '{not json')
    assert.throws(() => dir.loadConfig(), /config\.json is not valid JSON/)
    writeFileSync(dir.nodeKeyPath, 'garbage')
    assert.throws(() => dir.loadNodeKey(), /node key at .* is not a valid Ed25519 private key/)
  })

  it('creates a fabric once, and re-certifies the fabric holder after init --force', async () => {
    const dir = new DataDir(join(tempDir(), 'node'))
    const key = await dir.init(DEFAULT_CONFIG)
    const now = Date.now()
    const m = await createFabric(dir, key, 'local', now)
    assert.equal(statSync(dir.fabricKeyPath).mode & 0o777, 0o600)
    await assert.rejects(createFabric(dir, key, 'local', now), /already a member of fabric/)
    const newKey = await dir.init(DEFAULT_CONFIG, true)
    const renewed = await loadOwnMembership(dir, newKey, 'local', now)
    assert.equal(renewed?.fabricId, m.fabricId)
    assert.deepEqual(renewed?.certificate.subjectPublicKey, newKey.publicKey.raw)
  })
})
