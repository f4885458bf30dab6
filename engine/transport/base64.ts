const ascii = /^[\x00-\x7f]*$/;

/** Base64 of a string's UTF-8 bytes, with web APIs only (no Buffer: the core runs on Workers). */
export function base64(text: string): string {
  // ASCII text is its own UTF-8: btoa takes it as is.
  if (ascii.test(text)) return btoa(text);
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}
