/**
 * A streaming `multipart/form-data` reader (RFC 7578, RFC 2046 §5.1) for S3's POST Object: the
 * fields before the `file` field are read into memory under one byte limit (S3's 20 KB of
 * "pre-data"); the file's bytes are handed on as they arrive, never buffered; whatever follows the
 * file is read, bounded, and ignored, as S3 ignores it.
 *
 * Framing: every delimiter is CRLF `--boundary` (the first may open the body without the CRLF, or
 * follow a preamble); after it come optional spaces/tabs and CRLF, or `--` for the close. A part
 * is header lines, an empty line, then its content up to the next delimiter. Memory while the file
 * streams is one source piece plus the delimiter's length.
 */
import { S3Error } from './errors.ts';

const CRLF = Buffer.from('\r\n');
/** S3's limit on everything before the file's content (field names, values, part headers). */
export const MAX_POST_PRE_DATA_BYTES = 20 * 1024;
/** What may follow the file (ignored parts, the epilogue) before the form is refused. */
export const MAX_POST_TRAILING_BYTES = 20 * 1024;
const MAX_BOUNDARY_LENGTH = 70;

export interface FormFile {
  /** The `filename` of the part (empty when there was none), for `${filename}`. */
  readonly filename: string;
  /** The part's own Content-Type, if it had one. */
  readonly contentType: string | undefined;
  /**
   * The file's bytes. It ends only after the rest of the form has been read and found whole, so a
   * body cut short fails here (MalformedPOSTRequest) rather than ending early.
   */
  readonly body: AsyncIterable<Uint8Array>;
}

export interface PostForm {
  /** The fields before the file, names lower-cased (S3 compares them case-insensitively), in order; the first of a repeated name wins. */
  readonly fields: ReadonlyMap<string, string>;
  readonly file: FormFile;
}

export interface PostFormLimits {
  readonly maxPreDataBytes?: number;
  readonly maxTrailingBytes?: number;
}

