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
