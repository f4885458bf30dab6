/**
 * XML in and out, for remote APIs that speak XML (e.g. Jamf Pro's Classic API).
 * Portable: no Node built-ins, so it runs on Workers, Deno and browsers too.
 *
 * Parsing (`parseXml`) — XML text to plain JSON data:
 * - The document root element is kept as the top-level key: `<user>…</user>` → `{ user: {…} }`.
 * - Element text stays a string; nothing is guessed as a number or boolean (`<id>042</id>` → `"042"`).
 *   Mappings convert explicitly (`$number(id)`, `active = "true"`).
 * - Leading and trailing whitespace of text and attribute values is trimmed (so indented XML parses
 *   the same as compact XML).
 * - Attributes are kept under `@_name` keys, as strings: `<site id="1"/>` → `{ site: { "@_id": "1" } }`.
 * - An element with attributes and text keeps its text under `#text`; mixed content (text between
 *   child elements) is joined into one `#text` string.
 * - Empty elements (`<custom_photo_url/>`, `<x></x>`) become `""`.
 * - Repeated sibling elements become an array; a single one stays an object or string. So
 *   `<users><user>…</user></users>` gives `users.user` as an object for one user and an array for
 *   two: mappings use `$toArray(users.user)` (or JSONata's `[]` path suffix) for lists.
 * - The XML declaration `<?xml …?>`, other processing instructions and comments are dropped.
 *   CDATA sections become ordinary text (not entity-decoded).
 * - Namespace prefixes are kept as part of the name (`<ns:tag>` → key `"ns:tag"`).
 * - A leading byte-order mark is ignored.
 *
 * Parsing safety:
 * - The input is validated first (`XMLValidator.validate`); malformed input (unclosed or mismatched
 *   tags, text outside the root, several roots, garbage, HTML void tags such as `<br>`) throws
 *   XmlParseError instead of returning half a result. Well-formed XHTML parses like any XML
 *   (`<html><body><p>Error: …</p></body></html>` → `{ html: { body: { p: "Error: …" } } }`).
 * - Only the five predefined entities (`&lt; &gt; &amp; &quot; &apos;`) and numeric character
 *   references (`&#65;`, `&#x41;`) are decoded, in one pass (`&amp;lt;` → `&lt;`, not `<`).
 *   Any other reference (`&nbsp;`, a numeric reference to a character XML forbids such as `&#0;`)
 *   is left as literal text. Nothing is ever resolved from outside the document.
 * - Any document containing the text `<!ENTITY` (an entity declaration; even inside a comment or
 *   CDATA, to keep the check simple) is refused, so billion-laughs and external-entity (XXE)
 *   documents fail fast. A DOCTYPE without entity declarations is allowed
 *   and ignored.
 * - Element names `__proto__`, `constructor` and `prototype` are refused (XmlParseError); attribute
 *   keys always carry the `@_` prefix (`@___proto__` is an ordinary key). Element names that shadow
 *   Object.prototype methods (`hasOwnProperty`, `toString`, `valueOf`, `__defineGetter__`, …) get a
 *   `__` prefix (`<toString>` → key `"__toString"`). No result object can touch a prototype.
 * - Input longer than `maxBytes` UTF-8 bytes (default 10 MiB) and element nesting deeper than
 *   `maxDepth` (default 100; the root element is depth 1) are refused with XmlParseError.
 *
 * Serialising (`toXml`) — JSON value to XML text under a named root element:
 * - Output starts with `<?xml version="1.0" encoding="UTF-8"?>` and is not pretty-printed; the same
 *   value always gives the same text (keys in object order).
 * - Strings, finite numbers, booleans and bigints are written as text; `null` and `undefined`
 *   properties (and array items) are omitted; `{}` and `""` give an empty element `<x></x>`.
 * - Arrays repeat the element: `{ site: [{ id: 1 }, { id: 2 }] }` →
 *   `<site><id>1</id></site><site><id>2</id></site>`; an empty array writes nothing.
 * - Keys starting `@_` become attributes (their value must be a string, number, boolean or bigint);
 *   a `#text` key is the element's text next to attributes or children (as `parseXml` produces).
 * - Text escapes `& < > " '` (and CR as `&#13;` so it survives XML line-end normalisation);
 *   attribute values also escape TAB and LF (`&#9;`, `&#10;`) so they survive attribute-value
 *   normalisation.
 * - Refused with an Error: element or attribute names that are not XML names (including the root
 *   name), the names `__proto__`, `constructor`, `prototype`, arrays of arrays, an array as the
 *   root value, NaN/Infinity, characters XML 1.0 cannot carry (control characters other than TAB,
 *   LF, CR; lone surrogates; U+FFFE/U+FFFF), circular references, nesting deeper than 100, and any
 *   value that is not JSON data (functions, symbols, Dates, Maps, class instances).
 */
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import type { EntityDecoderOptions, X2jOptions } from 'fast-xml-parser';

