import { describe, expect, it } from 'vitest';
import { fakeSetupTools } from './debian-step-testing.ts';
import { COST_TOOLS_INSTALL_COMMAND, ensureCostTools, type CostSetupTools as SetupTools } from './cost-tools-setup.ts';

function tools(over: { onPath?: string[]; isRoot?: boolean; installs?: boolean; libfaketime?: boolean }): SetupTools & { lines: string[]; ran: string[] } {
  let libfaketime = over.libfaketime ?? false;
  const installs = over.installs !== false;
  const fake = fakeSetupTools({ ...over, installed: installs ? ['valgrind'] : [], onInstall: () => (libfaketime ||= installs) });
  return { ...fake, hasLibfaketime: () => libfaketime };
}

describe('setup: the cost probe\'s valgrind and libfaketime', () => {
  it('does nothing when both are there', async () => {
    const t = tools({ onPath: ['valgrind', 'apt-get'], isRoot: true, libfaketime: true });
    expect(await ensureCostTools(t)).toBe(true);
    expect(t.ran).toEqual([]);
  });

  it('installs Debian\'s packages as root when one is missing', async () => {
    const t = tools({ onPath: ['apt-get', 'valgrind'], isRoot: true });
    expect(await ensureCostTools(t)).toBe(true);
    expect(t.ran).toEqual(['apt-get update', 'apt-get install -y --no-install-recommends valgrind libfaketime']);
    expect(t.lines.at(-1)).toBe('cost probe: installed /usr/bin/valgrind and libfaketime');
  });

  it('prints the command to run when not root, names what is missing, and goes on', async () => {
    const t = tools({ onPath: ['apt-get'] });
    expect(await ensureCostTools(t)).toBe(false);
    expect(t.ran).toEqual([]);
    expect(t.lines[0]).toBe('cost probe: valgrind and libfaketime missing. Install with:');
    expect(t.lines.join('\n')).toContain(COST_TOOLS_INSTALL_COMMAND);
    expect(t.lines.join('\n')).toMatch(/--skip-cost/);
  });

  it('says where to get them without apt-get, and fails loudly when an install leaves one missing', async () => {
    const none = tools({});
    expect(await ensureCostTools(none)).toBe(false);
    expect(none.lines[0]).toMatch(/not a Debian\/Ubuntu system.*valgrind\.org/);
    await expect(ensureCostTools(tools({ onPath: ['apt-get'], isRoot: true, installs: false }))).rejects.toThrow(/still cannot be found/);
  });
});
