// The coverage view: which unified fields each integration maps, per method.
import type { CoverageResponse, CoverageRow } from './api.js';
import { h } from './dom.js';

export interface CoverageOptions {
  /** Which operations each integration implements at all (`mdm/users.create`). */
  implemented: Map<string, Set<string>>;
  open(integration: string, operation: string): void;
}

const kindLabel: Record<CoverageRow['kind'], string> = { request: 'body', response: 'result', query: 'query' };

export function coverageTable(coverage: CoverageResponse, options: CoverageOptions): HTMLElement {
  const groups = new Map<string, CoverageRow[]>();
  for (const row of coverage.rows) {
    const key = `${row.resource}.${row.method}`;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  const share = (integration: string) => {
    const supported = coverage.rows.filter((row) => row.supported.includes(integration)).length;
    return coverage.rows.length ? Math.round((supported / coverage.rows.length) * 100) : 0;
  };

  const head = h('tr', {},
    h('th', { class: 'cov-field' }, 'Field'),
    h('th', { class: 'cov-kind' }, 'Kind'),
    ...coverage.integrations.map((name) => h('th', { class: 'cov-int', title: `${name} maps ${share(name)}% of the fields` }, h('div', {}, name), h('div', { class: 'cov-share' }, `${share(name)}%`))),
  );
  const body = h('tbody');
  for (const [operationKey, rows] of groups) {
    const operation = `${coverage.model}/${operationKey}`;
    body.appendChild(h('tr', { class: 'cov-group' },
      h('th', { colspan: 2, scope: 'rowgroup' }, operationKey),
      ...coverage.integrations.map((integration) => {
        const has = options.implemented.get(integration)?.has(operation) ?? false;
        return h('td', {
          class: `cov-method ${has ? 'has' : 'none'}`,
          'data-testid': 'coverage-method',
          'data-integration': integration,
          'data-operation': operation,
          title: has ? `open ${integration}'s ${operation}` : `${integration} does not implement ${operation}`,
          onclick: () => options.open(integration, operation),
        }, has ? '●' : '—');
      }),
    ));
    for (const row of rows) {
      body.appendChild(h('tr', {},
        h('td', { class: 'cov-field' }, row.field),
        h('td', { class: `cov-kind kind-${row.kind}` }, kindLabel[row.kind] ?? row.kind),
        ...coverage.integrations.map((integration) => {
          const required = row.required.includes(integration);
          const supported = required || row.supported.includes(integration);
          const state = required ? 'required' : supported ? 'supported' : 'unsupported';
          return h('td', {
            class: `cov-cell ${state}`,
            'data-testid': 'coverage-cell',
            'data-integration': integration,
            'data-operation': operation,
            'data-state': state,
            title: `${integration} ${operation} ${kindLabel[row.kind] ?? row.kind} \`${row.field}\`: ${state === 'unsupported' ? 'not supported' : state}`,
            onclick: () => options.open(integration, operation),
          }, required ? 'req' : supported ? '✓' : '');
        }),
      ));
    }
  }
  return h('table', { class: 'coverage', 'data-testid': 'coverage-table' }, h('thead', {}, head), body);
}

export function coverageLegend(): HTMLElement {
  return h('div', { class: 'cov-legend' },
    h('span', { class: 'cov-cell required' }, 'req'), ' supported and required ',
    h('span', { class: 'cov-cell supported' }, '✓'), ' supported ',
    h('span', { class: 'cov-cell unsupported' }, '\u00a0'), ' not supported ',
    h('span', { class: 'hint' }, '· click a cell to open that mapping'),
  );
}
