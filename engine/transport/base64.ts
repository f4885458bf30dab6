/** Base64 of a string's UTF-8 bytes, with web APIs only (no Buffer: the core runs on Workers). */
export function base64(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}
