/**
 * Manifest errors. Codes are stable (the admin API's `error.code`); each
 * problem is rendered `path: problem (got value)` so a user can find the line
 * to fix, and all problems of a manifest are reported at once.
 */
import { InvalidInputError } from '../errors.ts'

export const MANIFEST_ERROR_CODES = {
  /** The manifest parses but breaks the schema. */
  INVALID_MANIFEST: 400,
  /** Not YAML/JSON, or more than one document. */
  MANIFEST_SYNTAX: 400,
  /** Larger than the per-manifest limit. */
  MANIFEST_TOO_LARGE: 413,
  /** A Content-Type that is neither JSON nor YAML. */
  UNSUPPORTED_CONTENT_TYPE: 415
} as const

export type ManifestErrorCode = keyof typeof MANIFEST_ERROR_CODES

export interface ManifestIssue {
  /** `spec.template.spec.containers[0].resources.limits.cpu` */
  readonly path: string
  /** What is wrong, e.g. `must be an integer >= 0`. */
  readonly problem: string
  /** The value given at `path` (`undefined` when missing). */
  readonly value: unknown
}

export class ManifestError extends InvalidInputError {
  readonly issues: readonly ManifestIssue[]
  /** The HTTP status the admin API answers with. */
  readonly status: number

  constructor (code: ManifestErrorCode, message: string, issues: readonly ManifestIssue[] = [], options?: ErrorOptions) {
    super(message, code, options)
    this.issues = issues
    this.status = MANIFEST_ERROR_CODES[code]
  }

  static invalid (issues: readonly ManifestIssue[]): ManifestError {
    const shown = issues.map(renderIssue)
    return new ManifestError('INVALID_MANIFEST', `invalid manifest: ${shown.join('; ')}`, issues)
  }
}

/** `a.b[0]["nvidia.com/gpu"]`: dots between identifiers, brackets for indexes and odd keys. */
export function renderPath (path: ReadonlyArray<PropertyKey>): string {
  let out = ''
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`
    else if (typeof segment === 'string' && /^[A-Za-z_$][\w$]*$/.test(segment)) out += out === '' ? segment : `.${segment}`
    else out += `[${JSON.stringify(String(segment))}]`
  }
  return out === '' ? '(manifest)' : out
}

export function renderIssue (issue: ManifestIssue): string {
  return `${issue.path}: ${issue.problem} (${renderValue(issue.value)})`
}

const MAX_SHOWN = 60

function renderValue (value: unknown): string {
  if (value === undefined) return 'missing'
  let text: string
  try {
    text = JSON.stringify(value) ?? String(value)
  } catch {
    text = String(value)
  }
  if (text.length > MAX_SHOWN) text = `${text.slice(0, MAX_SHOWN - 1)}…`
  return `got ${text}`
}

/** The value at `path` in parsed input, or `undefined` if there is none. */
export function valueAt (data: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let here = data
  for (const segment of path) {
    if (typeof here !== 'object' || here === null || !Object.hasOwn(here, segment)) return undefined
    here = (here as Record<PropertyKey, unknown>)[segment]
  }
  return here
}