/** The boundary of a `multipart/form-data` Content-Type; RequestIsNotMultiPartContent for any other type. */
export function formBoundary(contentType: string | undefined): string {
  const [type = '', ...parameters] = (contentType ?? '').split(';');
  if (type.trim().toLowerCase() !== 'multipart/form-data') throw new S3Error('RequestIsNotMultiPartContent');
  for (const parameter of parameters) {
    const equals = parameter.indexOf('=');
    if (equals === -1 || parameter.slice(0, equals).trim().toLowerCase() !== 'boundary') continue;
    let value = parameter.slice(equals + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    if (value.length === 0 || value.length > MAX_BOUNDARY_LENGTH) break;
    return value;
  }
  throw new S3Error('MalformedPOSTRequest', { message: 'The body of your POST request is not well-formed multipart/form-data (no valid boundary in Content-Type).' });
}

/**
 * Reads the form up to the start of the `file` field's content. IncorrectNumberOfFilesInPostRequest
 * when the form ends without a file, MaxPostPreDataLengthExceededError past `maxPreDataBytes`,
 * MalformedPOSTRequest for broken framing or a body cut short.
 */
export async function readPostForm(source: AsyncIterable<Uint8Array>, boundary: string, limits: PostFormLimits = {}): Promise<PostForm> {
  const reader = new FormReader(source, Buffer.from(`\r\n--${boundary}`));
  const preDataLimit = limits.maxPreDataBytes ?? MAX_POST_PRE_DATA_BYTES;
  const budget = { left: preDataLimit };
  const tooLarge = () => new S3Error('MaxPostPreDataLengthExceededError');
  const fields = new Map<string, string>();
  await reader.skipPreamble(budget, tooLarge);
  for (;;) {
    if (await reader.closesAfterDelimiter(budget, tooLarge)) throw new S3Error('IncorrectNumberOfFilesInPostRequest');
    const headers = await reader.partHeaders(budget, tooLarge);
    const disposition = parseDisposition(headers.get('content-disposition'));
    if (disposition.name.toLowerCase() === 'file') {
      const trailingLimit = limits.maxTrailingBytes ?? MAX_POST_TRAILING_BYTES;
      return { fields, file: { filename: disposition.filename ?? '', contentType: headers.get('content-type'), body: reader.fileBody(trailingLimit) } };
    }
    const value = (await reader.untilDelimiter(budget, tooLarge)).toString('utf8');
    const name = disposition.name.toLowerCase();
    if (!fields.has(name)) fields.set(name, value);
  }
}

interface Budget {
  left: number;
}

function malformed(detail: string): S3Error {
  return new S3Error('MalformedPOSTRequest', { message: `The body of your POST request is not well-formed multipart/form-data: ${detail}.` });
}

class FormReader {
  private buffer: Buffer;
  private readonly pieces: AsyncIterator<Uint8Array>;
  private ended = false;

  constructor(source: AsyncIterable<Uint8Array>, private readonly delimiter: Buffer) {
    this.pieces = source[Symbol.asyncIterator]();
    // A virtual CRLF in front lets a body that opens with `--boundary` match the one delimiter form.
    this.buffer = Buffer.from(CRLF);
  }

  /** Pulls one more piece into the buffer; false once the source has ended. */
  private async pull(): Promise<boolean> {
    if (this.ended) return false;
    const next = await this.pieces.next();
    if (next.done) {
      this.ended = true;
      return false;
    }
    const piece = Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
    this.buffer = this.buffer.length === 0 ? piece : Buffer.concat([this.buffer, piece]);
    return true;
  }

  /** The bytes up to `marker` (consumed with it), charged to `budget`. */
  private async until(marker: Buffer, budget: Budget, tooLarge: () => S3Error): Promise<Buffer> {
    let searchFrom = 0;
    for (;;) {
      const at = this.buffer.indexOf(marker, searchFrom);
      if (at !== -1) {
        const taken = this.buffer.subarray(0, at);
        this.charge(budget, at + marker.length, tooLarge);
        this.buffer = this.buffer.subarray(at + marker.length);
        return taken;
      }
      if (this.buffer.length - marker.length + 1 > budget.left) throw tooLarge();
      searchFrom = Math.max(0, this.buffer.length - marker.length + 1);
      if (!(await this.pull())) throw malformed('the body ended inside a part');
    }
  }

  private charge(budget: Budget, bytes: number, tooLarge: () => S3Error): void {
    budget.left -= bytes;
    if (budget.left < 0) throw tooLarge();
  }

  private async atLeast(length: number): Promise<boolean> {
    while (this.buffer.length < length) if (!(await this.pull())) return false;
    return true;
  }

  async skipPreamble(budget: Budget, tooLarge: () => S3Error): Promise<void> {
    await this.until(this.delimiter, budget, tooLarge);
  }

  untilDelimiter(budget: Budget, tooLarge: () => S3Error): Promise<Buffer> {
    return this.until(this.delimiter, budget, tooLarge);
  }

  /** Right after a delimiter: true for the close (`--`), else consumes the rest of the delimiter line. */
  async closesAfterDelimiter(budget: Budget, tooLarge: () => S3Error): Promise<boolean> {
    if (!(await this.atLeast(2))) throw malformed('the body ended after a boundary');
    if (this.buffer[0] === 0x2d && this.buffer[1] === 0x2d) return true;
    const padding = await this.until(CRLF, budget, tooLarge);
    if (!/^[ \t]*$/.test(padding.toString('latin1'))) throw malformed('text after a boundary');
    return false;
  }

  /** A part's header lines up to the empty line: lower-case names → values (UTF-8). */
  async partHeaders(budget: Budget, tooLarge: () => S3Error): Promise<Map<string, string>> {
    const headers = new Map<string, string>();
    for (;;) {
      const line = (await this.until(CRLF, budget, tooLarge)).toString('utf8');
      if (line === '') return headers;
      const colon = line.indexOf(':');
      if (colon <= 0) throw malformed('a part header without a name');
      headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
  }

  /** The file's content as it arrives; then the rest of the form, read and dropped (bounded). */
  async *fileBody(trailingLimit: number): AsyncGenerator<Uint8Array> {
    const keep = this.delimiter.length - 1;
    for (;;) {
      const at = this.buffer.indexOf(this.delimiter);
      if (at !== -1) {
        if (at > 0) yield this.buffer.subarray(0, at);
        this.buffer = this.buffer.subarray(at + this.delimiter.length);
        break;
      }
      if (this.buffer.length > keep) {
        const safe = this.buffer.subarray(0, this.buffer.length - keep);
        this.buffer = this.buffer.subarray(this.buffer.length - keep);
        yield safe;
      }
      if (!(await this.pull())) throw malformed('the body ended inside the file');
    }
    await this.skipRest(trailingLimit);
  }

  /** Parts after the file are ignored (as S3 does), but the form must still close properly. */
  private async skipRest(trailingLimit: number): Promise<void> {
    const budget = { left: trailingLimit };
    const tooLarge = () => malformed(`more than ${trailingLimit} bytes follow the file`);
    while (!(await this.closesAfterDelimiter(budget, tooLarge))) {
      await this.partHeaders(budget, tooLarge);
      await this.until(this.delimiter, budget, tooLarge);
    }
    // The epilogue after the close delimiter is ignored, within the same bound.
    this.charge(budget, this.buffer.length, tooLarge);
    while (await this.pull()) {
      this.charge(budget, this.buffer.length, tooLarge);
      this.buffer = Buffer.alloc(0);
    }
  }
}

interface Disposition {
  readonly name: string;
  readonly filename: string | undefined;
}

/** `form-data; name="key"; filename="a.txt"` → its name and filename; MalformedPOSTRequest without `form-data` and a name. */
export function parseDisposition(value: string | undefined): Disposition {
  if (value === undefined) throw malformed('a part without Content-Disposition');
  const semicolon = value.indexOf(';');
  const type = (semicolon === -1 ? value : value.slice(0, semicolon)).trim().toLowerCase();
  if (type !== 'form-data') throw malformed(`a part of disposition "${type}"`);
  const parameters = new Map<string, string>();
  const pattern = /;\s*([^\s=;]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
  for (const match of value.slice(semicolon === -1 ? value.length : semicolon).matchAll(pattern)) {
    const name = match[1]!.toLowerCase();
    const text = match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : match[3]!.trim();
    if (!parameters.has(name)) parameters.set(name, text);
  }
  const name = parameters.get('name');
  if (name === undefined) throw malformed('a part without a field name');
  return { name, filename: parameters.get('filename') };
}
