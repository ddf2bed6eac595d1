import busboy from 'busboy';
import type { Request } from 'express';
import type { Readable } from 'node:stream';
import { AppError, ErrorCode } from '../../lib/errors';
import type { StagedContent } from '../../lib/storage';

/** A multipart request body of one file field (see RouteDef.multipart). */
export interface MultipartOptions {
  /** Name of the file parts, e.g. `file`; any other part is refused. */
  field: string;
  /** Most file parts in one request. */
  maxFiles: number;
  /** Largest accepted file, in bytes; reading stops as soon as a file passes it (413). */
  maxFileBytes: number;
  /** Accepted content types, for the OpenAPI document (the handler decides). */
  contentTypes?: readonly string[];
  /**
   * Where each file streams while it arrives (lib/storage.ts `stage`: a temporary file in the
   * storage folder, hashed on the way), so memory does not grow with the size or number of files.
   */
  stage(source: Readable): Promise<StagedContent>;
}

export interface UploadedFile {
  /** The file name the client sent, without any folder part. */
  fileName: string;
  /** The part's declared Content-Type, lower case, without parameters (`text/plain` when absent, RFC 7578). */
  contentType: string;
  /**
   * The content, staged on disk: its size, SHA-256 and first bytes (for type sniffing). The handler
   * keeps it (`storage.keep`); whatever is not kept is discarded when the response is over.
   */
  staged: StagedContent;
}

const invalid = (field: string, rule: string, message: string) =>
  new AppError(ErrorCode.VALIDATION_FAILED, '请求参数校验失败 / request validation failed', [{ field, rule, message }]);

/** Control characters (C0, DEL, C1) are refused in file names; a name is also at most 255 characters. */
// eslint-disable-next-line no-control-regex -- that is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Reads a multipart/form-data body, streaming each file to `opts.stage` (a temporary file, hashed
 * on the way) and enforcing the limits while streaming: past `maxFileBytes` the request is answered
 * 413 at once and the rest of it is discarded unread. On any refusal the staged files are removed;
 * those the handler does not keep are removed once the response is over.
 */
export function readMultipart(req: Request, opts: MultipartOptions): Promise<UploadedFile[]> {
  const field = `body.${opts.field}`;
  const contentType = req.headers['content-type'];
  if (typeof contentType !== 'string' || !/^multipart\/form-data\s*;/i.test(contentType)) {
    return Promise.reject(invalid(field, 'multipart', `expected a multipart/form-data body with one or more "${opts.field}" file parts`));
  }
  const encoding = req.headers['content-encoding'];
  if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') {
    return Promise.reject(new AppError(ErrorCode.VALIDATION_FAILED, '不支持的编码 / unsupported encoding'));
  }
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: req.headers,
      // Browsers send UTF-8 file names as raw bytes (filename="整改报告.pdf"); filename* is decoded as declared.
      defParamCharset: 'utf8',
      // One byte over the limit tells "too large" apart from "exactly the limit".
      limits: { files: opts.maxFiles, fileSize: opts.maxFileBytes + 1, fields: 10, fieldSize: 1024, fieldNameSize: 100, parts: opts.maxFiles + 10, headerPairs: 20 },
    });
  } catch {
    return Promise.reject(invalid(field, 'multipart', 'malformed multipart/form-data content type (no boundary?)'));
  }

  const staged: StagedContent[] = [];
  const discardAll = () => Promise.all(staged.map((s) => s.discard())).then(() => undefined);
  // Whatever the handler did not keep goes when the response is over (answered, refused, cut off).
  req.res?.once('close', () => void discardAll());

  return new Promise<UploadedFile[]>((resolve, reject) => {
    /** By part number: staging may finish out of order, the files keep the order they came in. */
    const files: (UploadedFile | undefined)[] = [];
    const pending: Promise<unknown>[] = [];
    const streams: Readable[] = [];
    let settled = false;
    const fail = (err: AppError) => {
      if (settled) return;
      settled = true;
      // Files still streaming stop (their staging removes its temporary file); finished ones go too.
      for (const s of streams) s.destroy();
      void Promise.allSettled(pending).then(discardAll);
      // Stop parsing; what the client still sends is read and dropped (never buffered). The parser
      // is destroyed once its current callback has returned: busboy touches its state after emitting.
      req.unpipe(parser);
      req.resume();
      setImmediate(() => parser.destroy());
      reject(err);
    };

    parser.on('file', (name, stream, info) => {
      stream.on('error', () => fail(invalid(field, 'multipart', 'malformed multipart/form-data body')));
      if (settled || name !== opts.field) {
        stream.resume();
        if (name !== opts.field) fail(invalid('body', `unrecognized_keys:${name}`, `unexpected part "${name}"; files go in "${opts.field}"`));
        return;
      }
      const fileName = (info.filename ?? '').trim();
      if (fileName === '' || fileName.length > 255 || CONTROL.test(fileName)) {
        stream.resume();
        fail(invalid(field, 'file_name', 'each file needs a name of 1 to 255 characters without control characters'));
        return;
      }
      const index = streams.push(stream) - 1;
      const contentType = info.mimeType.toLowerCase();
      pending.push(
        opts.stage(stream).then(
          (content) => {
            staged.push(content);
            if (settled) void content.discard();
            else if (!stream.truncated) files[index] = { fileName, contentType, staged: content };
          },
          () => fail(invalid(field, 'multipart', 'the file could not be received')),
        ),
      );
      stream.on('limit', () => {
        fail(
          new AppError(ErrorCode.PAYLOAD_TOO_LARGE, `文件过大 / file too large: at most ${opts.maxFileBytes} bytes`, [
            { field, rule: 'max_size', message: `"${fileName}" is larger than ${opts.maxFileBytes} bytes` },
          ]),
        );
      });
    });
    parser.on('field', (name) => {
      if (name === opts.field) fail(invalid(field, 'file', `"${opts.field}" parts must be files (with a file name)`));
      else fail(invalid('body', `unrecognized_keys:${name}`, `unexpected part "${name}"; files go in "${opts.field}"`));
    });
    parser.on('filesLimit', () => fail(invalid(field, 'max_files', `at most ${opts.maxFiles} files per request`)));
    parser.on('fieldsLimit', () => fail(invalid('body', 'multipart', 'too many parts')));
    parser.on('partsLimit', () => fail(invalid('body', 'multipart', 'too many parts')));
    parser.on('error', () => fail(invalid(field, 'multipart', 'malformed multipart/form-data body')));
    parser.on('close', () => {
      if (settled) return;
      // Every part is parsed; wait for the last bytes to reach the disk.
      void Promise.all(pending).then(() => {
        if (settled) return;
        settled = true;
        const received = files.filter((f): f is UploadedFile => f !== undefined);
        if (received.length === 0) reject(invalid(field, 'required', `at least one "${opts.field}" file part is required`));
        else resolve(received);
      });
    });
    req.on('error', () => fail(invalid(field, 'multipart', 'the request body could not be read')));
    req.on('close', () => {
      if (!req.complete) fail(invalid(field, 'multipart', 'the request ended before its body'));
    });
    req.pipe(parser);
  });
}
