import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import type { IntegrationDefinition, Pagination, UnifiedMethod } from '../../engine/definitions/definition-types.js';
import {
  DEFINITION_TYPES_HEADER,
  DEFINITION_TYPES_URL,
  renderDefinitionTypes,
} from '../../engine/models/generate-definition-types.js';
import { pascalCase, schemaToTypeScript, type JsonSchema } from '../../engine/models/typegen.js';

/** Generates declarations for one schema named `T`. */
function gen(schema: JsonSchema, defsNaming?: (name: string) => string): string {
  return schemaToTypeScript([{ rootName: 'T', schema }], { defsNaming });
}

const libCache = new Map<string, ts.SourceFile | undefined>();

/** Type-checks generated source in memory, returning the diagnostics. */
function typeErrors(source: string): string[] {
  const fileName = '/virtual/generated.ts';
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts'],
    types: [], // no ambient @types: only the generated source and the standard library
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, version, onError, create) => {
    if (name === fileName) return ts.createSourceFile(name, source, version);
    // Parsing the lib files dominates the cost; share them between checks.
    if (!libCache.has(name)) libCache.set(name, getSourceFile(name, version, onError, create));
    return libCache.get(name);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === fileName || fileExists(name);
  const program = ts.createProgram([fileName], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

function readJson(relative: string): JsonSchema {
  return JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as JsonSchema; // test fixtures are JSON objects
}

describe('schemaToTypeScript keywords', () => {
  it('has a type checker that does report errors (so the empty-diagnostics checks below mean something)', () => {
    expect(typeErrors('export interface A { [key: string]: number; x?: string }')).not.toEqual([]);
  });

  it('maps primitive types, integer and type arrays including null', () => {
    const out = gen({
      type: 'object',
      additionalProperties: false,
      properties: {
        s: { type: 'string' },
        n: { type: 'number' },
        i: { type: 'integer' },
        b: { type: 'boolean' },
        z: { type: 'null' },
        many: { type: ['string', 'number', 'null'] },
        both: { type: ['number', 'integer'] },
        any: {},
      },
    });
    expect(out).toBe(
      [
        'export interface T {',
        '  s?: string;',
        '  n?: number;',
        '  i?: number;',
        '  b?: boolean;',
        '  z?: null;',
        '  many?: string | number | null;',
        '  both?: number;',
        '  any?: unknown;',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('marks required properties and quotes non-identifier keys', () => {
    const out = gen({
      type: 'object',
      required: ['a', 'my-key'],
      properties: { a: { type: 'string' }, b: { type: 'string' }, 'my-key': { type: 'number' } },
    });
    expect(out).toContain('  a: string;\n  b?: string;\n  \'my-key\': number;\n}');
  });

  it('handles additionalProperties: false, a schema, and a schema next to declared properties', () => {
    expect(gen({ type: 'object', additionalProperties: false, properties: { a: { type: 'string' } } })).toBe(
      'export interface T {\n  a?: string;\n}\n',
    );
    expect(gen({ type: 'object', additionalProperties: { type: 'number' } })).toBe(
      'export interface T {\n  [key: string]: number;\n}\n',
    );
    const mixed = gen({
      type: 'object',
      required: ['id'],
      properties: { id: { type: 'string' }, count: { type: 'integer' } },
      additionalProperties: { type: 'boolean' },
    });
    // The index signature is widened so that the declared (and optional) properties fit it.
    expect(mixed).toContain('  [key: string]: boolean | string | number | undefined;');
    expect(typeErrors(mixed)).toEqual([]);
    expect(gen({ type: 'object', additionalProperties: true, properties: { a: { type: 'string' } } })).toContain(
      '  [key: string]: unknown;',
    );
  });

  it('leaves shapeless objects open and records with properties closed when additionalProperties is absent', () => {
    const out = gen({
      type: 'object',
      properties: {
        raw: { type: 'object' },
        known: { type: 'object', properties: { id: { type: 'string' } } },
        closedEmpty: { type: 'object', additionalProperties: false },
      },
    });
    expect(out).toContain('  raw?: { [key: string]: unknown };');
    expect(out).toContain('  known?: {\n    id?: string;\n  };');
    expect(out).not.toMatch(/known\?: \{[^}]*\[key: string\]/);
    expect(out).toContain('  closedEmpty?: Record<string, never>;');
    expect(gen({ type: 'object' })).toBe('export interface T {\n  [key: string]: unknown;\n}\n');
  });

  it('renders items, including unions of items, and prefixItems', () => {
    const out = gen({
      type: 'object',
      properties: {
        tags: { type: 'array', items: { type: 'string' } },
        mixed: { type: 'array', items: { type: ['string', 'number'] } },
        untyped: { type: 'array' },
        objects: { type: 'array', items: { type: 'object', properties: { x: { type: 'number' } } } },
        pair: { type: 'array', prefixItems: [{ type: 'string' }, { type: 'number' }], items: false },
      },
    });
    expect(out).toContain('  tags?: string[];');
    expect(out).toContain('  mixed?: (string | number)[];');
    expect(out).toContain('  untyped?: unknown[];');
    expect(out).toContain('  objects?: Array<{\n    x?: number;\n  }>;');
    expect(out).toContain('  pair?: [string, number];');
    expect(typeErrors(out)).toEqual([]);
  });

  it('renders enum and const as literal unions', () => {
    const out = gen({
      type: 'object',
      properties: {
        color: { type: 'string', enum: ['red', "it's"] },
        level: { enum: [1, 2, 3] },
        maybe: { enum: ['on', null] },
        kind: { const: 'bearer' },
        flag: { const: true },
      },
    });
    expect(out).toContain("  color?: 'red' | 'it\\'s';");
    expect(out).toContain('  level?: 1 | 2 | 3;');
    expect(out).toContain("  maybe?: 'on' | null;");
    expect(out).toContain("  kind?: 'bearer';");
    expect(out).toContain('  flag?: true;');
  });

  it('renders oneOf/anyOf as unions and oneOf object branches as inline object types with their titles', () => {
    const out = gen({
      $defs: {
        shape: {
          description: 'A shape.',
          type: 'object',
          oneOf: [
            { title: 'Circle', type: 'object', required: ['r'], properties: { kind: { const: 'circle' }, r: { type: 'number' } } },
            { type: 'object', required: ['w'], properties: { kind: { const: 'square' }, w: { type: 'number' } } },
          ],
        },
        id: { anyOf: [{ type: 'string' }, { type: 'integer' }] },
      },
      type: 'object',
      properties: {},
    });
    expect(out).toContain(
      [
        '/** A shape. */',
        'export type Shape =',
        '  /** Circle */',
        '  | {',
        "      kind?: 'circle';",
        '      r: number;',
        '    }',
        '  | {',
        "      kind?: 'square';",
        '      w: number;',
        '    };',
      ].join('\n'),
    );
    expect(out).toContain('export type Id = string | number;');
    expect(typeErrors(out)).toEqual([]);
  });

  it('resolves $ref to $defs by type name and handles $ref siblings', () => {
    const out = gen({
      type: 'object',
      properties: {
        plain: { $ref: '#/$defs/resource_method' },
        described: { $ref: '#/$defs/resource_method', description: 'Only documents the use site.', default: 'x' },
        nullable: { oneOf: [{ $ref: '#/$defs/resource_method' }, { type: 'null' }] },
        extended: { $ref: '#/$defs/unified_method', properties: { extra: { type: 'string' } } },
        self: { $ref: '#' },
      },
      $defs: {
        resource_method: { type: 'string' },
        unified_method: { type: 'object', properties: { a: { type: 'string' } } },
      },
    });
    expect(out).toContain('  plain?: ResourceMethod;');
    expect(out).toContain(
      '  /**\n   * Only documents the use site.\n   * @default "x"\n   */\n  described?: ResourceMethod;',
    );
    expect(out).toContain('  nullable?: ResourceMethod | null;');
    expect(out).toContain('  extended?: UnifiedMethod & {\n    extra?: string;\n  };');
    expect(out).toContain('  self?: T;');
    expect(out).toContain('export type ResourceMethod = string;');
    expect(out).toContain('export interface UnifiedMethod {');
    expect(typeErrors(out)).toEqual([]);
  });

  it('names $defs in PascalCase, or with the defsNaming hook', () => {
    expect(pascalCase('resource_method')).toBe('ResourceMethod');
    expect(pascalCase('unified_method')).toBe('UnifiedMethod');
    expect(pascalCase('name_or_expression')).toBe('NameOrExpression');
    const out = gen({ type: 'object', properties: { q: { $ref: '#/$defs/list_query' } }, $defs: { list_query: { type: 'object', properties: {} } } }, (name) => `User${pascalCase(name)}`);
    expect(out).toContain('  q?: UserListQuery;');
    expect(out).toContain('export type UserListQuery = Record<string, never>;');
  });

  it('writes descriptions, titles and defaults as JSDoc, escaping comment terminators', () => {
    const out = gen({
      title: 'Thing',
      description: 'Root doc.',
      type: 'object',
      properties: {
        a: { type: 'string', description: 'Line one.\nLine two with */ inside.' },
        b: { type: 'integer', default: 3 },
      },
    });
    expect(out).toBe(
      [
        '/**',
        ' * Thing',
        ' *',
        ' * Root doc.',
        ' */',
        'export interface T {',
        '  /**',
        '   * Line one.',
        '   * Line two with *\\/ inside.',
        '   */',
        '  a?: string;',
        '  /** @default 3 */',
        '  b?: number;',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('ignores format, validation keywords and x-* extensions', () => {
    const annotated = gen({
      type: 'object',
      properties: { at: { type: 'string', format: 'date-time', pattern: '^x', minLength: 1, 'x-jsonata': true, 'x-bindings': ['a'] } },
    });
    expect(annotated).toBe(gen({ type: 'object', properties: { at: { type: 'string' } } }));
  });

  it('emits a header, is deterministic and leaves no trailing whitespace', () => {
    const schema: JsonSchema = { type: 'object', description: 'Doc.\n\nMore.', properties: { a: { type: 'string' } } };
    const first = schemaToTypeScript([{ rootName: 'T', schema }], { header: '// header' });
    expect(first.startsWith('// header\n\n/**')).toBe(true);
    expect(first).toBe(schemaToTypeScript([{ rootName: 'T', schema }], { header: '// header' }));
    expect(first).not.toMatch(/[ \t]+$/m);
    expect(first.endsWith('}\n')).toBe(true);
  });

  it('rejects unresolved refs and colliding type names', () => {
    expect(() => gen({ type: 'object', properties: { a: { $ref: '#/$defs/missing' } } })).toThrow(/missing/);
    expect(() => gen({ type: 'object', properties: { a: { $ref: 'other.json' } } })).toThrow(/other\.json/);
    expect(() => gen({ $defs: { a_b: {}, 'a-b': {} } })).toThrow(/AB/);
  });
});

describe('generated definition types', () => {
  it('engine/definitions/definition-types.ts equals a fresh generation (run generate-definition-types.ts if not)', () => {
    const committed = readFileSync(DEFINITION_TYPES_URL, 'utf8');
    expect(committed.startsWith(`${DEFINITION_TYPES_HEADER}\n`)).toBe(true);
    expect(committed).toBe(renderDefinitionTypes());
  });

  it('exports the names the engine imports', () => {
    const source = renderDefinitionTypes();
    const names = [
      'IntegrationDefinition',
      'ResourceMethod',
      'UnifiedMethod',
      'Pagination',
      'Auth',
      'NameOrExpression',
      'Headers',
      'QueryDefaults',
      'ContextField',
      'HttpMethod',
      'QueryArrayFormat',
      'ErrorExpression',
      'Template',
    ];
    for (const name of names) expect(source).toMatch(new RegExp(`^export (interface|type) ${name}\\b`, 'm'));
    expect(typeErrors(source)).toEqual([]);
  });

  it('is usable from code (checked by tsc --noEmit)', () => {
    const unified: UnifiedMethod = {
      resource: { expression: "query.kind = 'admin' ? 'admins' : 'users'", allowed: ['users', 'admins'] },
      method: 'list',
      response_mapping: '{ "id": $string(response.id) }',
    };
    const pagination: Pagination = { type: 'page', page_param: 'page' };
    const d: IntegrationDefinition = {
      name: 'jamf',
      base_url: 'https://{{context.instance_host}}/api',
      headers: { accept: 'application/json', 'x-removed': null },
      query: { expand: ['a', 'b'], limit: 10 },
      context: { api_token: { required: true, secret: true } },
      auth: { type: 'bearer', token: '{{context.api_token}}' },
      pagination,
      resources: {
        users: {
          list: { path: '/users', response_path: 'results', pagination: null },
          get: { method: 'GET', path: '/users/{{id}}' },
        },
        admins: { list: { path: '/admins' } },
      },
      unified: { mdm: { users: { list: unified } } },
    };
    // @ts-expect-error: closed types catch unknown keys.
    const typo: IntegrationDefinition = { name: 'x', base_url: 'y', resources: {}, base_ur: 'z' };
    expect(d.resources.users.list.path).toBe('/users');
    expect(typo.name).toBe('x');
  });
});

describe('types for the unified models', () => {
  it('generates User types from schemas/mdm/users.json with prefixed $defs', () => {
    const out = schemaToTypeScript([{ rootName: 'User', schema: readJson('../../schemas/mdm/users.json') }], {
      defsNaming: (name) => `User${pascalCase(name)}`,
    });
    expect(out).toContain('export interface User {');
    expect(out).toMatch(/^ {2}id: string;$/m);
    expect(out).toMatch(/^ {2}emails\?: UserEmail\[\];$/m);
    for (const name of ['UserCreate', 'UserUpdate', 'UserListQuery', 'UserEmail', 'UserEmailInput']) {
      expect(out).toContain(`export interface ${name} {`);
    }
    expect(typeErrors(out)).toEqual([]);
  });
});
