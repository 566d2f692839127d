/**
 * Runs one probe step under a deadline. The step gets an AbortSignal that fires
 * at the deadline (or when the caller's signal fires), so a child process or
 * HTTP request it started is cancelled rather than left running; the timer is
 * always cleared, so nothing outlives the call.
 */
import type { Clock } from '../protocol/clock.ts'
import { ProbeTimeoutError } from './errors.ts'

export async function withDeadline<T> (
  clock: Clock,
  name: string,
  timeoutMs: number,
  step: (signal: AbortSignal) => Promise<T>,
  parent?: AbortSignal
): Promise<T> {
  const controller = new AbortController()
  let rejectTimeout: (err: Error) => void = () => {}
  // Promise.race, not only the signal: a step that ignores its signal must still
  // not hold the loop past the deadline.
  const timedOut = new Promise<never>((_resolve, reject) => { rejectTimeout = reject })
  const timer = clock.setTimeout(() => {
    const err = new ProbeTimeoutError(name, timeoutMs)
    controller.abort(err)
    rejectTimeout(err)
  }, timeoutMs)
  const onParentAbort = (): void => {
    controller.abort(parent?.reason)
    rejectTimeout(parent?.reason instanceof Error ? parent.reason : new Error(`Probe '${name}' aborted`))
  }
  if (parent?.aborted === true) onParentAbort()
  else parent?.addEventListener('abort', onParentAbort, { once: true })
  try {
    const running = step(controller.signal)
    // The losing side of the race must not surface as an unhandled rejection.
    running.catch(() => {})
    return await Promise.race([running, timedOut])
  } finally {
    clock.clearTimeout(timer)
    parent?.removeEventListener('abort', onParentAbort)
  }
}
