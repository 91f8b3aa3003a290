import { describe, expect, it } from 'vitest';
import { readGeneratedSection, replaceGeneratedSection } from './doc-sections.ts';

describe('generated sections', () => {
  const doc = '# Title\n\nby hand\n\n<!-- generated:a begin -->\nold\n<!-- generated:a end -->\n\nalso by hand\n';

  it('replaces only the text between the markers', () => {
    const out = replaceGeneratedSection(doc, 'a', 'new\nlines\n');
    expect(out).toBe('# Title\n\nby hand\n\n<!-- generated:a begin -->\nnew\nlines\n<!-- generated:a end -->\n\nalso by hand\n');
    expect(readGeneratedSection(out, 'a')).toBe('new\nlines');
  });

  it('appends a section the document does not have yet', () => {
    const out = replaceGeneratedSection(doc, 'b', 'fresh');
    expect(out.endsWith('also by hand\n\n<!-- generated:b begin -->\nfresh\n<!-- generated:b end -->\n')).toBe(true);
    expect(readGeneratedSection(out, 'a')).toBe('old');
    expect(readGeneratedSection(doc, 'b')).toBeNull();
  });

  it('refuses broken markers instead of guessing', () => {
    expect(() => replaceGeneratedSection('<!-- generated:a end -->\n<!-- generated:a begin -->', 'a', 'x')).toThrow(/broken/);
    expect(() => replaceGeneratedSection('<!-- generated:a begin -->\nx', 'a', 'y')).toThrow(/broken/);
  });
});
