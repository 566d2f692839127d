/**
 * Kubernetes resource quantities (`500m`, `4Gi`, `1e3`), parsed the way
 * apimachinery's `resource.ParseQuantity` does, so that a manifest written for
 * Kubernetes means the same amount here.
 *
 * The value is kept exact (a bigint count of nano-units) rather than as a
 * float: `0.1` CPU must be exactly 100 millicores, and `1Ei` does not fit a
 * double.
 *
 * Deliberate differences from Kubernetes, both about absurd inputs:
 * - a decimal exponent beyond ±`MAX_DECIMAL_EXPONENT` is refused instead of
 *   building a number with a million digits;
 * - the resource helpers refuse a value above `Number.MAX_SAFE_INTEGER`
 *   (about 8 PiB of memory) so that callers can use plain numbers.
 */
import { InvalidInputError } from './errors.ts'

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent'

export interface Quantity {
  /** The text as given (after trimming, as the API server's JSON decoder does). */
  readonly text: string
  readonly negative: boolean
  /** |value| in units of 10^-9, rounded up as Kubernetes rounds to nano precision. */
  readonly nanos: bigint
  readonly format: QuantityFormat
}

/** A quantity string Kubernetes would refuse, or one a resource cannot take. */
export class QuantityError extends InvalidInputError {
  /** The problem without the text, for callers that name the field themselves. */
  readonly reason: string

  constructor (text: string, reason: string) {
    const shown = text.length > 40 ? `${text.slice(0, 40)}…` : text
    super(`${JSON.stringify(shown)}: ${reason}`, 'INVALID_QUANTITY')
    this.reason = reason
  }
}

/** Beyond this, a decimal exponent describes no real resource; see the file comment. */
export const MAX_DECIMAL_EXPONENT = 100

const DECIMAL_SUFFIXES: Record<string, number> = {
  n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18
}
const BINARY_SUFFIXES: Record<string, number> = {
  Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60
}
const SUFFIX_CHARS = 'eEinumkKMGTP'
// Kubernetes caps binary quantities at MaxInt64 (of whole units).
const MAX_BINARY_NANOS = ((1n << 63n) - 1n) * 1_000_000_000n
const NANOS_PER_UNIT = 1_000_000_000n
const NANOS_PER_MILLI = 1_000_000n

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9'

interface Scanned { negative: boolean, num: string, denom: string, suffix: string }

/**
 * The scanner of apimachinery's `parseQuantityString`, including its
 * leniencies: `1.`, `.5`, `1.G` and even `.`, `+` and `-` (all zero) are
 * quantities to Kubernetes, so they are to us.
 */
function scan (str: string): Scanned | undefined {
  let pos = 0
  let negative = false
  if (str[0] === '-' || str[0] === '+') {
    negative = str[0] === '-'
    pos++
  }
  while (str[pos] === '0') pos++
  let start = pos
  while (isDigit(str[pos])) pos++
  const num = str.slice(start, pos)
  let denom = ''
  if (str[pos] === '.') {
    start = ++pos
    while (isDigit(str[pos])) pos++
    denom = str.slice(start, pos)
  }
  const suffixStart = pos
  while (pos < str.length && SUFFIX_CHARS.includes(str[pos] as string)) pos++
  if (str[pos] === '-' || str[pos] === '+') pos++
  while (isDigit(str[pos])) pos++
  if (pos !== str.length) return undefined
  return { negative, num: num === '' ? '0' : num, denom, suffix: str.slice(suffixStart) }
}

/** `quantitySuffixer.interpret`: the SI tables first, then `e<int>`/`E<int>`. */
function interpret (suffix: string): { base: 10 | 2, exponent: number, format: QuantityFormat } | undefined {
  const dec = DECIMAL_SUFFIXES[suffix]
  if (dec !== undefined) return { base: 10, exponent: dec, format: 'DecimalSI' }
  const bin = BINARY_SUFFIXES[suffix]
  if (bin !== undefined) return { base: 2, exponent: bin, format: 'BinarySI' }
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E') && /^[+-]?\d+$/.test(suffix.slice(1))) {
    return { base: 10, exponent: Number(suffix.slice(1)), format: 'DecimalExponent' }
  }
  return undefined
}

