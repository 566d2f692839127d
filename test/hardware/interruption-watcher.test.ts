import assert from 'node:assert/strict'
import { AwsMetadata } from '../../hardware/cloud/aws.ts'
import { InterruptionWatcher } from '../../hardware/cloud/interruption-watcher.ts'
import type { CloudMetadataSource, InterruptionNotice } from '../../hardware/cloud/types.ts'
import { systemClock } from '../../protocol/clock.ts'
import { FakeClock } from '../utils/fake-clock.ts'
import { startMetadataServer } from '../utils/metadata-server.ts'
import type { MetadataServer } from '../utils/metadata-server.ts'
import { awsImds } from '../utils/cloud-services.ts'

/** A source whose answer the test sets, for the watcher's timing logic. */
function scripted (): CloudMetadataSource & { answer: InterruptionNotice | null | 'hang' | Error, polls: number } {
  const s = {
    provider: 'aws' as const,
    answer: null as InterruptionNotice | null | 'hang' | Error,
    polls: 0,
    identify: async () => null,
    interruption: async (signal: AbortSignal) => {
      s.polls++
      const a = s.answer
      if (a === 'hang') return await new Promise<never>((_r, reject) => signal.addEventListener('abort', () => reject(signal.reason)))
      if (a instanceof Error) throw a
      return a
    }
  }
  return s
}

const notice: InterruptionNotice = { provider: 'aws', action: 'terminate', deadline: '2026-12-03T17:02:00.000Z' }

describe('hardware/InterruptionWatcher', () => {
  it('polls at start and every interval, and reports a standing notice once', async () => {
    const clock = new FakeClock()
    const source = scripted()
    const seen: InterruptionNotice[] = []
    const w = new InterruptionWatcher({ clock }, { source, intervalMs: 5000, onInterruption: n => seen.push(n) })
    w.start()
    await clock.advance(0)
    assert.equal(source.polls, 1)
    source.answer = notice
    await clock.advance(4999)
    assert.equal(seen.length, 0)
    await clock.advance(1)
    assert.deepEqual(seen, [notice], 'raised within one poll interval')
    await clock.advance(15_000)
    assert.equal(source.polls, 5)
    assert.equal(seen.length, 1, 'the same notice is not raised again')
    assert.deepEqual(w.current, notice)
    await w.stop()
    assert.equal(clock.pending, 0)
  })

  it('a withdrawn notice re-arms; a changed one is news', async () => {
    const clock = new FakeClock()
    const source = scripted()
    const seen: InterruptionNotice[] = []
    const w = new InterruptionWatcher({ clock }, { source, intervalMs: 1000, onInterruption: n => seen.push(n) })
    source.answer = notice
    w.start()
    await clock.advance(0)
    source.answer = { ...notice, action: 'stop' }
    await clock.advance(1000)
    source.answer = null
    await clock.advance(1000)
    assert.equal(w.current, null)
    source.answer = { ...notice, action: 'stop' }
    await clock.advance(1000)
    assert.deepEqual(seen.map(n => n.action), ['terminate', 'stop', 'stop'])
    await w.stop()
  })

  it('a hung or failing poll is reported and does not delay the next one', async () => {
    const clock = new FakeClock()
    const source = scripted()
    const errors: unknown[] = []
    const w = new InterruptionWatcher({ clock }, { source, intervalMs: 5000, timeoutMs: 2000, onInterruption: () => {}, onError: e => errors.push(e) })
    source.answer = 'hang'
    w.start()
    await clock.advance(2000)
    assert.equal((errors[0] as { code: string }).code, 'PROBE_TIMEOUT')
    source.answer = new Error('connection reset')
    await clock.advance(3000)
    assert.equal(source.polls, 2, 'the next poll is one interval after the hung one started')
    assert.equal(errors.length, 2)
    source.answer = 'hang'
    await clock.advance(5000)
    await w.stop()
    assert.equal(errors.length, 2, 'a poll cut short by stop() is not an error')
    assert.equal(clock.pending, 0)
  })

  it('raises an AWS spot notice served by IMDS within one poll interval', async () => {
    const state = { lifecycle: 'spot', action: null as string | null }
    const server: MetadataServer = await startMetadataServer(awsImds(state))
    try {
      const got = Promise.withResolvers<{ notice: InterruptionNotice, at: number }>()
      const w = new InterruptionWatcher({ clock: systemClock }, {
        source: new AwsMetadata({ clock: systemClock }, { baseUrl: server.url }),
        intervalMs: 200,
        onInterruption: n => got.resolve({ notice: n, at: performance.now() })
      })
      w.start()
      await new Promise(resolve => setTimeout(resolve, 50))
      state.action = 'terminate'
      const servedAt = performance.now()
      const { notice: n, at } = await got.promise
      await w.stop()
      assert.deepEqual(n, notice)
      assert.ok(at - servedAt < 200 + 100, `raised ${at - servedAt} ms after it was served`)
    } finally {
      await server.close()
    }
  })
})
