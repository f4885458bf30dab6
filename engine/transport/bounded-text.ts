/**
 * Reads a body stream as UTF-8 text, up to `maxBytes`: a larger one is refused (the stream is
 * cancelled and `tooLarge()` thrown) rather than buffered. For remote responses and for
 * requests to the server alike.
 */
export async function readBoundedText(body: ReadableStream<Uint8Array> | null, maxBytes: number, tooLarge: () => Error): Promise<string> {
  if (!body) return '';
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let size = 0;
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}

/** A response that reads its own body, bounded, without a web stream (createNodeFetch's). */
export const boundedBody: unique symbol = Symbol.for('unimap.boundedBody');

export interface BoundedBodySource {
  read(maxBytes: number, tooLarge: () => Error): Promise<string>;
  /** Stops the body unread. */
  cancel(): void;
}

function ownBody(response: Response): BoundedBodySource | undefined {
  return (response as Response & { [boundedBody]?: BoundedBodySource })[boundedBody];
}

/** A response body as text, up to `maxBytes`, through the response's own reader when it has one. */
export function readResponseText(response: Response, maxBytes: number, tooLarge: () => Error): Promise<string> {
  const own = ownBody(response);
  return own ? own.read(maxBytes, tooLarge) : readBoundedText(response.body, maxBytes, tooLarge);
}

/** Drops a response body unread. */
export async function cancelResponseBody(response: Response): Promise<void> {
  const own = ownBody(response);
  if (own) own.cancel();
  else await response.body?.cancel().catch(() => undefined);
}
