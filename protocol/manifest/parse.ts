/**
 * Manifest text (YAML or JSON, as a file or a request body) to a validated,
 * normalised workload. Untrusted input: the size is checked before any
 * parsing, YAML aliases are bounded (no "billion laughs"), and a bad document
 * becomes a `ManifestError` rather than anything thrown from a library.
 */
import { Buffer } from 'node:buffer'
import { parseAllDocuments } from 'yaml'
import type { z } from 'zod'
import { ManifestError, renderPath, valueAt } from './errors.ts'
import type { ManifestIssue } from './errors.ts'
import { workloadManifestSchema } from './schema.ts'
import type { WorkloadManifest } from './schema.ts'
import { normalizeManifest } from './normalize.ts'
import type { Workload } from './normalize.ts'

/** Far above any real manifest (the SPEC example is < 2 KiB), far below what hurts a node. */
export const MAX_MANIFEST_BYTES = 256 * 1024
const MAX_YAML_ALIASES = 100

export interface ParseManifestOptions {
  /** @default MAX_MANIFEST_BYTES */
  maxBytes?: number
}

const JSON_TYPES = new Set(['application/json'])
const YAML_TYPES = new Set(['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'])

/**
 * Parses and validates one manifest. `contentType` is the request's
 * Content-Type (parameters such as `; charset=utf-8` are ignored); without
 * one (a file given to the CLI), YAML, which includes JSON.
 */
export function parseManifest (input: string | Uint8Array, contentType?: string, options: ParseManifestOptions = {}): Workload {
  const maxBytes = options.maxBytes ?? MAX_MANIFEST_BYTES
  const size = typeof input === 'string' ? utf8Length(input, maxBytes) : { bytes: input.byteLength, exact: true }
  if (size.bytes > maxBytes) {
    throw new ManifestError('MANIFEST_TOO_LARGE', `manifest: must be at most ${maxBytes} bytes (got ${size.exact ? '' : 'at least '}${size.bytes} bytes)`)
  }
  const text = typeof input === 'string' ? input : decodeUtf8(input)
  const data = parseText(text, mediaType(contentType))
  return validateManifest(data)
}

/** Validates already-parsed data (e.g. a stored or gossiped manifest). */
export function validateManifest (data: unknown): Workload {
  const result = workloadManifestSchema.safeParse(data)
  if (!result.success) throw ManifestError.invalid(toIssues(result.error, data))
  return normalizeManifest(result.data as WorkloadManifest)
}

type MediaType = 'json' | 'yaml'

function mediaType (contentType: string | undefined): MediaType {
  // YAML 1.2 is a superset of JSON, so without a type the YAML parser reads both.
  if (contentType === undefined || contentType.trim() === '') return 'yaml'
  const essence = (contentType.split(';')[0] ?? '').trim().toLowerCase()
  if (JSON_TYPES.has(essence)) return 'json'
  if (YAML_TYPES.has(essence)) return 'yaml'
  throw new ManifestError('UNSUPPORTED_CONTENT_TYPE', `Content-Type: must be application/json or application/yaml (got ${JSON.stringify(contentType)})`)
}

function parseText (text: string, type: MediaType): unknown {
  if (type === 'json') {
    try {
      return JSON.parse(text)
    } catch (err) {
      throw new ManifestError('MANIFEST_SYNTAX', `manifest: not valid JSON: ${(err as Error).message}`, [], { cause: err })
    }
  }
  // YAML 1.2 core schema: `on`/`yes`/`no` stay strings (no "Norway problem"); duplicate keys are errors.
  const docs = parseAllDocuments(text, { version: '1.2', schema: 'core', uniqueKeys: true, prettyErrors: true })
  if (!Array.isArray(docs)) return null // an empty stream: the schema then says what is missing
  if (docs.length > 1) {
    throw new ManifestError('MANIFEST_SYNTAX', `manifest: must be one YAML document (got ${docs.length}); apply them one at a time`)
  }
  const doc = docs[0]
  if (doc === undefined) return null
  const error = doc.errors[0]
  if (error !== undefined) {
    throw new ManifestError('MANIFEST_SYNTAX', `manifest: not valid YAML: ${(error.message.split('\n')[0] ?? '').replace(/:$/, '')}`, [], { cause: error })
  }
  try {
    return doc.toJS({ maxAliasCount: MAX_YAML_ALIASES })
  } catch (err) {
    throw new ManifestError('MANIFEST_SYNTAX', `manifest: not valid YAML: ${(err as Error).message}`, [], { cause: err })
  }
}

function toIssues (error: z.ZodError, data: unknown): ManifestIssue[] {
  const issues: ManifestIssue[] = []
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const path = [...issue.path, key]
        issues.push({ path: renderPath(path), problem: 'unknown field', value: valueAt(data, path) })
      }
    } else {
      issues.push({ path: renderPath(issue.path), problem: issue.message, value: valueAt(data, issue.path) })
    }
  }
  return issues
}


/** UTF-8 size, without walking a huge string: each UTF-16 unit is at least one byte. */
function utf8Length (text: string, limit: number): { bytes: number, exact: boolean } {
  if (text.length > limit) return { bytes: text.length, exact: false }
  return { bytes: Buffer.byteLength(text, 'utf8'), exact: true }
}

function decodeUtf8 (bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch (err) {
    throw new ManifestError('MANIFEST_SYNTAX', 'manifest: not valid UTF-8', [], { cause: err })
  }
}
