import { request } from 'node:http'

export interface RawResponse { status: number, headers: Record<string, string | string[] | undefined>, body: string }

/** A raw HTTP request on a Unix socket, for poking the admin API the way curl would. */
export async function adminRequest (socketPath: string, method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<RawResponse> {
  return await new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path, headers: body == null ? headers : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers } }, res => {
      let text = ''
      res.on('data', (d: Buffer) => { text += d.toString() })
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }) })
    })
    // The server may close early on an oversized body; a response already read still counts.
    req.on('error', reject)
    if (body != null) req.write(body)
    req.end()
  })
}

/**
 * Events a daemon logged after event `after` on `GET /v1/events` (the SSE
 * stream replays its buffer first, then stays open): reads for `ms`, then stops.
 */
export async function eventsAfter (socketPath: string, after: number, ms: number): Promise<Array<{ id: number, type: string, data: Record<string, unknown> }>> {
  return await new Promise(resolve => {
    const seen: Array<{ id: number, type: string, data: Record<string, unknown> }> = []
    const r = request({ socketPath, path: `/v1/events?after=${after}`, method: 'GET' }, res => {
      let buf = ''
      res.on('data', (d: Buffer) => {
        buf += d.toString()
        const blocks = buf.split('\n\n')
        buf = blocks.pop() ?? ''
        for (const b of blocks) {
          const id = /^id: (\d+)$/m.exec(b)?.[1]
          const type = /^event: (\S+)$/m.exec(b)?.[1]
          const data = /^data: (.*)$/m.exec(b)?.[1]
          if (id != null && type != null) seen.push({ id: Number(id), type, data: data == null ? {} : (JSON.parse(data) as { data?: Record<string, unknown> }).data ?? {} })
        }
      })
    })
    r.on('error', () => {})
    r.end()
    setTimeout(() => { r.destroy(); resolve(seen) }, ms)
  })
}
