import assert from 'node:assert/strict'
import { summarize } from '../../../node/executor/index.ts'

describe('executor: replica summary of its containers', () => {
  it('the most urgent state wins, restarts add up, limits only if every container reports them', () => {
    const s = summarize('web', 1, 4, {
      app: { state: 'failed', restarts: 2, exitCode: 1, message: 'exited with code 1; restarting in 4000 ms (restartPolicy Always)', startedAt: 10, limits: { enforced: false, reason: 'no cgroup v2' } },
      sidecar: { state: 'running', restarts: 1, startedAt: 20, limits: { enforced: true, by: 'cgroup-v2' } }
    })
    assert.equal(s.state, 'failed')
    assert.equal(s.restarts, 3)
    assert.equal(s.exitCode, 1)
    assert.equal(s.startedAt, 20)
    assert.equal(s.generation, 4)
    assert.match(s.message ?? '', /^app: exited with code 1/)
    assert.deepEqual(s.limits, { enforced: false, reason: 'no cgroup v2' })
    assert.deepEqual(Object.keys(s.containers), ['app', 'sidecar'])
  })

  it('table of states', () => {
    const table: Array<[string[], string]> = [
      [['running', 'running'], 'running'],
      [['running', 'starting'], 'starting'],
      [['pending', 'running'], 'pending'],
      [['succeeded', 'succeeded'], 'succeeded'],
      [['succeeded', 'stopped'], 'stopped'],
      [['running', 'succeeded'], 'running']
    ]
    for (const [states, want] of table) {
      const containers = Object.fromEntries(states.map((state, i) => [`c${i}`, { state: state as 'running', restarts: 0 }]))
      assert.equal(summarize('w', 0, undefined, containers).state, want, states.join('+'))
      assert.equal('limits' in summarize('w', 0, undefined, containers), false)
    }
  })
})
