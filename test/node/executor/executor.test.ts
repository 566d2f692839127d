import assert from 'node:assert/strict'
import { Executor, ReplicaNotFoundError } from '../../../node/executor/index.ts'
import type { ReplicaStatus } from '../../../node/executor/index.ts'
import { collect, echoLoop, EXIT_WITH, groupMembers, removeScratch, scratch, waitFor, workload } from './helpers.ts'

describe('executor: Executor (real processes)', () => {
  after(removeScratch)
  let executor: Executor | undefined
  afterEach(async () => { await executor?.stop(); executor = undefined })

  function make (): { executor: Executor, statuses: ReplicaStatus[] } {
    const statuses: ReplicaStatus[] = []
    executor = new Executor({}, {
      dataDir: scratch(), onStatus: s => statuses.push(s), stopGraceMs: 2_000, logPollMs: 25, containerRuntimes: { timeoutMs: 2_000 }
    })
    return { executor, statuses }
  }

  const running = (e: Executor, n: number) => () => e.list().filter(s => s.state === 'running').length === n

  it('starts what is assigned, stops what no longer is, and leaves no process behind', async () => {
    const { executor, statuses } = make()
    await executor.start()
    assert.deepEqual(executor.drivers(), ['exec']) // a docker client without an engine is no runtime
    const echo = workload('echo', [echoLoop()])
    await executor.ensure([{ workload: 'echo', index: 0, spec: echo, generation: 3 }, { workload: 'echo', index: 1, spec: echo, generation: 3 }])
    await waitFor('two running', running(executor, 2))
    const pids = executor.list().map(s => s.containers.c0?.pid ?? 0)
    const first = statuses.find(s => s.index === 0 && s.state === 'running')
    assert.equal(first?.generation, 3)
    assert.equal(first?.restarts, 0)
    assert.equal(typeof first?.startedAt, 'number')
    const limits = executor.limitsSupport()
    assert.deepEqual(first?.limits, limits.available ? first?.limits : { enforced: false, reason: limits.reason })

    await executor.ensure([{ workload: 'echo', index: 1, spec: echo }])
    assert.deepEqual(executor.list().map(s => s.index), [1])
    assert.equal(statuses.filter(s => s.index === 0).at(-1)?.state, 'stopped')
    assert.deepEqual(groupMembers(pids[0] ?? 0), [])

    await executor.stop()
    assert.deepEqual(executor.list(), [])
    for (const pid of pids) assert.deepEqual(groupMembers(pid), [])
  })

  it('logs: what was written, then follows new output until the replica stops', async () => {
    const { executor } = make()
    await executor.start()
    const spec = workload('talk', [echoLoop([], { env: [{ name: 'ECHO_PREFIX', value: 'hi' }] })])
    await executor.ensure([{ workload: 'talk', index: 0, spec }])
    await waitFor('output', async () => (await collect(executor.logs('talk', 0))).includes('hi 2'))
    const before = await collect(executor.logs('talk', 0), 'stdout')
    assert.match(before, /^hi 0\nhi 1\nhi 2\n/)

    const followed = collect(executor.logs('talk', 0, { follow: true }), 'stdout')
    await new Promise(resolve => setTimeout(resolve, 300))
    await executor.ensure([])
    const text = await followed
    assert.ok(text.length > before.length)
    assert.match(text, /bye\n$/)

    const aborter = new AbortController()
    await executor.ensure([{ workload: 'talk', index: 0, spec }])
    const aborted = collect(executor.logs('talk', 0, { follow: true, signal: aborter.signal }))
    setTimeout(() => { aborter.abort() }, 200)
    assert.match(await aborted, /hi \d+\n/)
    assert.throws(() => executor.logs('nothing', 0), ReplicaNotFoundError)
  })

  it('restart policies on real exits; a new spec restarts the replica', async () => {
    const { executor, statuses } = make()
    await executor.start()
    await executor.ensure([
      { workload: 'done', index: 0, spec: workload('done', [{ command: [process.execPath, EXIT_WITH, '0'] }], 'OnFailure') },
      { workload: 'bad', index: 0, spec: workload('bad', [{ command: [process.execPath, EXIT_WITH, '5'] }], 'Never') }
    ])
    await waitFor('both ended', () => executor.list().every(s => s.state === 'succeeded' || s.state === 'failed'))
    const byName = Object.fromEntries(executor.list().map(s => [s.workload, s]))
    assert.equal(byName.done?.state, 'succeeded')
    assert.equal(byName.bad?.state, 'failed')
    assert.equal(byName.bad?.exitCode, 5)
    assert.deepEqual(statuses.filter(s => s.workload === 'bad').map(s => s.state), ['pending', 'starting', 'running', 'failed'])

    const v1 = workload('roll', [echoLoop()])
    const v2 = workload('roll', [echoLoop(['--interval', '50'])])
    await executor.ensure([{ workload: 'roll', index: 0, spec: v1 }])
    await waitFor('v1 running', running(executor, 1))
    const pid1 = executor.list()[0]?.containers.c0?.pid ?? 0
    await executor.ensure([{ workload: 'roll', index: 0, spec: v2 }])
    await waitFor('v2 running', running(executor, 1))
    assert.notEqual(executor.list()[0]?.containers.c0?.pid, pid1)
    assert.deepEqual(groupMembers(pid1), [])
  })

  it('stop: a replica that ignores SIGTERM is killed after the grace period, with its children', async () => {
    const statuses: ReplicaStatus[] = []
    executor = new Executor({}, { dataDir: scratch(), onStatus: s => statuses.push(s), stopGraceMs: 300, containerRuntimes: false, cgroups: false })
    await assert.rejects(executor.ensure([]), { code: 'EXECUTOR_NOT_RUNNING' })
    await executor.start()
    await executor.ensure([{ workload: 'stubborn', index: 0, spec: workload('stubborn', [echoLoop(['--ignore-term', '--grandchild'])]) }])
    await waitFor('running', running(executor, 1))
    const pid = executor.list()[0]?.containers.c0?.pid ?? 0
    await waitFor('the grandchild', () => groupMembers(pid).length === 2)
    await executor.stop()
    assert.deepEqual(groupMembers(pid), [])
    const last = statuses.at(-1)
    assert.equal(last?.state, 'stopped')
    assert.equal(last?.containers.c0?.signal, 'SIGKILL')
    assert.deepEqual(last?.limits, { enforced: false, reason: 'cgroups disabled in the executor configuration' })
    await assert.rejects(executor.ensure([]), { code: 'EXECUTOR_NOT_RUNNING' })
  })

  it('a replica of two containers runs both; logs names the container', async () => {
    const { executor } = make()
    await executor.start()
    const spec = workload('pair', [
      echoLoop([], { name: 'main', env: [{ name: 'ECHO_PREFIX', value: 'main' }] }),
      echoLoop([], { name: 'side', env: [{ name: 'ECHO_PREFIX', value: 'side' }] })
    ])
    await executor.ensure([{ workload: 'pair', index: 0, spec }])
    await waitFor('both running', () => Object.values(executor.list()[0]?.containers ?? {}).filter(c => c.state === 'running').length === 2)
    await waitFor('side output', async () => (await collect(executor.logs('pair', 0, { container: 'side' }))).includes('side 1'))
    assert.match(await collect(executor.logs('pair', 0)), /^main 0\n/)
    assert.equal(executor.list()[0]?.state, 'running')
  })

  it('an image without a container runtime fails with the reason, it is not faked', async () => {
    const { executor } = make()
    await executor.start()
    await executor.ensure([{ workload: 'img', index: 0, spec: workload('img', [{ image: 'nginx:1' }], 'Never') }])
    await waitFor('failed', () => executor.list()[0]?.state === 'failed')
    assert.match(executor.list()[0]?.message ?? '', /needs a container runtime \(podman, docker or nerdctl\) and this node has none that works/)
  })
})
