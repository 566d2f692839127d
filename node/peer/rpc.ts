import { lpStream } from '@libp2p/utils'
import type { Connection, Stream } from '@libp2p/interface'

/**
 * One request, one response, each a single length-prefixed message: the
 * shape of every membership exchange. Limits are enforced while reading, so
 * an oversized message is refused before it is buffered whole.
 */
export interface RpcOptions {
  maxLength: number
  timeoutMs: number
  /**
   * Send the protocol id and the request in one go instead of negotiating
   * first (saves a round trip). Only for protocols every member speaks: a
   * refusal then shows as a failed read, not UnsupportedProtocolError.
   * @default false
   */
  optimistic?: boolean
}

export async function request (connection: Connection, protocol: string, payload: Uint8Array, opts: RpcOptions): Promise<Uint8Array> {
  const signal = AbortSignal.timeout(opts.timeoutMs)
  const stream = await connection.newStream(protocol, { signal, negotiateFully: opts.optimistic !== true })
  try {
    const lp = lpStream(stream, { maxDataLength: opts.maxLength })
    await lp.write(payload, { signal })
    const answer = await lp.read({ signal })
    await stream.close({ signal })
    return answer.subarray()
  } catch (err) {
    stream.abort(err as Error)
    throw err
  }
}

/**
 * Serves one request on `stream`: reads it, lets `handle` answer, writes the
 * answer. `handle` may return undefined to answer nothing (the caller then
 * aborts the stream itself, e.g. to drop an intruder).
 */
export async function respond (stream: Stream, opts: RpcOptions, handle: (req: Uint8Array) => Promise<Uint8Array>): Promise<void> {
  const signal = AbortSignal.timeout(opts.timeoutMs)
  try {
    const lp = lpStream(stream, { maxDataLength: opts.maxLength })
    const req = await lp.read({ signal })
    const answer = await handle(req.subarray())
    await lp.write(answer, { signal })
    await stream.close({ signal })
  } catch (err) {
    stream.abort(err as Error)
    throw err
  }
}
