/**
 * Tiny HTTP client for metadata services: link-local, unauthenticated, small
 * answers. Bodies are capped so a misbehaving endpoint cannot make us buffer
 * without bound; redirects are refused since metadata services never redirect.
 */
import { CloudMetadataHttpError, CloudMetadataParseError } from '../errors.ts'

/** Metadata answers are a few kB; anything far larger is not a metadata service. */
const MAX_BODY = 256 * 1024

export interface MetadataResponse {
  status: number
  headers: Headers
  body: string
}

export async function request (
  url: string,
  init: { method?: string, headers?: Record<string, string>, signal: AbortSignal }
): Promise<MetadataResponse> {
  const res = await fetch(url, {
    method: init.method ?? 'GET',
    headers: init.headers,
    signal: init.signal,
    redirect: 'manual'
  })
  const declared = Number(res.headers.get('content-length') ?? '0')
  if (declared > MAX_BODY) {
    await res.body?.cancel()
    throw new CloudMetadataParseError(`${url}: answer must be at most ${MAX_BODY} bytes: declared length is ${declared}`)
  }
  const body = await res.text()
  if (body.length > MAX_BODY) throw new CloudMetadataParseError(`${url}: answer must be at most ${MAX_BODY} bytes: got ${body.length}`)
  return { status: res.status, headers: res.headers, body }
}

/** GET that must answer 200; returns the body. */
export async function getText (url: string, headers: Record<string, string>, signal: AbortSignal): Promise<string> {
  const res = await request(url, { headers, signal })
  if (res.status !== 200) throw new CloudMetadataHttpError(url, res.status)
  return res.body
}

/** GET that may answer 404 for "not set" (null). */
export async function getOptionalText (url: string, headers: Record<string, string>, signal: AbortSignal): Promise<string | null> {
  const res = await request(url, { headers, signal })
  if (res.status === 404) return null
  if (res.status !== 200) throw new CloudMetadataHttpError(url, res.status)
  return res.body
}

export function parseJson (url: string, body: string): unknown {
  try {
    return JSON.parse(body)
  } catch {
    throw new CloudMetadataParseError(`${url}: answer must be JSON: current body starts ${JSON.stringify(body.slice(0, 60))}`)
  }
}

/** Joins a base URL (with or without a trailing slash) and a path. */
export function join (base: string, path: string): string {
  return base.replace(/\/+$/, '') + '/' + path.replace(/^\/+/, '')
}

export function isoOrNull (text: string): string | null {
  const t = Date.parse(text)
  return Number.isNaN(t) ? null : new Date(t).toISOString()
}

/** fetch() rejects with a TypeError whose cause is the socket error (ECONNREFUSED, EHOSTUNREACH…). */
export function isNetworkError (err: unknown): boolean {
  return err instanceof TypeError && (err as Error).message === 'fetch failed'
}
