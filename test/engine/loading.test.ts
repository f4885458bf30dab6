import { describe, expect, test } from 'vitest';
import { Engine, loadEngine, UnimapError, type Problem } from '../../engine/index.js';

const good = `name: good
base_url: "https://{{context.host}}"
resources:
  users:
    list: { path: /users, response_path: data }
unified:
  mdm:
    users:
      list:
        resource: users
        method: list
        response_mapping: '{ "id": $string(response.id), "name": response.name }'
`;

function load(...texts: [string, string][]): Engine {
  return new Engine({ definitions: texts.map(([file, text]) => ({ file, text })) });
}

function only(problems: readonly Problem[], code: string): Problem[] {
  return problems.filter((p) => p.code === code);
}

describe('loading definitions', () => {
  test('the bundled definitions load with no problems', async () => {
    const engine = await loadEngine({ definitions: 'mappings' });
    expect(engine.problems).toEqual([]);
    expect([...engine.integrations.keys()]).toContain('jamf');
  });

  test('a YAML syntax error is located at file:line:col', () => {
    const engine = load(['bad.yaml', 'name: bad\nbase_url: x\nresources:\n  users: [1\n']);
    const [problem] = only(engine.problems, 'yaml_syntax');
    expect(problem?.location.file).toBe('bad.yaml');
    expect(problem?.location.line).toBeGreaterThanOrEqual(4);
    expect(problem?.location.column).toBeGreaterThan(0);
  });

  test('schema violations point at the offending key or value, with a suggestion', () => {
    const text = good.replace('list: { path: /users, response_path: data }', 'list: { pth: /users, method: FETCH }');
    const engine = load(['typo.yaml', text]);
    const problems = only(engine.problems, 'schema_violation');
    const unknown = problems.find((p) => p.message.includes('unknown property `pth`'));
    expect(unknown?.message).toContain('Did you mean `path`?');
    expect(unknown?.location).toMatchObject({ file: 'typo.yaml', line: 5, column: 13, path: 'resources.users.list.pth' });
    const method = problems.find((p) => p.location.path === 'resources.users.list.method');
    expect(method?.message).toContain('"GET"');
    expect(method?.location).toMatchObject({ line: 5, column: 34 });
    expect(problems.find((p) => p.message.includes('missing required property `path`'))?.location).toMatchObject({ line: 5, column: 5 });
  });

  test('a JSONata syntax error on line N of a block scalar reports file:N:col at the offending character', () => {
    const text = `name: broken
base_url: "https://example.com"
resources:
  users:
    list: { path: /users }
unified:
  mdm:
    users:
      list:
        resource: users
        method: list
        response_mapping: |
          {
            "id": $string(response.id),
            "name": response.first_name & & response.last_name
          }
`;
    const engine = load(['mappings/broken.yaml', text]);
    const [problem] = only(engine.problems, 'jsonata_syntax');
    // Line 15 is the third line of the block; the second "&" is at column 43.
    expect(problem?.location).toMatchObject({ file: 'mappings/broken.yaml', line: 15, column: 43, slot: 'response_mapping', operation: 'mdm/users.list' });
    expect(text.split('\n')[14]![42]).toBe('&');
  });

  test('every problem in every file is reported in one pass, and a broken file does not stop the others', () => {
    const broken = good.replace('name: good', 'name: broken').replace("'{ \"id\"", "'{ \"id\" ((").replace('path: /users', 'path: /users, body_format: yaml');
    const engine = load(['good.yaml', good], ['broken.yaml', broken], ['worse.yaml', 'name: [unclosed\n']);
    expect(engine.integrations.has('good')).toBe(true);
    expect(engine.integrations.has('broken')).toBe(false);
    const files = new Set(engine.problems.map((p) => p.location.file));
    expect(files).toEqual(new Set(['broken.yaml', 'worse.yaml']));
    expect(only(engine.problems, 'jsonata_syntax')).toHaveLength(1);
    expect(only(engine.problems, 'schema_violation').length).toBeGreaterThanOrEqual(1);
  });

  test('calling a skipped integration says it did not load', async () => {
    const engine = load(['broken.yaml', good.replace('name: good', 'name: broken').replace('path: /users', 'pth: /users')]);
    await expect(engine.mapRequest({ integration: 'broken', model: 'mdm', resource: 'users', method: 'list', context: { host: 'a.example' } })).rejects.toMatchObject({
      code: 'integration_not_found',
      statusCode: 404,
      message: expect.stringContaining('did not load'),
    });
  });

  test('strict loading throws every problem at once', () => {
    expect(() => new Engine({ strict: true, definitions: [{ file: 'a.yaml', text: 'name: a\n' }, { file: 'b.yaml', text: 'nme: b\n' }] })).toThrow(UnimapError);
    try {
      new Engine({ strict: true, definitions: [{ file: 'a.yaml', text: 'name: a\n' }, { file: 'b.yaml', text: 'nme: b\n' }] });
    } catch (error) {
      const details = (error as UnimapError).details as Problem[];
      expect(new Set(details.map((p) => p.location.file))).toEqual(new Set(['a.yaml', 'b.yaml']));
      expect((error as UnimapError).code).toBe('definitions_invalid');
    }
  });

  test('references to undefined remote methods and unknown unified models are problems', () => {
    const text = good.replace('resource: users\n        method: list', 'resource: people\n        method: list').replace('  mdm:\n', '  mdm:\n').concat('  crm:\n    contacts:\n      list: { resource: users, method: list }\n');
    const engine = load(['refs.yaml', text]);
    expect(only(engine.problems, 'unknown_remote_method')[0]?.location).toMatchObject({ path: 'unified.mdm.users.list.resource', line: 10 });
    expect(only(engine.problems, 'unknown_model')[0]?.message).toContain('unknown unified model `crm`');
  });

  test('a required field that the unified body does not have is a problem', () => {
    const text = good.concat('      create:\n        resource: users\n        method: list\n        required: [nmae]\n');
    const engine = load(['req.yaml', text]);
    expect(engine.problems.map((p) => p.message).join('\n')).toContain('required field `nmae`');
  });

  test('duplicate integration names are refused', () => {
    const engine = load(['a.yaml', good], ['b.yaml', good]);
    expect(only(engine.problems, 'duplicate_integration')[0]?.location.file).toBe('b.yaml');
    expect(engine.integrations.get('good')?.file).toBe('a.yaml');
  });

  test('definitions can be given as objects, without YAML', async () => {
    const engine = new Engine({
      definitions: [{ definition: { name: 'obj', base_url: 'https://api.example.com', resources: { users: { get: { path: '/u/{{id}}' } } }, unified: { mdm: { users: { get: { resource: 'users', method: 'get', response_mapping: '{"id": response.id, "name": response.n}' } } } } } }],
    });
    expect(engine.problems).toEqual([]);
    const request = await engine.mapRequest({ integration: 'obj', model: 'mdm', resource: 'users', method: 'get', id: '7' });
    expect(request.url).toBe('https://api.example.com/u/7');
  });

  test('a YAML alias bomb is refused as a limit, not expanded', () => {
    const bomb = ['name: bomb', 'a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) bomb.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    const started = Date.now();
    const engine = load(['bomb.yaml', bomb.join('\n')]);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(engine.problems.some((p) => p.code === 'yaml_limit')).toBe(true);
  });
});

describe('binding lint', () => {
  test('a name that is not one of the slot bindings is a located warning, with a suggestion', () => {
    const text = good.replace(`'{ "id": $string(response.id), "name": response.name }'`, `'{ "id": $string(respnse.id), "name": response.name, "e": response.emails[primary].email, "u": undefined }'`);
    const engine = load(['lint.yaml', text]);
    const warnings = engine.problems.filter((p) => p.code === 'unknown_binding');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ severity: 'warning', location: { line: 12, column: 44, slot: 'response_mapping' } });
    expect(warnings[0]!.message).toContain('did you mean `response`?');
    // A warning does not stop the integration from loading.
    expect(engine.integrations.has('good')).toBe(true);
  });
});
