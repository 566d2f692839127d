import assert from 'node:assert/strict'
import { readFileSync, readlinkSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { ExecDriver, SpawnError, containerLogDir } from '../../../node/executor/index.ts'
import type { ProcessRun, RunRequest } from '../../../node/executor/index.ts'
import { alive, echoLoop, EXIT_WITH, groupMembers, removeScratch, scratch, waitFor, workload } from './helpers.ts'
import type { ContainerInput } from './helpers.ts'

function request (name: string, container: ContainerInput): RunRequest {
  const spec = workload(name, [container])
  const c = spec.manifest.spec.template.spec.containers[0]
  assert.ok(c !== undefined)
  return { workload: name, index: 0, container: c, limits: { cpuMillis: 0, memoryBytes: 0 } }
}

describe('executor: exec driver (real processes)', function () {
  const runs: ProcessRun[] = []
  after(removeScratch)
  afterEach(async () => { await Promise.all(runs.splice(0).map(async r => await r.stop(100))) })

  it('runs command + args with env in <dataDir>/replicas/<workload>-<index>/, logs stdout and stderr, stops on SIGTERM', async () => {
    const dataDir = scratch()
    const driver = new ExecDriver({}, { dataDir })
    const run = await driver.run(request('echo', echoLoop(['--stderr'], { env: [{ name: 'ECHO_PREFIX', value: 'hello' }] })))
    runs.push(run)
    assert.deepEqual(run.limits, { enforced: false, reason: 'cgroups are not in use on this node' })
    const logs = containerLogDir(dataDir, 'echo', 0, 'c0')
    await waitFor('two lines', () => readFileSync(join(logs, 'stdout.log'), 'utf8').includes('hello 1'))
    assert.match(readFileSync(join(logs, 'stderr.log'), 'utf8'), /^hello 0\n/)
    assert.equal(readlinkSync(`/proc/${run.pid}/cwd`), join(dataDir, 'replicas/echo-0'))
    assert.equal(statSync(join(dataDir, 'replicas/echo-0')).mode & 0o777, 0o700)
    const env = readFileSync(`/proc/${run.pid}/environ`, 'utf8').split('\0')
    assert.ok(env.includes('ECHO_PREFIX=hello') && env.includes('HYPERION_WORKLOAD=echo') && env.includes('HYPERION_REPLICA=0'))
    const exit = await run.stop(5_000)
    assert.deepEqual(exit, { exitCode: 0, signal: null })
    assert.match(readFileSync(join(logs, 'stdout.log'), 'utf8'), /bye\n$/)
    assert.equal(alive(run.pid), false)
  })

  it('escalates to SIGKILL after the grace period, and no grandchild survives', async () => {
    const driver = new ExecDriver({}, { dataDir: scratch() })
    const run = await driver.run(request('stubborn', echoLoop(['--ignore-term', '--grandchild'])))
    runs.push(run)
    await waitFor('the grandchild', () => groupMembers(run.pid).length === 2)
    const started = Date.now()
    const exit = await run.stop(300)
    assert.deepEqual(exit, { exitCode: null, signal: 'SIGKILL' })
    assert.ok(Date.now() - started >= 290)
    assert.deepEqual(groupMembers(run.pid), [])
  })

  it('kills what a process left behind when it exits by itself, and reports the exit code', async () => {
    const driver = new ExecDriver({}, { dataDir: scratch() })
    const run = await driver.run(request('leaver', { command: ['/bin/sh', '-c', `sleep 600 & ${process.execPath} ${EXIT_WITH} 7 100`] }))
    runs.push(run)
    await waitFor('sleep running', () => groupMembers(run.pid).length >= 2)
    assert.deepEqual(await run.exited, { exitCode: 7, signal: null })
    await waitFor('group empty', () => groupMembers(run.pid).length === 0)
  })

  it('a command that does not exist is a SpawnError', async () => {
    const driver = new ExecDriver({}, { dataDir: scratch() })
    await assert.rejects(driver.run(request('missing', { command: ['/nonexistent/bin'] })), (err: unknown) => {
      assert.ok(err instanceof SpawnError)
      assert.equal(err.code, 'SPAWN_FAILED')
      assert.match(err.message, /cannot run "\/nonexistent\/bin": spawn \/nonexistent\/bin ENOENT/)
      return true
    })
  })
})
