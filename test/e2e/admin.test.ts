import assert from 'node:assert/strict'
import { statSync } from 'node:fs'
import { join } from 'node:path'
import { adminRequest } from '../utils/admin-http.ts'
import { hyperion } from '../utils/cli.ts'
import { TestFabric, tempDir, type NodeProcess } from '../utils/harness.ts'

describe('admin socket and CLI of one daemon', function () {
  this.timeout(60_000)
  let fabric: TestFabric
  let node: NodeProcess
  let sock: string

  before(async () => {
    fabric = new TestFabric()
    node = await fabric.seed()
    sock = join(node.dataDir, 'admin.sock')
  })
  after(async () => { await fabric.teardown() })

  it('serves status on a socket only its owner can use', async () => {
    assert.equal(statSync(sock).mode & 0o777, 0o600)
    const r = await adminRequest(sock, 'GET', '/v1/status')
    assert.equal(r.status, 200)
    const s = JSON.parse(r.body)
    assert.match(s.peerId, /^12D3KooW/)
    assert.match(s.fabricId, /^fab/)
    assert.equal(s.state, 'ready')
    assert.equal(s.membership.role, 'admin')
    assert.equal(typeof s.uptimeSeconds, 'number')
  })

  const bad: Array<[string, string, string, string | Buffer | undefined, number, string]> = [
    ['an unknown path', 'GET', '/v1/nothing', undefined, 404, 'NOT_FOUND'],
    ['a wrong method', 'DELETE', '/v1/status', undefined, 405, 'METHOD_NOT_ALLOWED'],
    ['broken JSON', 'POST', '/v1/fabric/tokens', '{"ttl": ', 400, 'INVALID_JSON'],
    ['an unknown field', 'POST', '/v1/fabric/tokens', '{"ttl": "1h", "colour": "red"}', 400, 'INVALID_INPUT'],
    ['a bad role', 'POST', '/v1/fabric/tokens', '{"role": "root"}', 400, 'INVALID_INPUT'],
    ['a 10 MB body', 'POST', '/v1/fabric/tokens', Buffer.alloc(10 * 1024 * 1024, 0x20), 413, 'BODY_TOO_LARGE']
  ]
  for (const [name, method, path, body, status, code] of bad) {
    it(`answers ${name} with ${status} ${code} in the SPEC error shape, and keeps running`, async () => {
      const before = await adminRequest(sock, 'GET', '/v1/status')
      const r = await adminRequest(sock, method, path, body)
      assert.equal(r.status, status)
      const e = JSON.parse(r.body).error
      assert.equal(e.code, code)
      assert.equal(typeof e.message, 'string')
      assert.ok(e.message.length > 10)
      const after = JSON.parse((await adminRequest(sock, 'GET', '/v1/status')).body)
      assert.equal(after.peerId, JSON.parse(before.body).peerId)
      assert.ok(node.running)
    })
  }

  it('issues tokens through the CLI with the asked role, region and expiry', async () => {
    const r = await node.cli(['fabric', 'token', '--ttl', '2h', '--role', 'admin', '--region', 'eu-west-1', '--json'])
    assert.equal(r.code, 0, r.stderr)
    const t = JSON.parse(r.stdout)
    assert.match(t.token, /^hyp1\./)
    assert.equal(t.role, 'admin')
    assert.equal(t.region, 'eu-west-1')
    const left = Date.parse(t.expiresAt) - Date.now()
    assert.ok(left > 7_000_000 && left <= 7_200_000, String(left))
    const bad = await node.cli(['fabric', 'token', '--region', 'Not A Region'])
    assert.equal(bad.code, 2)
    assert.match(bad.stderr, /region: must be lower-case/)
  })

  it('prints human and JSON forms; --json is one JSON document on stdout', async () => {
    const human = await node.cli(['status'])
    assert.equal(human.code, 0)
    assert.match(human.stdout, /peer id\s+12D3KooW/)
    const json = await node.cli(['peers', '--json'])
    assert.deepEqual(JSON.parse(json.stdout), [])
  })

  it('refuses a second daemon on the same data dir with a clear message', async () => {
    const r = await hyperion(['start', '--data-dir', node.dataDir, '--listen', '/ip4/127.0.0.1/udp/0/quic-v1'])
    assert.equal(r.code, 1)
    assert.match(r.stderr, /another hyperion daemon \(pid \d+\) is already running on/)
    assert.ok(node.running)
  })

  it('rejects unknown flags and commands as usage errors', async () => {
    const flag = await node.cli(['status', '--colour'])
    assert.equal(flag.code, 2)
    assert.match(flag.stderr, /Unknown option '--colour'/)
    const cmd = await hyperion(['frobnicate'])
    assert.equal(cmd.code, 2)
    assert.match(cmd.stderr, /unknown command 'frobnicate'/)
  })
})

describe('CLI without a daemon', () => {
  it('status exits 3 and says how to start one', async () => {
    const dir = tempDir()
    const r = await hyperion(['status', '--data-dir', dir])
    assert.equal(r.code, 3)
    assert.match(r.stderr, /no hyperion daemon is running on .*start one with: hyperion start --data-dir/)
  })

  it('init creates an identity, refuses to clobber it, and --force replaces it', async () => {
    const dir = join(tempDir(), 'n')
    const first = await hyperion(['init', '--data-dir', dir, '--region', 'eu-west-1', '--geography', 'EU', '--provider', 'aws', '--label', 'gpu=a10', '--spot', '--price-per-hour', '0.4', '--json'])
    assert.equal(first.code, 0, first.stderr)
    const id = JSON.parse(first.stdout).peerId
    assert.equal(JSON.parse(first.stdout).config.spot, true)
    const again = await hyperion(['init', '--data-dir', dir])
    assert.equal(again.code, 2)
    assert.match(again.stderr, new RegExp(`already holds a node identity \\(peer ${id}\\); pass --force`))
    const forced = await hyperion(['init', '--data-dir', dir, '--force', '--json'])
    assert.equal(forced.code, 0)
    assert.notEqual(JSON.parse(forced.stdout).peerId, id)
    const bad = await hyperion(['init', '--data-dir', join(dir, 'x'), '--provider', 'ibm'])
    assert.equal(bad.code, 2)
    assert.match(bad.stderr, /provider: must be one of aws, gcp, azure, onprem, edge \(got "ibm"\)/)
  })

  it('prints its version and help', async () => {
    const v = await hyperion(['--version'])
    assert.equal(v.code, 0)
    assert.match(v.stdout.trim(), /^\d+\.\d+\.\d+$/)
    const h = await hyperion(['help'])
    assert.equal(h.code, 0)
    assert.match(h.stdout, /fabric token \[--ttl 24h\]/)
  })
})