export interface XmlLimits {
  /** Largest accepted input, in UTF-8 bytes. Default 10 MiB. */
  maxBytes?: number;
  /** Deepest accepted element nesting; the root element is depth 1. Default 100. */
  maxDepth?: number;
}

export const DEFAULT_XML_MAX_BYTES = 10 * 1024 * 1024;
export const DEFAULT_XML_MAX_DEPTH = 100;

/** Malformed, oversized, too deep or unsafe XML input. `snippet` is a short, single-line excerpt of the input near the problem. */
export class XmlParseError extends Error {
  readonly snippet: string;

  constructor(message: string, snippet: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'XmlParseError';
    this.snippet = snippet;
  }
}

const ATTR_PREFIX = '@_';
const TEXT_KEY = '#text';
const SNIPPET_LENGTH = 80;

/** Names refused both ways: as object keys they would reach or replace a prototype. */
const RESERVED_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

// XML 1.0 (5th edition) Name production; colons allowed, so `xmlns:x` and `ns:tag` pass.
const NAME_START = ':A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}';
const NAME_CHAR = `${NAME_START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F\\u2040`;
const XML_NAME = new RegExp(`^[${NAME_START}][${NAME_CHAR}]*$`, 'u');

// Characters XML 1.0 cannot carry, even escaped: C0 controls other than TAB/LF/CR, lone surrogates, U+FFFE/U+FFFF.
const FORBIDDEN_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

const PREDEFINED_ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
// Digits unbounded (leading zeros are legal); an out-of-range value simply fails isXmlChar.
const REFERENCE = /&(?:#([0-9]+)|#x([0-9A-Fa-f]+)|(lt|gt|amp|quot|apos));/g;

function isXmlChar(codePoint: number): boolean {
  return (
    codePoint === 0x9 ||
    codePoint === 0xa ||
    codePoint === 0xd ||
    (codePoint >= 0x20 && codePoint <= 0xd7ff) ||
    (codePoint >= 0xe000 && codePoint <= 0xfffd) ||
    (codePoint >= 0x10000 && codePoint <= 0x10ffff)
  );
}

/**
 * Replaces the library's entity decoder: knows only the five predefined entities and numeric
 * references, and ignores DOCTYPE-declared entities, so nothing can expand (defence in depth
 * behind the `<!ENTITY` refusal). Stateless, so one instance serves every parse.
 */
const entityDecoder: EntityDecoderOptions = {
  setExternalEntities: () => {},
  addInputEntities: () => {},
  reset: () => {},
  setXmlVersion: () => {},
  decode: (text) => {
    if (!text.includes('&')) return text;
    // One pass: a decoded `&` is never decoded again.
    return text.replace(REFERENCE, (whole, dec: string | undefined, hex: string | undefined, name: string | undefined) => {
      if (name !== undefined) return PREDEFINED_ENTITIES[name] ?? whole;
      const codePoint = dec !== undefined ? Number.parseInt(dec, 10) : Number.parseInt(hex ?? '', 16);
      return isXmlChar(codePoint) ? String.fromCodePoint(codePoint) : whole;
    });
  },
};

function parserOptions(maxDepth: number): X2jOptions {
  return {
    ignoreAttributes: false,
    attributeNamePrefix: ATTR_PREFIX,
    textNodeName: TEXT_KEY,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    ignoreDeclaration: true,
    ignorePiTags: true,
    removeNSPrefix: false,
    allowBooleanAttributes: false,
    unpairedTags: [],
    stopNodes: [],
    cdataPropName: false,
    commentPropName: false,
    alwaysCreateTextNode: false,
    htmlEntities: false,
    // Must stay on for our decoder to run; the decoder decides what is expanded.
    processEntities: true,
    entityDecoder,
    // Safety net only: the library counts a little differently, the exact check is checkDepth().
    maxNestedTags: maxDepth,
    strictReservedNames: true, // refuse elements named `#text`
    jPath: false, // none of our callbacks reads the path; saves building a path string per node
  };
}

/** UTF-8 length of `text`, stopping early once it passes `limit`. */
function exceedsUtf8Bytes(text: string, limit: number): boolean {
  if (text.length > limit) return true; // every UTF-16 unit is at least one byte
  if (text.length * 3 <= limit) return false; // and at most three (a surrogate pair is 4 bytes for 2 units)
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    bytes += unit < 0x80 ? 1 : unit < 0x800 ? 2 : unit >= 0xd800 && unit <= 0xdfff ? 2 : 3;
    if (bytes > limit) return true;
  }
  return false;
}

