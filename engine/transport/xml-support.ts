/**
 * XML support, loaded on first use: most vendors never send XML, and fast-xml-parser is about a
 * fifth of the engine's import time. The asynchronous steps that may meet XML load it first
 * (`loadXml`); the synchronous serializers and parsers then take it from here (`xmlSupport`).
 * Like a module cache, this holds code, never data.
 */
import type * as XmlModule from './xml.js';

let loaded: typeof XmlModule | undefined;

export async function loadXml(): Promise<typeof XmlModule> {
  return (loaded ??= await import('./xml.js'));
}

export function xmlSupport(): typeof XmlModule {
  // A programming error, not a user's: a step that can meet XML did not call loadXml() first.
  if (!loaded) throw new Error('XML support used before loadXml()');
  return loaded;
}
