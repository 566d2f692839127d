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
