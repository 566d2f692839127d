import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { REPO } from './utils/cli.ts'
import { NodeProcess, tempDir } from './utils/harness.ts'

const run = promisify(execFile)

/**
 * What a user gets from `npm pack` + `npm install -g`: the compiled package,
 * with its `hyperion` bin, working outside the source tree (Node refuses to
 * strip types under node_modules, so this proves the build is real JS).
 */
describe('the packed npm package', function () {
  this.timeout(300_000)

  it('installs from its tarball into a fresh prefix and runs', async () => {
    const out = tempDir('hyp-pkg-')
    await run('npm', ['pack', '--pack-destination', out], { cwd: REPO })
    const tarball = readdirSync(out).find(f => f.endsWith('.tgz'))
    assert.ok(tarball != null, 'npm pack wrote no tarball')
    const prefix = join(out, 'prefix')
    // The project's .npmrc does not apply to a global install: skip onnxruntime's CUDA download here too.
    await run('npm', ['install', '-g', '--prefix', prefix, join(out, tarball), '--prefer-offline', '--no-audit', '--no-fund'], {
      cwd: out,
      env: { ...process.env, npm_config_onnxruntime_node_install: 'skip' }
    })
    const bin = join(prefix, 'bin', 'hyperion')
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }

    const version = await run(bin, ['--version'])
    assert.equal(version.stdout.trim(), pkg.version)
    const help = await run(bin, ['help'])
    assert.match(help.stdout, /usage: hyperion COMMAND/)

    // And the installed daemon really starts a fabric.
    const dataDir = join(out, 'd')
    const node = new NodeProcess('installed', dataDir, ['--listen', '/ip4/127.0.0.1/udp/0/quic-v1'])
    node.spawn(bin)
    try {
      const s = await node.waitReady()
      assert.match(s.fabricId, /^fab/)
      assert.equal(s.version, pkg.version)
    } finally {
      await node.kill()
    }
  })
})
