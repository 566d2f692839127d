import assert from 'node:assert/strict'
import { REPLICA_STATES } from '../../../protocol/state/entries.ts'
import { Supervisor, restartDelay } from '../../../node/executor/index.ts'
import type { ContainerStatus, ExitInfo, ProcessRun, RestartPolicy } from '../../../node/executor/index.ts'
import { FakeClock, settle } from '../../utils/fake-clock.ts'

/** A run that ends when the test says so. */
class FakeRuns {
  readonly runs: Array<{ exit: (info: ExitInfo) => void, stoppedWith?: number }> = []
  failNextStart = false
  private pid = 1000

  start = async (): Promise<ProcessRun> => {
    if (this.failNextStart) { this.failNextStart = false; throw new Error('spawn ENOENT') }
    let exit!: (info: ExitInfo) => void
    const exited = new Promise<ExitInfo>(resolve => { exit = resolve })
    const entry: { exit: (info: ExitInfo) => void, stoppedWith?: number } = { exit }
    this.runs.push(entry)
    return {
      pid: ++this.pid,
      limits: { enforced: false, reason: 'test' },
      exited,
      stop: async (graceMs) => { entry.stoppedWith = graceMs; exit({ exitCode: null, signal: 'SIGTERM' }); return await exited }
    }
  }

  async end (exitCode: number): Promise<void> {
    this.runs.at(-1)?.exit({ exitCode, signal: null })
    await settle()
  }
}

function supervise (policy: RestartPolicy, init: { resetAfterMs?: number } = {}): { clock: FakeClock, runs: FakeRuns, seen: ContainerStatus[], sup: Supervisor } {
  const clock = new FakeClock()
  const runs = new FakeRuns()
  const seen: ContainerStatus[] = []
  const sup = new Supervisor({ clock, start: runs.start }, { restartPolicy: policy, onStatus: s => seen.push(s), ...init })
  return { clock, runs, seen, sup }
}

describe('executor: supervisor', () => {
  it('backs off 1 s, 2 s, 4 s … up to 60 s', () => {
    assert.deepEqual([0, 1, 2, 3, 5, 6, 7, 40].map(a => restartDelay(a)), [1000, 2000, 4000, 8000, 32000, 60000, 60000, 60000])
  })

  it('Never: pending → starting → running → failed with the exit code, and no restart', async () => {
    const { clock, runs, seen, sup } = supervise('Never')
    sup.start()
    await settle()
    await runs.end(3)
    await clock.advance(120_000)
    assert.deepEqual(seen.map(s => s.state), ['pending', 'starting', 'running', 'failed'])
    for (const s of seen) assert.ok(REPLICA_STATES.includes(s.state))
    assert.equal(seen.at(-1)?.exitCode, 3)
    assert.equal(seen[2]?.startedAt, clock.now() - 120_000)
    assert.equal(runs.runs.length, 1)
    assert.equal(sup.finished, true)
    assert.equal(clock.pending, 0)
  })

  it('OnFailure: restarts a failure with growing backoff, stops at success', async () => {
    const { clock, runs, seen, sup } = supervise('OnFailure')
    sup.start()
    await settle()
    await runs.end(1)
    assert.match(seen.at(-1)?.message ?? '', /exited with code 1; restarting in 1000 ms/)
    await clock.advance(999)
    assert.equal(runs.runs.length, 1)
    await clock.advance(1)
    assert.equal(runs.runs.length, 2)
    assert.equal(sup.status.restarts, 1)
    await runs.end(2)
    await clock.advance(1999)
    assert.equal(runs.runs.length, 2)
    await clock.advance(1)
    assert.equal(runs.runs.length, 3)
    await runs.end(0)
    await clock.advance(600_000)
    assert.equal(runs.runs.length, 3)
    assert.equal(sup.status.state, 'succeeded')
    assert.equal(sup.status.exitCode, 0)
    assert.equal(sup.status.restarts, 2)
  })

  it('Always: restarts even a success; 10 minutes of healthy running resets the backoff', async () => {
    const { clock, runs, sup } = supervise('Always')
    sup.start()
    await settle()
    for (let i = 0; i < 3; i++) { await runs.end(0); await clock.advance(2 ** i * 1000) }
    assert.equal(runs.runs.length, 4)
    await clock.advance(600_000) // healthy for 10 min
    await runs.end(1)
    await clock.advance(1000)
    assert.equal(runs.runs.length, 5, 'backoff started over at 1 s')
    await runs.end(1)
    await clock.advance(1000)
    assert.equal(runs.runs.length, 5, 'a quick crash doubles it again')
    await clock.advance(1000)
    assert.equal(runs.runs.length, 6)
  })

  it('a start that throws is a failed run, restarted by the policy with its message', async () => {
    const { clock, runs, seen, sup } = supervise('Always')
    runs.failNextStart = true
    sup.start()
    await settle()
    assert.equal(seen.at(-1)?.state, 'failed')
    assert.match(seen.at(-1)?.message ?? '', /cannot start: spawn ENOENT; restarting in 1000 ms/)
    await clock.advance(1000)
    assert.equal(sup.status.state, 'running')
    await sup.stop(5000)
  })

  it('stop: gives the run its grace period, reports stopped, and cancels a pending restart', async () => {
    const { clock, runs, seen, sup } = supervise('Always')
    sup.start()
    await settle()
    await sup.stop(1234)
    assert.equal(runs.runs[0]?.stoppedWith, 1234)
    assert.equal(seen.at(-1)?.state, 'stopped')
    assert.equal(seen.at(-1)?.signal, 'SIGTERM')

    const second = supervise('Always')
    second.sup.start()
    await settle()
    await second.runs.end(1)
    await second.sup.stop(1000)
    assert.equal(second.sup.status.state, 'stopped')
    await second.clock.advance(120_000)
    assert.equal(second.runs.runs.length, 1)
    assert.equal(second.clock.pending, 0)
    assert.equal(clock.pending, 0)
  })
})
