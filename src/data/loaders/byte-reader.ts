import { createReadStream, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { FileFormatError } from '../../core/errors.js';
import { requireMemory } from '../../core/limits.js';
import { fileReadError, specialFileError, specialFileProblem } from '../../io/user-file.js';

const GZIP_MAGIC = [0x1f, 0x8b];
const CHUNK_BYTES = 1 << 20;

/**
 * Sequential reader of one file's bytes, transparently gunzipping files that start with the gzip magic. It keeps
 * count of the byte offset it has reached (in the decompressed stream for .gz files), so that every format error
 * can say where the file went wrong. Data flow through in chunks of about 1 MiB: a caller copies (or converts)
 * them straight into its own preallocated array, so no file is ever held in memory twice.
 */
export class ByteReader {
  private chunk: Buffer = Buffer.alloc(0);
  private position = 0;
  private consumed = 0;

  private constructor(
    readonly file: string,
    readonly compressed: boolean,
    private readonly chunks: AsyncIterator<Buffer>,
    private readonly source: NodeJS.ReadableStream & { destroy(): void },
    private readonly raw: { readonly bytesRead: number },
    /** The file's length in bytes when it is a regular file; undefined for a pipe. */
    private readonly size: number | undefined,
  ) {}

  static async open(file: string): Promise<ByteReader> {
    const stats = await requireReadableDataFile(file);
    const compressed = await startsWithGzipMagic(file);
    const raw = createReadStream(file, { highWaterMark: CHUNK_BYTES });
    const stream = compressed ? raw.pipe(createGunzip({ chunkSize: CHUNK_BYTES })) : raw;
    if (compressed) raw.on('error', (error) => stream.destroy(error));
    const chunks = stream[Symbol.asyncIterator]();
    // The iterator reports the first error; zlib can emit more while the pipe winds down, which must not crash.
    stream.on('error', () => undefined);
    return new ByteReader(file, compressed, chunks, stream, raw, stats.isFile() ? stats.size : undefined);
  }

  /**
   * Checks a size a header declares before anything is allocated for it: an uncompressed file must hold the
   * `bytes` bytes that follow (else a FileFormatError saying how many it has), and the values, stored as
   * `allocatedBytes`, must fit basin's memory limit (named by the file). Gzipped files and pipes tell their length
   * only by being read, so for them only the memory limit applies.
   */
  requireDeclared(bytes: number, allocatedBytes: number, what: string): void {
    if (!this.compressed && this.size !== undefined && this.consumed + bytes > this.size) {
      // The words of a read that runs out (readPieces), said before the allocation instead of after it.
      throw new FileFormatError(
        this.file,
        `truncated at byte offset ${this.size}: ${what} needs ${bytes} bytes from ${this.describeOffset()}`,
      );
    }
    requireMemory(this.file, `${what} (${bytes} bytes as stored)`, allocatedBytes);
  }

  /** Byte offset of the next unread byte (in the decompressed stream for gzipped files). */
  get offset(): number {
    return this.consumed;
  }

  /** Where the next byte is, in words for error messages. */
  describeOffset(offset = this.consumed): string {
    return this.compressed ? `byte offset ${offset} of the decompressed data` : `byte offset ${offset}`;
  }

  /** Exactly `length` bytes (copied), or a FileFormatError saying the file ends too early while reading `what`. */
  async readExact(length: number, what: string): Promise<Buffer> {
    const out = Buffer.alloc(length);
    let filled = 0;
    await this.readPieces(length, what, (piece) => {
      piece.copy(out, filled);
      filled += piece.length;
    });
    return out;
  }

  /**
   * Hands the next `length` bytes to `sink` in pieces, each with the offset of its first byte relative to the
   * start of this call. The pieces are views into the reader's buffer: copy what you keep.
   */
  async readPieces(
    length: number,
    what: string,
    sink: (piece: Buffer, start: number) => void,
  ): Promise<void> {
    const startOffset = this.consumed;
    let done = 0;
    while (done < length) {
      if (this.position === this.chunk.length && !(await this.nextChunk())) {
        throw new FileFormatError(
          this.file,
          `truncated at ${this.describeOffset()}: ${what} needs ${length} bytes from ${this.describeOffset(startOffset)}` +
            `, the file ends after ${done}`,
        );
      }
      const take = Math.min(length - done, this.chunk.length - this.position);
      sink(this.chunk.subarray(this.position, this.position + take), done);
      this.position += take;
      this.consumed += take;
      done += take;
    }
  }

  /** Throws unless the file ends here; trailing bytes mean the header and the data disagree. */
  async expectEnd(what: string): Promise<void> {
    if (this.position < this.chunk.length || (await this.nextChunk())) {
      throw new FileFormatError(
        this.file,
        `unexpected extra data at ${this.describeOffset()}: the file should end after ${what}`,
      );
    }
  }

  close(): void {
    this.source.destroy();
  }

  private async nextChunk(): Promise<boolean> {
    let result: IteratorResult<Buffer>;
    try {
      result = await this.chunks.next();
    } catch (error) {
      throw this.describeStreamError(error);
    }
    if (result.done) return false;
    this.chunk = result.value;
    this.position = 0;
    return this.chunk.length > 0 || this.nextChunk();
  }

  private describeStreamError(error: unknown): Error {
    const message = error instanceof Error ? error.message : String(error);
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES')
      return describeOpenError(this.file, error);
    if (this.compressed && code === 'Z_BUF_ERROR') {
      return new FileFormatError(
        this.file,
        `truncated gzip stream: the compressed data end at byte offset ${this.raw.bytesRead} before the ` +
          `end-of-stream marker (read up to ${this.describeOffset()})`,
      );
    }
    if (this.compressed && code?.startsWith('Z_')) {
      return new FileFormatError(
        this.file,
        `corrupt gzip data within the first ${this.raw.bytesRead} bytes of the file ` +
          `(read up to ${this.describeOffset()}): ${message}`,
      );
    }
    return new FileFormatError(this.file, `read failed at ${this.describeOffset()}: ${message}`);
  }
}

async function startsWithGzipMagic(file: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    throw describeOpenError(file, error);
  }
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
  } catch (error) {
    throw describeOpenError(file, error);
  } finally {
    await handle.close();
  }
}

/**
 * The file's stats when it is one a loader can read to its end; a FileFormatError for a device (`/dev/zero` would
 * be read forever), a socket or a directory, or a file that cannot be opened.
 */
export async function requireReadableDataFile(file: string, what = 'the data file'): Promise<Stats> {
  let stats;
  try {
    stats = await stat(file);
  } catch (error) {
    throw describeOpenError(file, error, what);
  }
  const problem = specialFileProblem(stats);
  if (problem !== undefined) throw specialFileError(file, what, problem);
  return stats;
}

/**
 * A FileFormatError for a data file (or directory, `what`) that cannot be opened or read at all, in the words of
 * every user file: `<file>: cannot read the data file (ENOENT: no such file)`.
 */
export function describeOpenError(file: string, error: unknown, what = 'the data file'): FileFormatError {
  return fileReadError(file, what, error);
}

/**
 * Calls `body` with an open reader and closes it afterwards, also when `body` throws.
 */
export async function withByteReader<T>(file: string, body: (reader: ByteReader) => Promise<T>): Promise<T> {
  const reader = await ByteReader.open(file);
  try {
    return await body(reader);
  } finally {
    reader.close();
  }
}
