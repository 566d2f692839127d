import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ContainerDriver, containerLogDir, detectContainerRuntimes, runArgs } from '../../../node/executor/index.ts'
import type { RunRequest } from '../../../node/executor/index.ts'
import { removeScratch, scratch, waitFor, workload } from './helpers.ts'

/** A fake CLI: `info` does what `info` says; `run` prints its args and runs until `stop`. */
function fakeBin (dir: string, name: string, info: 'ok' | 'fail' | 'hang'): string {
  const path = join(dir, name)
  const infoLine = { ok: 'echo "fake engine"; exit 0', fail: 'echo "Cannot connect to the daemon" >&2; exit 1', hang: 'exec sleep 10' }[info]
  writeFileSync(path, `#!/bin/sh
here=$(dirname "$0")
case "$1" in
  info) ${infoLine} ;;
  rm) echo "$*" >> "$here/calls"; exit 0 ;;
  stop) echo "$*" >> "$here/calls"; kill -TERM "$(cat "$here/run.pid")"; exit 0 ;;
  run) shift; echo "$$" > "$here/run.pid"; echo "run $*"; trap 'echo stopped; exit 143' TERM
       while :; do sleep 0.05; done ;;
esac
`)
  chmodSync(path, 0o755)
  return path
}

describe('executor: container driver', () => {
  after(removeScratch)
  it('detects only runtimes whose info answers in time, in preference order', async () => {
    const dir = scratch()
    fakeBin(dir, 'docker', 'ok')
    fakeBin(dir, 'podman', 'ok')
    fakeBin(dir, 'nerdctl', 'fail')
    assert.deepEqual(await detectContainerRuntimes({ path: dir }), [
      { name: 'podman', bin: join(dir, 'podman') }, { name: 'docker', bin: join(dir, 'docker') }
    ])
    const hanging = scratch()
    fakeBin(hanging, 'podman', 'hang')
    fakeBin(hanging, 'nerdctl', 'ok')
    const started = Date.now()
    assert.deepEqual(await detectContainerRuntimes({ path: hanging, timeoutMs: 300 }), [{ name: 'nerdctl', bin: join(hanging, 'nerdctl') }])
    assert.ok(Date.now() - started < 3_000)
    assert.deepEqual(await detectContainerRuntimes({ path: scratch() }), [])
  })

  it('on this machine: a client without a working engine is not a runtime', async () => {
    const found = await detectContainerRuntimes({ timeoutMs: 2_000 })
    for (const runtime of found) {
      assert.ok(existsSync(runtime.bin))
      assert.doesNotThrow(() => execFileSync(runtime.bin, ['info'], { stdio: 'ignore', timeout: 5_000 }))
    }
    let dockerWorks = false
    try { execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 5_000 }); dockerWorks = true } catch {}
    assert.equal(found.some(r => r.name === 'docker'), dockerWorks)
    console.log(`      (this machine: ${found.length === 0 ? 'no working container runtime' : found.map(r => r.name).join(', ')})`)
  })

  it('builds run arguments with limits, env, entrypoint and args', () => {
    const spec = workload('web', [{ name: 'srv', image: 'nginx:1', command: ['/bin/app'], args: ['-p', '80'], env: [{ name: 'A', value: 'b' }], resources: { limits: { cpu: '1500m', memory: '1Gi' } } }])
    const container = spec.manifest.spec.template.spec.containers[0]
    const limits = spec.resources.containers[0]
    assert.ok(container !== undefined && limits !== undefined)
    assert.deepEqual(runArgs({ workload: 'web', index: 2, container, limits }), [
      'run', '--rm', '--name', 'hyperion-web-2-srv', '--label', 'io.hyperion.workload=web',
      '--memory', '1073741824b', '--cpus', '1.5', '--env', 'A=b', '--entrypoint', '/bin/app', 'nginx:1', '-p', '80'
    ])
  })

  it('runs through the CLI: output to the replica logs, stop through `<bin> stop -t`', async () => {
    const bins = scratch()
    const bin = fakeBin(bins, 'podman', 'ok')
    const dataDir = scratch()
    const driver = new ContainerDriver({ runtime: { name: 'podman', bin } }, { dataDir })
    const spec = workload('img', [{ image: 'busybox:1' }])
    const container = spec.manifest.spec.template.spec.containers[0]
    assert.ok(container !== undefined)
    const req: RunRequest = { workload: 'img', index: 0, container, limits: { cpuMillis: 0, memoryBytes: 0 } }
    const run = await driver.run(req)
    assert.deepEqual(run.limits, { enforced: true, by: 'podman' })
    const stdout = join(containerLogDir(dataDir, 'img', 0, 'c0'), 'stdout.log')
    await waitFor('run output', () => readFileSync(stdout, 'utf8').includes('run --rm --name hyperion-img-0-c0'))
    assert.deepEqual(await run.stop(2_000), { exitCode: 143, signal: null })
    assert.match(readFileSync(stdout, 'utf8'), /stopped\n$/)
    assert.deepEqual(readFileSync(join(bins, 'calls'), 'utf8').split('\n'), ['rm -f hyperion-img-0-c0', 'stop -t 2 hyperion-img-0-c0', ''])
  })
})
