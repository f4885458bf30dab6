/**
 * Writes the definition format reference generated from schemas/integration.schema.json:
 * docs/definition-format.md (whole file) and README.md (only the block between the markers).
 *
 *   npx tsx engine/docs/write-docs.ts           # write both
 *   npx tsx engine/docs/write-docs.ts --check   # write nothing; exit 1 naming each stale file
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderDefinitionReference } from './definition-reference.js';

export const DOCS_FILE_URL = new URL('../../docs/definition-format.md', import.meta.url);
export const README_URL = new URL('../../README.md', import.meta.url);
export const START_MARKER = '<!-- definition-reference:start -->';
export const END_MARKER = '<!-- definition-reference:end -->';

/** docs/definition-format.md: its own `#` title, sections at `##`. */
export function renderDocsFile(): string {
  return `# Definition format reference\n\n${renderDefinitionReference({ headingLevel: 2 })}`;
}

/** What goes between the README markers; README's heading is `##`, so sections are `###` and `####`. */
export function renderReadmeBlock(): string {
  return `\n\n${renderDefinitionReference({ headingLevel: 3 })}\n`;
}

export interface MarkedBlock {
  /** Everything up to and including the start marker line's text. */
  before: string;
  inner: string;
  /** The end marker and everything after it. */
  after: string;
}

function markerLine(marker: string): RegExp {
  // Markers count only on a line of their own, so prose that quotes them is left alone.
  return new RegExp(`^[ \\t]*${marker.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[ \\t]*$`, 'gm');
}

/** Splits README.md around the generated block; undefined when either marker is missing. */
export function findMarkedBlock(readme: string): MarkedBlock | undefined {
  const startPattern = markerLine(START_MARKER);
  const start = startPattern.exec(readme);
  if (!start) return undefined;
  const innerStart = start.index + start[0].length;
  const endPattern = markerLine(END_MARKER);
  endPattern.lastIndex = innerStart;
  const end = endPattern.exec(readme);
  if (!end) return undefined;
  return { before: readme.slice(0, innerStart), inner: readme.slice(innerStart, end.index), after: readme.slice(end.index) };
}

function readIfExists(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

function main(args: string[]): number {
  const unknown = args.filter((arg) => arg !== '--check');
  if (unknown.length > 0) {
    console.error(`unknown argument ${unknown[0]}; usage: npx tsx engine/docs/write-docs.ts [--check]`);
    return 2;
  }
  const check = args.includes('--check');
  const docsPath = fileURLToPath(DOCS_FILE_URL);
  const readmePath = fileURLToPath(README_URL);
  const show = (path: string): string => relative(process.cwd(), path) || path;
  const docs = renderDocsFile();
  const block = renderReadmeBlock();
  const markersMissing = (readme: string | undefined): string =>
    readme === undefined
      ? `${show(readmePath)} does not exist; it needs a "## Definition format reference" heading followed by the lines\n${START_MARKER}\n${END_MARKER}`
      : `${show(readmePath)} lacks the lines ${START_MARKER} and ${END_MARKER} (in that order) around the generated reference`;

  if (check) {
    const stale: string[] = [];
    if (readIfExists(docsPath) !== docs) stale.push(docsPath);
    const readme = readIfExists(readmePath);
    const marked = readme === undefined ? undefined : findMarkedBlock(readme);
    if (!marked) {
      console.error(markersMissing(readme));
      return 1;
    }
    if (marked.inner !== block) stale.push(readmePath);
    for (const path of stale) console.error(`${show(path)} is stale; run: npm run docs`);
    return stale.length > 0 ? 1 : 0;
  }

  if (readIfExists(docsPath) === docs) {
    console.log(`${show(docsPath)} is up to date`);
  } else {
    mkdirSync(dirname(docsPath), { recursive: true });
    writeFileSync(docsPath, docs);
    console.log(`wrote ${show(docsPath)}`);
  }

  // README.md last, read right before writing and touched only between the markers:
  // others may be editing the rest of it at the same time.
  const readme = readIfExists(readmePath);
  const marked = readme === undefined ? undefined : findMarkedBlock(readme);
  if (!marked) {
    console.error(markersMissing(readme));
    return 1;
  }
  if (marked.inner === block) {
    console.log(`${show(readmePath)} is up to date`);
  } else {
    writeFileSync(readmePath, marked.before + block + marked.after);
    console.log(`wrote the reference block in ${show(readmePath)}`);
  }
  return 0;
}

// Run only as a script, not when imported (the tests import the render functions).
if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
