export { Writer } from './writer.ts'
export { Reader } from './reader.ts'
export { MalformedMessageError } from './errors.ts'
