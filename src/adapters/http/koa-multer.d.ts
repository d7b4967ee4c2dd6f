// @koa/multer ships no types; this declares the part of it the HTTP adapter uses.
declare module '@koa/multer' {
  import type { Middleware } from 'koa';

  namespace multer {
    interface File {
      fieldname: string;
      /** Client-supplied: never used. */
      originalname: string;
      encoding: string;
      mimetype: string;
      size: number;
      buffer: Buffer;
    }
    interface Limits {
      fieldNameSize?: number;
      fieldSize?: number;
      fields?: number;
      fileSize?: number;
      files?: number;
      parts?: number;
      headerPairs?: number;
    }
    interface StorageEngine {
      _handleFile(...args: unknown[]): void;
      _removeFile(...args: unknown[]): void;
    }
    interface Options {
      storage?: StorageEngine;
      limits?: Limits;
    }
    interface Instance {
      single(fieldName: string): Middleware;
    }
  }

  interface Multer {
    (options?: multer.Options): multer.Instance;
    memoryStorage(): multer.StorageEngine;
  }

  const multer: Multer;
  export = multer;
}
