/**
 * Generated sections inside hand-written documents: the text between `<!-- generated:NAME begin -->` and
 * `<!-- generated:NAME end -->` belongs to a generator, the rest to people, so regenerating one part of
 * docs/GATE.md never erases another.
 */

function markers(name: string): { begin: string; end: string } {
  return { begin: `<!-- generated:${name} begin -->`, end: `<!-- generated:${name} end -->` };
}

/** The generated section `name` of `doc` without its markers, or null when the document has none. */
export function readGeneratedSection(doc: string, name: string): string | null {
  const { begin, end } = markers(name);
  const from = doc.indexOf(begin);
  const to = doc.indexOf(end);
  if (from < 0 || to < from) return null;
  return doc.slice(from + begin.length, to).replace(/^\n/, '').replace(/\n$/, '');
}

/**
 * `doc` with section `name` replaced by `body`; a document without that section gets it appended at the end.
 * @throws when the markers are broken (one without the other, or out of order): a person's edit to fix by hand
 */
export function replaceGeneratedSection(doc: string, name: string, body: string): string {
  const { begin, end } = markers(name);
  const from = doc.indexOf(begin);
  const to = doc.indexOf(end);
  const block = `${begin}\n${body.replace(/\n+$/, '')}\n${end}`;
  if (from < 0 && to < 0) return `${doc.replace(/\n+$/, '')}\n\n${block}\n`;
  if (from < 0 || to < from) throw new Error(`the markers of generated section "${name}" are broken: expected "${begin}" before "${end}"`);
  return `${doc.slice(0, from)}${block}${doc.slice(to + end.length)}`;
}
