import { describe, expect, test } from 'vitest';
import { base64 } from '../../engine/transport/base64.js';
import { REDACTED, Redactor } from '../../engine/transport/redact.js';

describe('base64', () => {
  test.each(['', 'a', 'sandbox-token', 'user:pa ss', 'pässwörd', 'tok€n', '😀 emoji'])('%j matches Node’s UTF-8 Base64', (text) => {
    expect(base64(text)).toBe(Buffer.from(text, 'utf8').toString('base64'));
  });
});

describe('Redactor', () => {
  test.each([
    ['a plain token', 'abcDEF123._-*'],
    ['a token with URL-special characters', 'ab+c/d=e~f!g'],
    ['a password with a space and non-ASCII', 'pa ss wörd'],
  ])('redacts %s as is, URL-encoded, form-encoded and in Base64', (_name, secret) => {
    const redactor = new Redactor([secret]);
    const forms = [secret, encodeURIComponent(secret), new URLSearchParams({ s: secret }).toString().slice(2), base64(secret)];
    for (const form of forms) expect(redactor.text(`before ${form} after`)).toBe(`before ${REDACTED} after`);
  });
});
