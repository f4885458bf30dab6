// Helper functions registered on every JSONata expression of an integration.
// They must stay synchronous, pure and portable (Workers / Deno / browsers):
// no Node built-ins, no IANA time-zone database, no Date.parse guessing.
import type { Expression } from 'jsonata';
import { copyFirstKeys, isFlaggedArray, isForbiddenKey } from './plain.js';

export interface HelperFunction {
  name: string;
  signature?: string;
  implementation: (...args: never[]) => unknown;
  doc: string;
  example: string;
}

// Keys that could reach Object.prototype when assigned on a plain object.

// JSONata builds objects with a null prototype, so both kinds count as plain.
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function isEmptyScalar(value: unknown): boolean {
  return value === null || value === undefined || value === '';
}

// JSONata unwraps singleton arrays flagged as sequences, so outputs must be plain arrays.
function plainArray(value: readonly unknown[]): unknown[] {
  return (value as { sequence?: boolean }).sequence ? Array.from(value) : (value as unknown[]);
}

/* ------------------------------------------------------------------------ */
/* Dates                                                                     */
/* ------------------------------------------------------------------------ */

const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;
const MIN_MS = -62_167_219_200_000; // 0000-01-01T00:00:00.000Z
const MAX_MS = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z: keeps toISOString at 4-digit years
const EPOCH_SECONDS_LIMIT = 1e11;

