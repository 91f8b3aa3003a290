import { describe, expect, it } from 'vitest';
import { isGateScenario, selectScenarios } from './suite.ts';

describe('selectScenarios', () => {
  it('leaves soak and ladder out of the default gate, baseline and paired suites', () => {
    for (const mode of ['gate', 'baseline', 'ab'] as const) {
      const names = selectScenarios(undefined, mode);
      expect(names).toContain('sse/sustained');
      expect(names.filter((n) => !isGateScenario(n))).toEqual([]);
    }
  });

  it('adds a soak only when its profile is named: `sse/*` does not add ten minutes', () => {
    expect(selectScenarios('sse/*', 'gate')).not.toContain('sse/soak');
    expect(selectScenarios('sse/*', 'ab')).not.toContain('sse/soak');
    expect(selectScenarios('sse/soak', 'gate')).toEqual(['sse/soak']);
    expect(selectScenarios('*/soak', 'gate').sort()).toEqual(['broker/soak', 'jsonrpc/soak', 'price-engine/soak', 'sse/soak']);
  });

  it('gates a soak without a baseline (absolute limits), but names a missing baseline elsewhere', () => {
    expect(selectScenarios('sse/soak,sse/churn', 'gate').sort()).toEqual(['sse/churn', 'sse/soak']);
    expect(() => selectScenarios('jsonrpc/ladder', 'gate')).toThrow(/no baseline for jsonrpc\/ladder/);
  });
});
