import assert from 'node:assert/strict'
import { ProbeLoop } from '../../hardware/probe-loop.ts'
import type { LoopSample } from '../../hardware/probe-loop.ts'
import type { Probe } from '../../hardware/probe.ts'
import { withDeadline } from '../../hardware/deadline.ts'
import { FakeClock } from '../utils/fake-clock.ts'

interface V { fast: number, slow: number, broken: number }

/** A probe that answers only when its signal aborts: it records that it was aborted. */
function hangingProbe (name: string, aborted: string[]): Probe<never, number> {
  return {
    name,
    sample: async signal => await new Promise<number>((_resolve, reject) => {
      signal.addEventListener('abort', () => { aborted.push(name); reject(signal.reason) }, { once: true })
    })
  }
}

describe('hardware/ProbeLoop', () => {
  it('degrades a slow and a failing probe to unknown without holding back the others', async () => {
    const clock = new FakeClock()
    const aborted: string[] = []
    let n = 0
    const samples: Array<LoopSample<V>> = []
    const loop = new ProbeLoop<unknown, V>({ clock }, {
      probes: [
        { name: 'fast', sample: async () => ++n },
        hangingProbe('slow', aborted),
        { name: 'broken', sample: async () => { throw new Error('sensor gone') } }
      ],
      intervalMs: 2000,
      probeTimeoutMs: 500,
      onSample: s => samples.push(s)
    })
    loop.start()
    await clock.advance(0)
    assert.equal(samples.length, 0, 'the pass waits for the slow probe up to its deadline')
    await clock.advance(500)
    assert.equal(samples.length, 1)
    const first = samples[0]!
    assert.deepEqual(first.values, { fast: 1, slow: null, broken: null })
    assert.deepEqual(first.unknown, { slow: 'PROBE_TIMEOUT', broken: 'PROBE_FAILED' })
    assert.deepEqual(aborted, ['slow'], 'the slow probe was told to give up')
    assert.equal(first.tookMs, 500)

    // The next pass starts one interval after the previous one started, not after it ended.
    await clock.advance(1499)
    assert.equal(samples.length, 1)
    await clock.advance(1 + 500)
    assert.equal(samples.length, 2)
    assert.equal(samples[1]!.at - first.at, 2000)
    assert.equal(samples[1]!.values.fast, 2)
    await loop.stop()
    assert.equal(clock.pending, 0, 'stop leaves no timer behind')
  })

  it('stop() aborts a pass in flight and no sample follows', async () => {
    const clock = new FakeClock()
    const aborted: string[] = []
    const samples: unknown[] = []
    const loop = new ProbeLoop<unknown, { slow: number }>({ clock }, {
      probes: [hangingProbe('slow', aborted)],
      probeTimeoutMs: 1000,
      onSample: s => samples.push(s)
    })
    loop.start()
    await clock.advance(10)
    const stopped = loop.stop()
    await stopped
    assert.deepEqual(aborted, ['slow'])
    await clock.advance(10_000)
    assert.equal(samples.length, 0)
    assert.equal(clock.pending, 0)
    assert.equal(loop.isRunning, false)
  })

  it('reads static parts once with their own deadline, and skips probes without one', async () => {
    const clock = new FakeClock()
    let reads = 0
    const loop = new ProbeLoop<{ a: string, b: string }, unknown>({ clock }, {
      probes: [
        { name: 'a', readStatic: async () => { reads++; return 'x' } },
        { name: 'b', readStatic: async signal => await new Promise<string>((_r, reject) => signal.addEventListener('abort', () => reject(signal.reason))) },
        { name: 'c', sample: async () => 1 }
      ],
      staticTimeoutMs: 3000
    })
    const pending = loop.readStatic()
    await clock.advance(3000)
    const facts = await pending
    assert.deepEqual(facts.values, { a: 'x', b: null })
    assert.deepEqual(facts.unknown, { b: 'PROBE_TIMEOUT' })
    assert.equal(reads, 1)
    assert.equal(clock.pending, 0)
  })

  it('a listener that throws does not stop sampling', async () => {
    const clock = new FakeClock()
    const errors: string[] = []
    let calls = 0
    const loop = new ProbeLoop<unknown, { x: number }>({ clock }, {
      probes: [{ name: 'x', sample: async () => 1 }],
      intervalMs: 100,
      onSample: () => { calls++; throw new Error('listener bug') },
      onProbeError: name => errors.push(name)
    })
    loop.start()
    await clock.advance(250)
    assert.equal(calls, 3)
    assert.deepEqual(errors, ['onSample', 'onSample', 'onSample'])
    await loop.stop()
  })

  it('refuses bad options with a message naming the option', () => {
    const clock = new FakeClock()
    assert.throws(() => new ProbeLoop({ clock }, { probes: [], intervalMs: 0 }),
      { code: 'HARDWARE_INVALID_OPTION', message: 'intervalMs: must be a finite number > 0: current value is 0' })
    assert.throws(() => new ProbeLoop({ clock }, { probes: [{ name: 'a' }, { name: 'a' }] }),
      { code: 'HARDWARE_INVALID_OPTION', message: /'a' appears twice/ })
  })
})

describe('hardware/withDeadline', () => {
  it('clears its timer when the step answers in time', async () => {
    const clock = new FakeClock()
    assert.equal(await withDeadline(clock, 'x', 100, async () => 42), 42)
    assert.equal(clock.pending, 0)
  })

  it('times out a step that ignores its signal', async () => {
    const clock = new FakeClock()
    const p = withDeadline(clock, 'deaf', 100, async () => await new Promise<number>(() => {}))
    const assertion = assert.rejects(p, { code: 'PROBE_TIMEOUT', message: "Probe 'deaf' did not answer within 100 ms" })
    await clock.advance(100)
    await assertion
    assert.equal(clock.pending, 0)
  })

  it('gives up at once when the parent signal fires', async () => {
    const clock = new FakeClock()
    const parent = new AbortController()
    const p = withDeadline(clock, 'x', 100_000, async () => await new Promise<number>(() => {}), parent.signal)
    parent.abort(new Error('shutting down'))
    await assert.rejects(p, /shutting down/)
    assert.equal(clock.pending, 0)
  })
})