interface DateParts {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  offsetMinutes?: number; // undefined: no offset in the input
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

// Howard Hinnant's days_from_civil; avoids Date.UTC mapping years 0-99 to 19xx.
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

function partsToEpoch(parts: DateParts, defaultOffsetMinutes: number): number | undefined {
  const { year, month, day, hour, minute, second, millisecond } = parts;
  return epochOf(year, month, day, hour, minute, second, millisecond, parts.offsetMinutes ?? defaultOffsetMinutes);
}

// Scalars, not a parts object: the canonical-UTC fast path calls it once per record.
function epochOf(year: number, month: number, day: number, hour: number, minute: number, second: number, millisecond: number, offset: number): number | undefined {
  if (year < 0 || year > 9999 || month < 1 || month > 12) return undefined;
  if (day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59 || millisecond > 999) return undefined;
  const local =
    daysFromCivil(year, month, day) * MS_PER_DAY + ((hour * 60 + minute) * 60 + second) * 1000 + millisecond;
  return checkRange(local - offset * MS_PER_MINUTE);
}

function checkRange(ms: number): number | undefined {
  return Number.isFinite(ms) && ms >= MIN_MS && ms <= MAX_MS ? ms : undefined;
}

function epochToMs(epoch: number): number | undefined {
  if (!Number.isFinite(epoch)) return undefined;
  return checkRange(Math.round(Math.abs(epoch) < EPOCH_SECONDS_LIMIT ? epoch * 1000 : epoch));
}

// Digits after a decimal point, as milliseconds (".5" is 500 ms, extra digits truncated).
function fractionToMs(digits: string | undefined): number {
  return digits ? Number(digits.slice(0, 3).padEnd(3, '0')) : 0;
}

const NAMED_ZONES: Readonly<Record<string, number>> = {
  z: 0, ut: 0, utc: 0, gmt: 0,
  est: -300, edt: -240, cst: -360, cdt: -300, mst: -420, mdt: -360, pst: -480, pdt: -420,
};

// Parses "Z", "UTC", "+02:00", "-0500", "+02", "GMT+0100"; undefined when not an offset.
function parseOffset(text: string): number | undefined {
  const trimmed = text.trim().toLowerCase();
  if (Object.hasOwn(NAMED_ZONES, trimmed)) return NAMED_ZONES[trimmed];
  const match = /^(?:utc|gmt)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(trimmed);
  if (!match) return undefined;
  const hours = Number(match[2]);
  const minutes = Number(match[3] ?? '0');
  if (hours > 23 || minutes > 59) return undefined;
  return (match[1] === '-' ? -1 : 1) * (hours * 60 + minutes);
}

// An offset that is present but invalid gives NaN, which partsToEpoch rejects.
function offsetFrom(text: string | undefined): number | undefined {
  return text === undefined ? undefined : (parseOffset(text) ?? Number.NaN);
}

// The zone argument is author configuration, so a bad one fails loudly instead of shifting dates.
function parseZoneArgument(zone: unknown, fn: string): number {
  if (zone === undefined || zone === null || zone === '') return 0;
  const offset = typeof zone === 'string' ? parseOffset(zone) : undefined;
  if (offset === undefined) {
    throw new Error(
      `${fn}: unsupported zone ${JSON.stringify(zone)}; use a fixed offset such as "+02:00", "-0500" or "UTC"`,
    );
  }
  return offset;
}

const OFFSET_PATTERN = 'Z|UTC|GMT|[+-]\\d{2}(?::?\\d{2})?';
const RFC_ZONE_PATTERN = 'UT|UTC|GMT|Z|[ECMP][SD]T|(?:GMT|UTC)?[+-]\\d{2}:?\\d{2}';
const DAY_NAME = '(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*';
const MONTH_NAME = '(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*';
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

// ISO-8601 extended plus "YYYY-MM-DD HH:mm:ss" and "YYYY/MM/DD HH:mm:ss".
const ISO_LIKE = new RegExp(
  `^(\\d{4})([-/])(\\d{1,2})\\2(\\d{1,2})(?:(?:T|\\s+)(\\d{1,2}):(\\d{2})(?::(\\d{2})(?:[.,](\\d+))?)?)?\\s*(${OFFSET_PATTERN})?$`,
  'i',
);
// RFC 2822 / RFC 1123 ("Tue, 15 Nov 1994 08:12:31 GMT") and RFC 850 ("Tuesday, 15-Nov-94 ...").
const RFC_DAY_FIRST = new RegExp(
  `^(?:${DAY_NAME},?\\s*)?(\\d{1,2})[\\s-]+${MONTH_NAME}[\\s-]+(\\d{2,4})\\s+(\\d{1,2}):(\\d{2})(?::(\\d{2}))?\\s*(${RFC_ZONE_PATTERN})?$`,
  'i',
);
// asctime ("Sun Nov  6 08:49:37 1994") and JavaScript Date#toString ("Tue Nov 15 1994 08:12:31 GMT+0100 (CET)").
const MONTH_FIRST = new RegExp(
  `^(?:${DAY_NAME},?\\s+)?${MONTH_NAME}\\s+(\\d{1,2}),?\\s+(?:(\\d{4})\\s+)?(\\d{1,2}):(\\d{2})(?::(\\d{2}))?(?:\\s+(\\d{4}))?(?:\\s*(${RFC_ZONE_PATTERN}))?(?:\\s*\\([^)]*\\))?$`,
  'i',
);
// Already in toISOString's form (milliseconds optional): the common case, checked first.
const NOT_CANONICAL = Symbol('not canonical');

/**
 * `yyyy-MM-ddTHH:mm:ss[.SSS]Z`, read character by character (no regex match, no parts object):
 * the text itself (with `.000` added) when it is a real date, undefined when it is not, and
 * NOT_CANONICAL for any other form, which the general parser reads.
 */
function canonicalUtc(value: string): string | undefined | typeof NOT_CANONICAL {
  const n = value.length;
  if (n !== 20 && n !== 24) return NOT_CANONICAL;
  const hi = twoDigits(value, 0);
  const lo = twoDigits(value, 2);
  const month = twoDigits(value, 5);
  const day = twoDigits(value, 8);
  const hour = twoDigits(value, 11);
  const minute = twoDigits(value, 14);
  const second = twoDigits(value, 17);
  if (hi < 0 || lo < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return NOT_CANONICAL;
  if (value[4] !== '-' || value[7] !== '-' || value[10] !== 'T' || value[13] !== ':' || value[16] !== ':' || value[n - 1] !== 'Z') return NOT_CANONICAL;
  if (n === 24 && (value[19] !== '.' || twoDigits(value, 20) < 0 || twoDigits(value, 21) < 0)) return NOT_CANONICAL;
  if (epochOf(hi * 100 + lo, month, day, hour, minute, second, 0, 0) === undefined) return undefined;
  return n === 20 ? `${value.slice(0, 19)}.000Z` : value;
}

/** The two ASCII digits at `i` as a number, or -1. */
function twoDigits(value: string, i: number): number {
  const a = value.charCodeAt(i) - 48;
  const b = value.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}
const MS_JSON = /^\/?Date\(([+-]?\d+)(?:[+-]\d{4})?\)\/?$/i;
const NUMERIC = /^[+-]?\d+(?:\.\d+)?$/;

// RFC 2822 obsolete years: 2 digits are 19xx/20xx split at 50, 3 digits add 1900.
function rfcYear(text: string): number {
  const year = Number(text);
  if (text.length === 2) return year < 50 ? 2000 + year : 1900 + year;
  if (text.length === 3) return 1900 + year;
  return year;
}

function monthFromName(name: string): number {
  return MONTHS.indexOf(name.slice(0, 3).toLowerCase()) + 1;
}

function parseKnownFormats(text: string, defaultOffset: number): number | undefined {
  const ms = MS_JSON.exec(text);
  if (ms) return checkRange(Number(ms[1])); // always milliseconds; the offset suffix is informational

  if (NUMERIC.test(text)) return epochToMs(Number(text));

  const iso = ISO_LIKE.exec(text);
  if (iso) {
    return partsToEpoch(
      {
        year: Number(iso[1]),
        month: Number(iso[3]),
        day: Number(iso[4]),
        hour: Number(iso[5] ?? 0),
        minute: Number(iso[6] ?? 0),
        second: Number(iso[7] ?? 0),
        millisecond: fractionToMs(iso[8]),
        offsetMinutes: offsetFrom(iso[9]),
      },
      defaultOffset,
    );
  }

  const rfc = RFC_DAY_FIRST.exec(text);
  if (rfc) {
    return partsToEpoch(
      {
        year: rfcYear(rfc[3]),
        month: monthFromName(rfc[2]),
        day: Number(rfc[1]),
        hour: Number(rfc[4]),
        minute: Number(rfc[5]),
        second: Number(rfc[6] ?? 0),
        millisecond: 0,
        offsetMinutes: offsetFrom(rfc[7]),
      },
      defaultOffset,
    );
  }

  const monthFirst = MONTH_FIRST.exec(text);
  if (monthFirst) {
    const yearBefore = monthFirst[3];
    const yearAfter = monthFirst[7];
    if ((yearBefore === undefined) === (yearAfter === undefined)) return undefined; // need exactly one year
    return partsToEpoch(
      {
        year: Number(yearBefore ?? yearAfter),
        month: monthFromName(monthFirst[1]),
        day: Number(monthFirst[2]),
        hour: Number(monthFirst[4]),
        minute: Number(monthFirst[5]),
        second: Number(monthFirst[6] ?? 0),
        millisecond: 0,
        offsetMinutes: offsetFrom(monthFirst[8]),
      },
      defaultOffset,
    );
  }
  return undefined;
}

type FormatToken = 'yyyy' | 'SSS' | 'ZZ' | 'MM' | 'dd' | 'HH' | 'mm' | 'ss' | 'Z';
type FormatPart = { token: FormatToken } | { literal: string };

// Longest tokens first so "ZZ" wins over "Z".
const FORMAT_TOKENS: readonly FormatToken[] = ['yyyy', 'SSS', 'ZZ', 'MM', 'dd', 'HH', 'mm', 'ss', 'Z'];

// Text in single quotes is literal ('T', 'Z'); two single quotes make one quote.
function tokenizeFormat(format: string): FormatPart[] {
  const parts: FormatPart[] = [];
  let literal = '';
  let i = 0;
  while (i < format.length) {
    if (format[i] === "'") {
      if (format[i + 1] === "'") {
        literal += "'";
        i += 2;
        continue;
      }
      const end = format.indexOf("'", i + 1);
      const stop = end === -1 ? format.length : end;
      literal += format.slice(i + 1, stop);
      i = stop + 1;
      continue;
    }
    const token = FORMAT_TOKENS.find((t) => format.startsWith(t, i));
    if (token) {
      if (literal) parts.push({ literal });
      literal = '';
      parts.push({ token });
      i += token.length;
    } else {
      literal += format[i];
      i += 1;
    }
  }
  if (literal) parts.push({ literal });
  return parts;
}

const TOKEN_PATTERNS: Readonly<Record<FormatToken, string>> = {
  yyyy: '(\\d{4})',
  MM: '(\\d{1,2})',
  dd: '(\\d{1,2})',
  HH: '(\\d{1,2})',
  mm: '(\\d{1,2})',
  ss: '(\\d{1,2})',
  SSS: '(\\d{1,9})',
  Z: `(${OFFSET_PATTERN})`,
  ZZ: `(${OFFSET_PATTERN})`,
};

function escapeLiteral(text: string): string {
  // Any whitespace run in the format matches any whitespace run in the value.
  return text
    .split(/\s+/)
    .map((chunk) => chunk.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))
    .join('\\s+');
}

function parseWithFormat(text: string, format: string, defaultOffset: number): number | undefined {
  const parts = tokenizeFormat(format);
  const tokens: FormatToken[] = [];
  let pattern = '';
  for (const part of parts) {
    if ('token' in part) {
      tokens.push(part.token);
      pattern += TOKEN_PATTERNS[part.token];
    } else {
      pattern += escapeLiteral(part.literal);
    }
  }
  const match = new RegExp(`^${pattern}$`, 'i').exec(text);
  if (!match) return undefined;
  // Fields absent from the format default to 1970-01-01T00:00:00.000.
  const date: DateParts = { year: 1970, month: 1, day: 1, hour: 0, minute: 0, second: 0, millisecond: 0 };
  for (const [index, token] of tokens.entries()) {
    const value = match[index + 1];
    switch (token) {
      case 'yyyy': date.year = Number(value); break;
      case 'MM': date.month = Number(value); break;
      case 'dd': date.day = Number(value); break;
      case 'HH': date.hour = Number(value); break;
      case 'mm': date.minute = Number(value); break;
      case 'ss': date.second = Number(value); break;
      case 'SSS': date.millisecond = fractionToMs(value); break;
      case 'Z':
      case 'ZZ': date.offsetMinutes = offsetFrom(value); break;
    }
  }
  return partsToEpoch(date, defaultOffset);
}

function toEpochMs(value: unknown, format: unknown, zone: unknown, fn: string): number | undefined {
  const defaultOffset = parseZoneArgument(zone, fn);
  if (value instanceof Date) return checkRange(value.getTime());
  if (typeof value === 'number') return epochToMs(value); // epochs are absolute: zone does not apply
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (typeof format === 'string' && format !== '') return parseWithFormat(text, format, defaultOffset);
  return parseKnownFormats(text, defaultOffset);
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

function formatEpoch(ms: number, format: string): string {
  const date = new Date(ms);
  return tokenizeFormat(format)
    .map((part) => {
      if ('literal' in part) return part.literal;
      switch (part.token) {
        case 'yyyy': return pad(date.getUTCFullYear(), 4);
        case 'MM': return pad(date.getUTCMonth() + 1, 2);
        case 'dd': return pad(date.getUTCDate(), 2);
        case 'HH': return pad(date.getUTCHours(), 2);
        case 'mm': return pad(date.getUTCMinutes(), 2);
        case 'ss': return pad(date.getUTCSeconds(), 2);
        case 'SSS': return pad(date.getUTCMilliseconds(), 3);
        case 'Z': return '+0000';
        case 'ZZ': return '+00:00';
      }
    })
    .join('');
}

// Declared with `function` and no default parameters: JSONata reads the parameter
// list from Function#toString for partial application ($toIsoDate(?, "dd/MM/yyyy")).
function toIsoDate(value: unknown, format: unknown, zone: unknown): string | undefined {
  // Most vendors already send UTC ISO-8601: validate its parts and keep the text.
  if (typeof value === 'string' && format === undefined && zone === undefined) {
    const canonical = canonicalUtc(value);
    if (canonical !== NOT_CANONICAL) return canonical;
  }
  const ms = toEpochMs(value, format, zone, '$toIsoDate');
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

function formatDate(value: unknown, format: unknown): string | undefined {
  if (typeof format !== 'string' || format === '') {
    throw new Error('$formatDate: format must be a non-empty string such as "yyyy-MM-dd"');
  }
  const ms = toEpochMs(value, undefined, undefined, '$formatDate');
  return ms === undefined ? undefined : formatEpoch(ms, format);
}

/* ------------------------------------------------------------------------ */
/* Values, objects, names                                                     */
/* ------------------------------------------------------------------------ */

function mapValues(value: unknown, mapping: unknown, caseSensitive: unknown, defaultValue: unknown): unknown {
  const exact = new Map<string, unknown>();
  const folded = new Map<string, unknown>();
  if (isPlainObject(mapping)) {
    for (const key of Object.keys(mapping)) {
      if (isForbiddenKey(key)) continue;
      exact.set(key, mapping[key]);
      const lower = key.toLowerCase();
      if (!folded.has(lower)) folded.set(lower, mapping[key]);
    }
  }
  const insensitive = caseSensitive !== true;
  const mapOne = (item: unknown): unknown => {
    if (item === null || item === undefined) return defaultValue === undefined ? item : defaultValue;
    if (Array.isArray(item)) return item.map(mapOne);
    if (typeof item !== 'string' && typeof item !== 'number' && typeof item !== 'boolean') return item;
    const key = String(item);
    // An exact key wins over a case-folded one when both exist ("Active" and "active").
    if (exact.has(key)) return exact.get(key);
    if (insensitive && folded.has(key.toLowerCase())) return folded.get(key.toLowerCase());
    return item;
  };
  return mapOne(value);
}

// Returns undefined for "empty"; the caller decides what an empty top level becomes. Copy on
// write: a value with nothing to remove is returned as it is (the engine never mutates results
// below their top level), so the common case allocates nothing.
/** `$removeEmpty` below the top level: undefined for a value it drops. */
export function cleanEmpty(value: unknown): unknown {
  if (value === null || value === undefined || value === '') return undefined;
  if (typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    // jsonata's flagged arrays (sequences, array constructors) come out as plain arrays.
    let items: unknown[] | undefined = isFlaggedArray(value) ? [] : undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const cleaned = cleanEmpty(item);
      if (items) {
        if (cleaned !== undefined) items.push(cleaned);
      } else if (cleaned !== item || cleaned === undefined) {
        items = value.slice(0, i);
        if (cleaned !== undefined) items.push(cleaned);
      }
    }
    const out = items ?? value;
    return out.length > 0 ? out : undefined;
  }
  if (!isPlainObject(value)) return value;
  let out: Record<string, unknown> | undefined;
  let kept = 0;
  let index = 0;
  // for-in, not Object.keys: no key array per object (own keys only, checked as in sharePlain,
  // whatever the prototype holds).
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    const item = value[key];
    const unsafe = isForbiddenKey(key);
    const cleaned = unsafe ? undefined : cleanEmpty(item);
    if (out) {
      if (cleaned !== undefined) out[key] = cleaned;
    } else if (unsafe || cleaned !== item || cleaned === undefined) {
      out = copyFirstKeys(value, index);
      if (cleaned !== undefined) out[key] = cleaned;
    }
    if (cleaned !== undefined) kept++;
    index++;
  }
  if (kept === 0) return undefined;
  return out ?? value;
}


function removeEmpty(value: unknown): unknown {
  const cleaned = cleanEmpty(value);
  if (cleaned !== undefined) return cleaned;
  if (Array.isArray(value)) return [];
  if (isPlainObject(value)) return {};
  return undefined;
}

function firstNonEmpty(...values: unknown[]): unknown {
  for (let i = 0; i < values.length; i++) if (!isEmptyScalar(values[i])) return values[i];
  return undefined;
}

function splitName(fullName: unknown): { first_name: string; last_name?: string } | undefined {
  if (typeof fullName !== 'string') return undefined;
  const trimmed = fullName.trim();
  if (trimmed === '') return undefined;
  const match = /^(.*\S)\s+(\S+)$/s.exec(trimmed);
  return match ? { first_name: match[1], last_name: match[2] } : { first_name: trimmed };
}

function namePart(part: unknown): string {
  if (typeof part === 'string') return part.trim();
  if (typeof part === 'number' && Number.isFinite(part)) return String(part);
  return '';
}

function joinName(first: unknown, last: unknown): string | undefined {
  const joined = [namePart(first), namePart(last)].filter((part) => part !== '').join(' ');
  return joined === '' ? undefined : joined;
}

function toArray(value: unknown): unknown[] {
  if (value === null || value === undefined) return [];
  return Array.isArray(value) ? plainArray(value) : [value];
}

/* ------------------------------------------------------------------------ */
/* Registry                                                                   */
/* ------------------------------------------------------------------------ */

// Signatures type-check author-supplied arguments (format, zone, mapping, flags) and
// leave data arguments as `x` so odd vendor values yield undefined instead of errors.
export const helperFunctions: readonly HelperFunction[] = Object.freeze([
  {
    name: 'toIsoDate',
    signature: '<x(sl)?(sl)?:s>',
    implementation: toIsoDate,
    doc:
      'Normalises a date/time to an ISO-8601 UTC string (`YYYY-MM-DDTHH:mm:ss.sssZ`). Accepts ISO-8601 strings with or ' +
      'without an offset, date-only `YYYY-MM-DD`, `YYYY-MM-DD HH:mm:ss` and `YYYY/MM/DD HH:mm:ss`, RFC 2822 / HTTP dates ' +
      '(`Tue, 15 Nov 1994 08:12:31 GMT`, also RFC 850 and asctime), Microsoft JSON `/Date(1700000000000)/`, and epoch ' +
      'numbers or numeric strings (below 1e11 they are seconds, otherwise milliseconds). Pass `format` to parse a custom ' +
      'layout with the tokens `yyyy MM dd HH mm ss SSS` and `Z`/`ZZ` (offset); anything else, or text in single quotes, ' +
      'is literal, and only that layout is tried. `zone` is a fixed offset (`+02:00`, `-0500`, `UTC`) applied to inputs ' +
      'without their own offset; IANA names are not supported and raise an error. Returns undefined for null, empty, ' +
      'unparseable or out-of-range (years outside 0000-9999) input.',
    example: '$toIsoDate(created_at, "dd/MM/yyyy HH:mm", "+02:00")',
  },
  {
    name: 'formatDate',
    signature: '<xs:s>',
    implementation: formatDate,
    doc:
      'Formats any value that `$toIsoDate` accepts, in UTC, using the tokens `yyyy MM dd HH mm ss SSS` (zero-padded), ' +
      '`Z` (`+0000`) and `ZZ` (`+00:00`); other characters, and text in single quotes, are copied literally. Returns ' +
      'undefined when the value is empty or cannot be parsed; a missing format is an error.',
    example: '$formatDate(updated_at, "yyyy-MM-dd")',
  },
  {
    name: 'mapValues',
    signature: '<xo(bl)?x?:x>',
    implementation: mapValues,
    doc:
      'Translates vendor values through a lookup object, e.g. statuses or enum codes. Matching is case-insensitive by ' +
      'default (an exact key still wins); pass `true` as the third argument for case-sensitive matching. Numbers and ' +
      'booleans match their string keys. Values with no entry pass through unchanged, arrays are mapped element by ' +
      'element, and the optional fourth argument is returned only when the value is null or missing. Mapped values ' +
      'can be any JSON, including `false`, `0` and objects.',
    example: '$mapValues(status, {"open": "active", "closed": "archived"}, false, "unknown")',
  },
  {
    name: 'removeEmpty',
    signature: '<x:x>',
    implementation: removeEmpty,
    doc:
      'Recursively drops properties and array items whose value is null, missing, an empty string, or an array or ' +
      'object that is empty after its own cleaning; `false` and `0` are kept. A top-level object or array that ends up ' +
      'empty is returned as `{}` or `[]` so a request body keeps its shape; an empty scalar returns undefined. Keys ' +
      '`__proto__`, `constructor` and `prototype` are never copied.',
    example: '$removeEmpty({"name": name, "email": email, "tags": tags})',
  },
  {
    name: 'firstNonEmpty',
    implementation: firstNonEmpty,
    doc:
      'Returns the first argument that is not null, missing or an empty string (so `false`, `0` and `[]` count as ' +
      'values); undefined when every argument is empty. Takes any number of arguments.',
    example: '$firstNonEmpty(work_email, personal_email, emails[0].address)',
  },
  {
    name: 'splitName',
    signature: '<x:o>',
    implementation: splitName,
    doc:
      'Splits a full name on its last run of whitespace into `{ first_name, last_name }` ("Mary Ann Smith" gives ' +
      '`first_name` "Mary Ann" and `last_name` "Smith"). A single word yields only `first_name`. Input is trimmed; ' +
      'returns undefined for empty or non-string input.',
    example: '$splitName(contact.full_name).first_name',
  },
  {
    name: 'joinName',
    signature: '<xx:s>',
    implementation: joinName,
    doc:
      'Joins a first and last name with a single space, trimming each part and skipping missing or empty ones. ' +
      'Returns undefined when both parts are empty.',
    example: '$joinName(first_name, last_name)',
  },
  {
    name: 'toArray',
    signature: '<x:a>',
    implementation: toArray,
    doc:
      'Guarantees a real array for vendor payloads: null or missing becomes `[]`, an array is returned as is, and any ' +
      'other value is wrapped as `[value]`. Use it where JSONata would collapse a single-item result into a scalar.',
    example: '{"recipients": $toArray(to.email)}',
  },
]);

export function registerHelpers(expression: Expression): void {
  for (const helper of helperFunctions) {
    // jsonata types implementations as (...args: any[]) => any; ours take unknown arguments.
    const implementation = helper.implementation as (...args: unknown[]) => unknown;
    expression.registerFunction(helper.name, implementation, helper.signature);
  }
}
