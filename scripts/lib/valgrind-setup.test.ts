import { describe, expect, it } from 'vitest';
import { ensureValgrind, VALGRIND_INSTALL_COMMAND, type SetupTools } from './valgrind-setup.ts';

function tools(over: Partial<SetupTools> & { onPath?: string[]; installs?: boolean }): SetupTools & { lines: string[]; ran: string[] } {
  const onPath = new Set(over.onPath ?? []);
  const lines: string[] = [];
  const ran: string[] = [];
  return {
    lines,
    ran,
    isRoot: over.isRoot ?? false,
    which: (name) => (onPath.has(name) ? `/usr/bin/${name}` : undefined),
    log: (line) => lines.push(line),
    runInherit: async (cmd, args) => {
      ran.push([cmd, ...args].join(' '));
      if (over.installs !== false && args[0] === 'install') onPath.add('valgrind');
      return 0;
    },
  };
}

describe('setup: valgrind', () => {
  it('does nothing when valgrind is on PATH', async () => {
    const t = tools({ onPath: ['valgrind', 'apt-get'], isRoot: true });
    expect(await ensureValgrind(t)).toBe(true);
    expect(t.ran).toEqual([]);
  });

  it('installs Debian\'s valgrind as root', async () => {
    const t = tools({ onPath: ['apt-get'], isRoot: true });
    expect(await ensureValgrind(t)).toBe(true);
    expect(t.ran).toEqual(['apt-get update', 'apt-get install -y --no-install-recommends valgrind']);
    expect(t.lines.at(-1)).toBe('valgrind: installed /usr/bin/valgrind');
  });

  it('prints the command to run when not root, and goes on', async () => {
    const t = tools({ onPath: ['apt-get'] });
    expect(await ensureValgrind(t)).toBe(false);
    expect(t.ran).toEqual([]);
    expect(t.lines.join('\n')).toContain(VALGRIND_INSTALL_COMMAND);
    expect(t.lines.join('\n')).toMatch(/--skip-cost/);
  });

  it('says where to get it without apt-get, and fails loudly when an install leaves it missing', async () => {
    const none = tools({});
    expect(await ensureValgrind(none)).toBe(false);
    expect(none.lines[0]).toMatch(/not a Debian\/Ubuntu system.*valgrind\.org/);
    await expect(ensureValgrind(tools({ onPath: ['apt-get'], isRoot: true, installs: false }))).rejects.toThrow(/still not on PATH/);
  });
});