/** A short single-line excerpt of `text` starting a little before `offset`. */
function snippetAt(text: string, offset = 0): string {
  const start = Math.max(0, Math.min(offset, text.length) - 20);
  const raw = text.slice(start, start + SNIPPET_LENGTH * 2).replace(/\s+/g, ' ');
  const cut = raw.length > SNIPPET_LENGTH ? `${raw.slice(0, SNIPPET_LENGTH)}…` : raw;
  return start > 0 ? `…${cut}` : cut;
}

/** Offset of a 1-based line/column position as reported by the validator. */
function offsetOf(text: string, line: number, col: number | undefined): number {
  let offset = 0;
  for (let current = 1; current < line; current++) {
    const next = text.indexOf('\n', offset);
    if (next === -1) break;
    offset = next + 1;
  }
  return offset + Math.max(0, (col ?? 1) - 1);
}

function positiveLimit(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 1) throw new RangeError(`XmlLimits.${name} must be a positive number, got ${String(value)}`);
  return Math.floor(value);
}

/** Walks the parsed tree without recursion and refuses element nesting deeper than `maxDepth`. */
function checkDepth(root: unknown, maxDepth: number, text: string): void {
  // Each entry: a value and the depth of the element that holds it (top-level keys are depth 1).
  const stack: Array<[unknown, number]> = [[root, 0]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop() as [unknown, number];
    if (Array.isArray(value)) {
      for (const item of value) stack.push([item, depth]);
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, child] of Object.entries(value)) {
        if (key === TEXT_KEY || key.startsWith(ATTR_PREFIX)) continue;
        if (depth + 1 > maxDepth) {
          throw new XmlParseError(`XML nesting is deeper than maxDepth (${maxDepth})`, snippetAt(text, text.indexOf(`<${key}`)));
        }
        stack.push([child, depth + 1]);
      }
    }
  }
}

