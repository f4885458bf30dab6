// The mapping studio in a real headless Chromium against the real studio server, on a copy of
// mappings/ (saving never touches the repository's files). The tests share one page and run in
// order, like an author's session: edit, break, fix and save, record a fixture, run the
// fixtures, then the coverage tab. STUDIO_SCREENSHOTS=1 also writes docs/studio/*.png.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildStudioPage } from '../../engine/studio/build-page.js';
import { startStudio, type Studio } from '../../engine/studio/server.js';

const run = promisify(execFile);
const root = process.cwd();
const screenshots = process.env.STUDIO_SCREENSHOTS === '1';
const WAIT = { timeout: 30_000 };
// Debian's Chromium (.ci/run installs it). Without it these tests are skipped on a developer's
// machine, with a note, but never in CI, where a missing browser must fail.
const chromiumPath = process.env.UNIMAP_CHROMIUM ?? '/usr/bin/chromium';
const browserAvailable = existsSync(chromiumPath) || Boolean(process.env.CI);
if (!browserAvailable) console.warn(`studio browser tests skipped: no Chromium at ${chromiumPath} (apt-get install chromium, or set UNIMAP_CHROMIUM)`);

let tmp: string;
let mappings: string;
let studio: Studio;
let browser: Browser;
let page: Page;

/** The slot text the server loads for jamf users.create (read from the API, as the page does). */
let originalBodyMapping: string;
let originalYaml: string;

