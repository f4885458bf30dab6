import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import integrationSchema from '../../schemas/integration.schema.json' with { type: 'json' };
import { renderDefinitionReference, renderSlotPattern } from '../../engine/docs/definition-reference.js';
import {
  DOCS_FILE_URL,
  README_URL,
  findMarkedBlock,
  renderDocsFile,
  renderReadmeBlock,
} from '../../engine/docs/write-docs.js';
import { slotSpecs } from '../../engine/definitions/slots.js';
import { helperFunctions } from '../../engine/expressions/functions.js';

const regenerate = 'run `npm run docs` (npx tsx engine/docs/write-docs.ts)';

describe('generated definition reference', () => {
  it('docs/definition-format.md is up to date', () => {
    expect(readFileSync(DOCS_FILE_URL, 'utf8'), regenerate).toBe(renderDocsFile());
  });

  it("README.md's marked block is up to date", () => {
    const block = findMarkedBlock(readFileSync(README_URL, 'utf8'));
    expect(block, 'README.md needs the definition-reference start/end markers').toBeDefined();
    expect(block?.inner, regenerate).toBe(renderReadmeBlock());
  });

  const rendered = renderDefinitionReference();

  it('names every JSONata slot and where it sits', () => {
    expect(slotSpecs.length).toBeGreaterThan(0);
    for (const spec of slotSpecs) {
      expect(rendered).toContain(`\`${spec.slot}\``);
      expect(rendered).toContain(`\`${renderSlotPattern(spec.pattern)}\``);
    }
    expect(rendered).toContain('`unified.<model>.<resource>.<method>.response_mapping`');
  });

  it('lists every property of unified_method and resource_method', () => {
    for (const name of ['unified_method', 'resource_method'] as const) {
      const properties = Object.keys(integrationSchema.$defs[name].properties);
      expect(properties.length).toBeGreaterThan(0);
      for (const property of properties) expect(rendered, `${name}.${property}`).toContain(`| \`${property}\` |`);
    }
  });

  it('documents every helper function', () => {
    for (const helper of helperFunctions) {
      expect(rendered).toContain(`\`$${helper.name}\``);
      expect(rendered).toContain(helper.example);
    }
  });

  it('is deterministic, without trailing whitespace, and nests under the README heading', () => {
    expect(renderDefinitionReference()).toBe(rendered);
    expect(rendered).not.toMatch(/[ \t]+$/m);
    expect(rendered.endsWith('\n')).toBe(true);
    const readmeHeadings = renderReadmeBlock().match(/^#+ /gm) ?? [];
    expect(new Set(readmeHeadings)).toEqual(new Set(['### ', '#### ']));
  });
});
