/**
 * Reads a Node stream as UTF-8 text (a leading BOM dropped, as `Response.text()` does), up to
 * `maxBytes`: beyond, it stops listening and rejects with `tooLarge()`; `onTooLarge` decides what
 * happens to the rest of the stream. Node only: the server adapter's request bodies and
 * createNodeFetch's response bodies, without a web stream per body.
 */
import type { Readable } from 'node:stream';

// One decoder for all bodies: a whole-buffer decode keeps no state between calls.
const utf8 = new TextDecoder();

export function readNodeText(stream: Readable, maxBytes: number, tooLarge: () => Error, onTooLarge?: () => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        cleanup();
        onTooLarge?.();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(utf8.decode(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
  });
}