// A self-closing start tag: name, quoted attributes, `/>`. Attribute values cannot hold `<`.
const SELF_CLOSING_TAG = /^<[^\s/<>]+(?:\s+[^\s=<>]+\s*=\s*(?:"[^"<]*"|'[^'<]*'))*\s*\/>$/;
const CLOSING_TAG = /^<\/[^<>]+>$/;

/**
 * The validator misses two things after a self-closing root (`<a/><b/>`, `<a/>trailing`), and the
 * parser then silently keeps or drops the extra: so require exactly one root element, and that the
 * document ends with a tag followed only by comments, processing instructions and whitespace.
 */
function checkSingleRoot(result: unknown, xml: string): void {
  const keys = typeof result === 'object' && result !== null ? Object.keys(result) : [];
  const root = keys.length === 1 ? (result as Record<string, unknown>)[keys[0]] : undefined;
  if (keys.length !== 1 || keys[0] === TEXT_KEY || Array.isArray(root)) {
    throw new XmlParseError(`Malformed XML: expected exactly one root element, found ${keys.length === 0 ? 'none' : 'several or stray text'}`, snippetAt(xml));
  }
  let end = xml.length;
  for (;;) {
    while (end > 0 && ' \t\r\n'.includes(xml[end - 1])) end--;
    const tail = xml.slice(Math.max(0, end - 3), end);
    if (tail === '-->') end = xml.lastIndexOf('<!--', end - 3);
    else if (tail.endsWith('?>')) end = xml.lastIndexOf('<?', end - 2);
    else break;
    if (end < 0) break;
  }
  const lastTag = end > 0 ? xml.slice(xml.lastIndexOf('<', end - 1), end) : '';
  if (!CLOSING_TAG.test(lastTag) && !SELF_CLOSING_TAG.test(lastTag)) {
    throw new XmlParseError('Malformed XML: text after the root element', snippetAt(xml, Math.max(0, end - 20)));
  }
}

/** Parses XML into plain JSON data; throws XmlParseError (with a short `snippet` of the input) for malformed or oversized input. */
export function parseXml(text: string, limits: XmlLimits = {}): unknown {
  if (typeof text !== 'string') throw new TypeError(`parseXml expects a string, got ${typeof text}`);
  const maxBytes = positiveLimit(limits.maxBytes, DEFAULT_XML_MAX_BYTES, 'maxBytes');
  const maxDepth = positiveLimit(limits.maxDepth, DEFAULT_XML_MAX_DEPTH, 'maxDepth');

  if (exceedsUtf8Bytes(text, maxBytes)) {
    throw new XmlParseError(`XML input is larger than maxBytes (${maxBytes} bytes)`, snippetAt(text));
  }
  const xml = text.startsWith('\uFEFF') ? text.slice(1) : text;

  const entityAt = xml.indexOf('<!ENTITY');
  if (entityAt !== -1) {
    throw new XmlParseError('XML entity declarations (<!ENTITY …>) are not supported', snippetAt(xml, entityAt));
  }

  const validation = XMLValidator.validate(xml, { allowBooleanAttributes: false, unpairedTags: [] });
  if (validation !== true) {
    const { msg, line, col } = validation.err;
    throw new XmlParseError(`Malformed XML: ${msg} (line ${line}${col === undefined ? '' : `, column ${col}`})`, snippetAt(xml, offsetOf(xml, line, col)));
  }

  let result: unknown;
  try {
    result = new XMLParser(parserOptions(maxDepth)).parse(xml);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const detail = /nested tags/i.test(message) ? `XML nesting is deeper than maxDepth (${maxDepth})` : `Malformed XML: ${message}`;
    throw new XmlParseError(detail, snippetAt(xml), { cause: error });
  }
  checkSingleRoot(result, xml);
  checkDepth(result, maxDepth, xml);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Serialising
// ---------------------------------------------------------------------------------------------

/** Escaped text ready for the builder, which runs with its own escaping off. */
type Built = string | Built[] | { [key: string]: Built };

const TEXT_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#13;' };
const ATTR_ESCAPES: Readonly<Record<string, string>> = { ...TEXT_ESCAPES, '\n': '&#10;', '\t': '&#9;' };

// The builder's own escaping is off: we escape here so text and attribute values get the
// context-specific escapes above, all in one place.
const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: ATTR_PREFIX,
  textNodeName: TEXT_KEY,
  format: false,
  processEntities: false,
  suppressEmptyNode: false,
  suppressBooleanAttributes: false,
  unpairedTags: [],
  stopNodes: [],
  cdataPropName: false,
  commentPropName: false,
  oneListGroup: false,
  // Our own depth check (DEFAULT_XML_MAX_DEPTH) fires first; this is the library's safety net.
  maxNestedTags: DEFAULT_XML_MAX_DEPTH + 1,
});