beforeAll(async () => {
  if (!browserAvailable) return;
  tmp = await mkdtemp(join(tmpdir(), 'unimap-studio-'));
  mappings = join(tmp, 'mappings');
  await cp(join(root, 'mappings'), mappings, { recursive: true });
  originalYaml = await readFile(join(mappings, 'jamf.yaml'), 'utf8');
  // The page is built from the current source into the temp dir, so a stale dist/studio never hides a change.
  const assets = join(tmp, 'assets');
  await buildStudioPage(assets);
  studio = await startStudio({ port: 0, mappings, assets });
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.setDefaultTimeout(30_000);
  const response = await fetch(`${studio.url}api/method?integration=jamf&model=mdm&resource=users&method=create`);
  const method = (await response.json()) as { slots: { key: string; source: string }[] };
  originalBodyMapping = method.slots.find((s) => s.key === 'request_body_mapping')!.source;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await studio?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

async function screenshot(name: string): Promise<void> {
  if (!screenshots) return;
  await mkdir(join(root, 'docs/studio'), { recursive: true });
  await page.screenshot({ path: join(root, 'docs/studio', `${name}.png`) });
}

/** Replaces a CodeMirror editor's whole text the way typing does (select all, then insert). */
async function setEditor(testid: string, text: string): Promise<void> {
  await page.locator(`[data-testid="${testid}"] .cm-content`).click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.insertText(text);
  await page.waitForFunction(
    ([id, expected]) => Array.from(document.querySelectorAll(`[data-testid="${id}"] .cm-line`), (l) => l.textContent).join('\n') === expected,
    [testid, text] as const,
    WAIT,
  );
}

const textOf = (testid: string) => page.locator(`[data-testid="${testid}"]`).innerText();

/** Line 3 of request_body_mapping, `  $email := … ;`, with a change. */
function withLine3(source: string, edit: (line: string) => string): string {
  const lines = source.split('\n');
  lines[2] = edit(lines[2]);
  return lines.join('\n');
}

describe.skipIf(!browserAvailable)('the mapping studio page', () => {
  test('(a) jamf users.create: editing the unified body changes the remote request', async () => {
    await page.goto(studio.url);
    await page.selectOption('[data-testid="integration-select"]', 'jamf');
    await page.selectOption('[data-testid="operation-select"]', 'mdm/users.create');
    await page.waitForFunction(() => location.hash === '#jamf/mdm/users.create', undefined, WAIT);
    await page.locator('[data-testid="slot-editor-request_body_mapping"] .cm-content').waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid="remote-request"]')?.textContent?.includes('/api/v1/users'), undefined, WAIT);
    expect(await textOf('config-yaml')).toContain('request_body_mapping');

    // Not JSON: an inline error, and no run.
    await setEditor('input-body', '{ "name": ');
    await page.waitForFunction(() => document.querySelector('[data-testid="input-error-body"]')?.textContent?.includes('line 1'), undefined, WAIT);
    expect(await textOf('run-status')).toContain('not JSON');

    await setEditor('input-body', JSON.stringify({ name: 'Studio Tester', emails: [{ email: 'studio.tester@example.com', is_primary: true, type: 'work' }], remote_data: {} }, null, 2));
    await page.waitForFunction(() => document.querySelector('[data-testid="remote-request"]')?.textContent?.includes('"username": "Studio Tester"'), undefined, WAIT);
    expect(await textOf('input-error-body')).toBe('');
    const request = await textOf('remote-request');
    expect(request).toContain('POST https://yourcompany.jamfcloud.com/api/v1/users');
    expect(request).toContain('"email": "studio.tester@example.com"');
    // The response side ran too (the prefilled fixture has a response): its steps and the result.
    const steps = await page.locator('[data-testid="step"]').evaluateAll((items) => items.map((item) => item.getAttribute('data-step')));
    expect(steps).toEqual(expect.arrayContaining(['request_body_mapping', 'remote_request', 'response_mapping', 'result']));
    await page.waitForFunction(() => document.querySelector('[data-testid="unified-result"]')?.textContent?.includes('"first_name": "Studio"'), undefined, WAIT);
    await screenshot('method');
  }, 60_000);

  test('(b) a JSONata syntax error is shown with its line and as a lint diagnostic', async () => {
    const broken = withLine3(originalBodyMapping, (line) => line.replace(/;$/, ' ];'));
    expect(broken).not.toBe(originalBodyMapping);
    await setEditor('slot-editor-request_body_mapping', broken);
    const error = page.locator('[data-testid="slot-error-request_body_mapping"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="slot-error-request_body_mapping"]')?.textContent?.includes('line 3'), undefined, WAIT);
    expect(await error.innerText()).toMatch(/^line 3, column \d+: /);
    const editor = page.locator('[data-testid="slot-editor-request_body_mapping"]');
    await expect.poll(() => editor.locator('.cm-lintRange-error').count(), WAIT).toBeGreaterThan(0);
    // The diagnostic is on the third line of the editor.
    const lineOfMark = await editor.locator('.cm-lintRange-error').first().evaluate((mark) => {
      const line = mark.closest('.cm-line');
      return Array.from(line?.parentElement?.children ?? []).indexOf(line!) + 1;
    });
    expect(lineOfMark).toBe(3);
    expect(await editor.locator('.cm-lint-marker-error').count()).toBeGreaterThan(0);
    await screenshot('jsonata-error');
  }, 60_000);

  test('(c) fixing the slot and saving writes the YAML, comments intact', async () => {
    const fixed = withLine3(originalBodyMapping, (line) => `${line} /* studio edit */`);
    await setEditor('slot-editor-request_body_mapping', fixed);
    await page.waitForFunction(() => document.querySelector('[data-testid="slot-error-request_body_mapping"]')?.textContent === '', undefined, WAIT);
    await expect.poll(() => page.locator('[data-testid="slot-editor-request_body_mapping"] .cm-lintRange-error').count(), WAIT).toBe(0);
    await page.click('[data-testid="save"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="save-status"]')?.textContent?.startsWith('Saved '), undefined, WAIT);
    expect(await textOf('save-status')).toContain('jamf.yaml');

    const saved = await readFile(join(mappings, 'jamf.yaml'), 'utf8');
    expect(saved).not.toBe(originalYaml);
    expect(saved).toContain('$email := $primary ? $primary.email : body.emails[0].email; /* studio edit */');
    const comments = originalYaml.split('\n').filter((line) => line.trimStart().startsWith('#'));
    expect(comments.length).toBeGreaterThan(10);
    for (const comment of comments) expect(saved.split('\n')).toContain(comment);
    // Only that one line changed: the rest of the file is byte for byte what it was.
    const line3 = withLine3(originalBodyMapping, (l) => l).split('\n')[2];
    expect(saved).toBe(originalYaml.replace(line3, `${line3} /* studio edit */`));
    // The repository's own file is untouched.
    expect(await readFile(join(root, 'mappings/jamf.yaml'), 'utf8')).toBe(originalYaml);
  }, 60_000);

  test('(d) "Save as fixture" writes a fixture that `unimap test` runs green', async () => {
    await page.fill('[data-testid="fixture-name"]', 'Studio tester');
    await page.click('[data-testid="save-fixture"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="fixture-status"]')?.textContent?.startsWith('Saved fixture'), undefined, WAIT);
    const file = join(mappings, 'jamf', 'users.create.studio-tester.yaml');
    const fixture = await readFile(file, 'utf8');
    expect(fixture).toContain('name: Studio tester');
    expect(fixture).toContain('username: Studio Tester');
    expect(await textOf('fixture-status')).toContain('users.create.studio-tester.yaml');
    // The picker lists it now.
    expect(await page.locator('[data-testid="fixture-picker"] option', { hasText: 'Studio tester' }).count()).toBe(1);

    const env = { ...process.env, NO_COLOR: '1' };
    const cli = ['engine/cli/unimap.js', 'test'];
    // The whole temp folder, against its own (edited) definitions: everything passes.
    const all = await run(process.execPath, [...cli, mappings, '--definitions', mappings], { cwd: root, env, maxBuffer: 20 * 1024 * 1024 });
    expect(all.stdout).toMatch(/^\d+ passed, 0 failed$/m);
    // `unimap test` lists only failures, so the new fixture is named through --filter: it is the one that ran.
    const one = await run(process.execPath, [...cli, mappings, '--definitions', mappings, '--filter', 'Studio tester'], { cwd: root, env });
    expect(one.stdout).toMatch(/^1 passed, 0 failed$/m);
  }, 60_000);

  test('(e) "Run fixtures" shows one row per fixture of the method, passed or failed', async () => {
    const files = (await readdir(join(mappings, 'jamf'))).filter((f) => f.startsWith('users.create.') && f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThanOrEqual(4);
    await page.click('[data-testid="run-fixtures"]');
    await expect.poll(() => page.locator('[data-testid="fixture-result"]').count(), WAIT).toBe(files.length);
    const rows = await page.locator('[data-testid="fixture-result"]').evaluateAll((items) =>
      items.map((item) => ({ file: item.getAttribute('data-file') ?? '', passed: item.classList.contains('passed'), failed: item.classList.contains('failed'), text: item.textContent ?? '' })),
    );
    for (const row of rows) expect(row.passed !== row.failed).toBe(true);
    expect(rows.map((r) => r.file.split(/[\\/]/).pop()).sort()).toEqual(files.sort());
    expect(rows.find((r) => r.file.endsWith('users.create.studio-tester.yaml'))).toMatchObject({ passed: true });
    expect(rows.every((r) => r.passed)).toBe(true);
    expect(await textOf('fixture-results')).toContain(`${files.length} passed, 0 failed`);

    // A saved change that breaks the recorded results: the rows say which, each with a diff.
    const yamlBefore = await readFile(join(mappings, 'jamf.yaml'), 'utf8');
    const method = (await (await fetch(`${studio.url}api/method?integration=jamf&model=mdm&resource=users&method=create`)).json()) as { slots: { key: string; source: string }[] };
    const responseMapping = method.slots.find((slot) => slot.key === 'response_mapping')!.source;
    expect(responseMapping).toContain('"name": body.name');
    await setEditor('slot-editor-response_mapping', responseMapping.replace('"name": body.name', '"name": $uppercase(body.name)'));
    await page.click('[data-testid="save"]');
    await expect.poll(() => readFile(join(mappings, 'jamf.yaml'), 'utf8'), WAIT).toContain('"name": $uppercase(body.name)');
    await page.click('[data-testid="run-fixtures"]');
    const failed = page.locator('[data-testid="fixture-result"].failed');
    await expect.poll(() => failed.count(), WAIT).toBeGreaterThan(0);
    expect(await page.locator('[data-testid="fixture-result"]').count()).toBe(files.length);
    const studioRow = page.locator('[data-testid="fixture-result"][data-file$="users.create.studio-tester.yaml"]');
    expect(await studioRow.getAttribute('class')).toContain('failed');
    expect(await studioRow.locator('.d-del').allInnerTexts()).toContain('-   "name": "Studio Tester",');
    expect(await studioRow.locator('.d-add').allInnerTexts()).toContain('+   "name": "STUDIO TESTER",');
    // The fixture that expects an error is not affected.
    expect(await page.locator('[data-testid="fixture-result"][data-file$="users.create.missing-required.yaml"]').getAttribute('class')).toContain('passed');
    await screenshot('fixtures');

    // Undo: the file is back to what it was.
    await setEditor('slot-editor-response_mapping', responseMapping);
    await page.click('[data-testid="save"]');
    await expect.poll(() => readFile(join(mappings, 'jamf.yaml'), 'utf8'), WAIT).toBe(yamlBefore);
  }, 60_000);

  test('(f) the coverage tab shows the matrix; a jamf cell opens that mapping', async () => {
    // Start from another integration, so the click has to switch.
    await page.selectOption('[data-testid="integration-select"]', 'fleet');
    await page.waitForFunction(() => location.hash.startsWith('#fleet/'), undefined, WAIT);
    await page.click('[data-testid="tab-coverage"]');
    const table = page.locator('[data-testid="coverage-table"]');
    await table.waitFor(WAIT);
    expect(await page.locator('#mapping-view').isHidden()).toBe(true);
    const states = await page.locator('[data-testid="coverage-cell"]').evaluateAll((cells) => cells.map((c) => c.getAttribute('data-state')));
    expect(states.length).toBeGreaterThan(50);
    expect(new Set(states)).toEqual(new Set(['required', 'supported', 'unsupported']));
    const headers = await table.locator('thead th').allInnerTexts();
    expect(headers.join(' ')).toContain('jamf');
    await screenshot('coverage');

    const cell = page.locator('[data-testid="coverage-cell"][data-integration="jamf"][data-operation="mdm/users.get"]').first();
    await cell.scrollIntoViewIfNeeded();
    await cell.click();
    await page.waitForFunction(() => location.hash === '#jamf/mdm/users.get', undefined, WAIT);
    await page.locator('[data-testid="slot-editor-response_mapping"] .cm-content').waitFor(WAIT);
    expect(await page.locator('[data-testid="integration-select"]').inputValue()).toBe('jamf');
    expect(await page.locator('[data-testid="operation-select"]').inputValue()).toBe('mdm/users.get');
    expect(await page.locator('#coverage-view').isHidden()).toBe(true);
    await page.waitForFunction(() => document.querySelector('[data-testid="remote-request"]')?.textContent?.includes('GET https://'), undefined, WAIT);

    // The hash is a link: a reload opens the same method.
    await page.reload();
    await page.locator('[data-testid="slot-editor-response_mapping"] .cm-content').waitFor(WAIT);
    expect(await page.locator('[data-testid="operation-select"]').inputValue()).toBe('mdm/users.get');
  }, 60_000);
});
