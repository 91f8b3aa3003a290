import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readGeneratedSection } from '../doc-sections.ts';
import { repoPath } from '../repo.ts';
import { renderMethodSection } from './method-doc.ts';

describe('docs/GATE.md', () => {
  it('its Method section is the one the code renders (regenerate: `npm run gate:accuracy -- --mode method`)', () => {
    const section = readGeneratedSection(readFileSync(repoPath('docs', 'GATE.md'), 'utf8'), 'method');
    expect(section).toBe(renderMethodSection(0.01).trimEnd());
  });
});