function checkName(name: string, what: string, path: string): void {
  if (!XML_NAME.test(name)) throw new Error(`toXml: ${what} ${JSON.stringify(name)} at ${path} is not a valid XML name`);
  if (RESERVED_NAMES.has(name)) throw new Error(`toXml: ${what} ${JSON.stringify(name)} at ${path} is reserved and refused`);
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Text for a primitive, or undefined when `value` is not a primitive that XML can carry as text. */
function primitiveText(value: unknown, path: string): string | undefined {
  switch (typeof value) {
    case 'string':
      if (FORBIDDEN_CHAR.test(value)) throw new Error(`toXml: the string at ${path} contains a character XML 1.0 cannot carry`);
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw new Error(`toXml: ${String(value)} at ${path} cannot be written as XML text`);
      return String(value);
    case 'boolean':
    case 'bigint':
      return String(value);
    default:
      return undefined;
  }
}

function escape(text: string, escapes: Readonly<Record<string, string>>): string {
  return text.replace(/[&<>"'\r\n\t]/g, (ch) => escapes[ch] ?? ch);
}

/** Validates and escapes one element's content: a primitive becomes escaped text, a plain object becomes a builder node. */
function buildContent(value: unknown, path: string, depth: number, ancestors: Set<object>): Built {
  const text = primitiveText(value, path);
  if (text !== undefined) return escape(text, TEXT_ESCAPES);
  if (value === null || value === undefined) return '';
  if (typeof value !== 'object' || Array.isArray(value) || !isPlainObject(value)) {
    const kind = Array.isArray(value) ? 'an array (arrays are only allowed as a property value, where they repeat the element)' : typeof value === 'object' ? `a ${value.constructor?.name ?? 'non-plain'} object` : `a ${typeof value}`;
    throw new Error(`toXml: the value at ${path} is ${kind}, which cannot be written as XML`);
  }
  if (ancestors.has(value)) throw new Error(`toXml: circular reference at ${path}`);
  ancestors.add(value);

  const node: { [key: string]: Built } = {};
  for (const [key, child] of Object.entries(value)) {
    if (child === null || child === undefined) continue;
    const childPath = `${path}.${key}`;
    if (key === TEXT_KEY || key.startsWith(ATTR_PREFIX)) {
      const isAttr = key !== TEXT_KEY;
      if (isAttr) checkName(key.slice(ATTR_PREFIX.length), 'attribute name', childPath);
      const childText = primitiveText(child, childPath);
      if (childText === undefined) throw new Error(`toXml: ${isAttr ? 'attribute' : TEXT_KEY} value at ${childPath} must be a string, number, boolean or bigint`);
      node[key] = escape(childText, isAttr ? ATTR_ESCAPES : TEXT_ESCAPES);
      continue;
    }
    checkName(key, 'element name', childPath);
    if (depth + 1 > DEFAULT_XML_MAX_DEPTH) throw new Error(`toXml: nesting at ${childPath} is deeper than ${DEFAULT_XML_MAX_DEPTH}`);
    if (Array.isArray(child)) {
      const items: Built[] = [];
      child.forEach((item: unknown, index) => {
        if (item === null || item === undefined) return;
        if (Array.isArray(item)) throw new Error(`toXml: ${childPath}[${index}] is an array inside an array, which has no XML form`);
        items.push(buildContent(item, `${childPath}[${index}]`, depth + 1, ancestors));
      });
      node[key] = items;
    } else {
      node[key] = buildContent(child, childPath, depth + 1, ancestors);
    }
  }
  ancestors.delete(value);
  return node;
}

/** Serialises a JSON value as XML under `root` (e.g. toXml({name:'jdoe', sites:{site:[{id:1},{id:2}]}}, 'user')). */
export function toXml(value: unknown, root: string): string {
  checkName(root, 'root element name', root);
  const content = buildContent(value, root, 1, new Set());
  // The builder is typed `any` in; `Built` is exactly what it expects (pre-escaped strings, arrays, plain objects).
  return `<?xml version="1.0" encoding="UTF-8"?>${builder.build({ [root]: content })}`;
}