/** Parses a quantity string; throws `QuantityError` (`INVALID_QUANTITY`) when Kubernetes would. */
export function parseQuantity (input: string): Quantity {
  const text = input.trim()
  if (text === '') throw new QuantityError(text, 'must be a quantity, not empty')
  const scanned = scan(text)
  if (scanned === undefined) {
    throw new QuantityError(text, 'must be a quantity: a number with an optional suffix, such as 500m, 2, 1.5, 4Gi, 128Mi or 1e3')
  }
  const unit = interpret(scanned.suffix)
  if (unit === undefined) {
    throw new QuantityError(text, `must be a quantity: unknown suffix ${JSON.stringify(scanned.suffix)} (decimal: n u m k M G T P E, binary: Ki Mi Gi Ti Pi Ei, or e<exponent>)`)
  }
  const digits = BigInt(scanned.num + scanned.denom)
  if (digits === 0n) return { text, negative: false, nanos: 0n, format: unit.format }
  if (unit.base === 10 && Math.abs(unit.exponent) > MAX_DECIMAL_EXPONENT) {
    throw new QuantityError(text, `must be a quantity with an exponent within ±${MAX_DECIMAL_EXPONENT}`)
  }
  const scaled = unit.base === 2 ? digits << BigInt(unit.exponent) : digits
  const shift = (unit.base === 10 ? unit.exponent : 0) - scanned.denom.length + 9
  // Round up (away from zero) to nano precision: "if you want some resources,
  // you should get some resources" (apimachinery's comment).
  let nanos = shift >= 0 ? scaled * 10n ** BigInt(shift) : ceilDiv(scaled, 10n ** BigInt(-shift))
  if (unit.format === 'BinarySI' && nanos > MAX_BINARY_NANOS) nanos = MAX_BINARY_NANOS
  return { text, negative: scanned.negative, nanos, format: unit.format }
}

function ceilDiv (a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b
}

/** A quantity as YAML or JSON may give it: `cpu: 2` is a number there. */
export type QuantityInput = string | number

function parseNonNegative (input: QuantityInput, what: string): Quantity {
  const q = parseQuantity(quantityText(input))
  // Kubernetes' validation refuses negative resource amounts (ValidateNonnegativeQuantity).
  if (q.negative) throw new QuantityError(q.text, `must be a ${what} >= 0`)
  return q
}

/** The quantity text of a YAML/JSON value, refusing numbers a double has already mangled. */
export function quantityText (input: QuantityInput): string {
  if (typeof input === 'string') return input
  if (!Number.isFinite(input)) throw new QuantityError(String(input), 'must be a finite number')
  if (Number.isInteger(input) && !Number.isSafeInteger(input)) {
    throw new QuantityError(String(input), 'is too large to be exact as a number: write it as a string')
  }
  return String(input)
}

function toSafeNumber (value: bigint, q: Quantity, what: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new QuantityError(q.text, `is too large for a ${what}`)
  }
  return Number(value)
}

/** CPU in millicores, rounded up as Kubernetes' `MilliValue()` does (`0.0001` → 1). */
export function cpuToMillicores (input: QuantityInput): number {
  const q = parseNonNegative(input, 'cpu amount')
  return toSafeNumber(ceilDiv(q.nanos, NANOS_PER_MILLI), q, 'cpu amount')
}

/** Memory in bytes, rounded up as Kubernetes' `Value()` does (`500m` → 1). */
export function memoryToBytes (input: QuantityInput): number {
  const q = parseNonNegative(input, 'memory amount')
  return toSafeNumber(ceilDiv(q.nanos, NANOS_PER_UNIT), q, 'memory amount')
}

/** A GPU count: like Kubernetes' extended resources, only whole numbers (`1000m` is 1, `0.5` is refused). */
export function gpuToCount (input: QuantityInput): number {
  const q = parseNonNegative(input, 'GPU count')
  if (q.nanos % NANOS_PER_UNIT !== 0n) {
    throw new QuantityError(q.text, 'must be a whole number of GPUs')
  }
  return toSafeNumber(q.nanos / NANOS_PER_UNIT, q, 'GPU count')
}
