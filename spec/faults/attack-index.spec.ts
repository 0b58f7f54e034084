/**
 * Keeps the attack matrix complete: every edge case and attack of the research checklist
 * (../shared/research/spec-checklist.md §3, ids E1 to E40) must be named, as a whole word, in the
 * title of some it(...) or test(...) under spec/. Skipped and todo tests do not count, and titles of
 * it.each(table)(...) are not read (their table comes first): name the id in a plain it. A failure
 * lists the ids that lost their test.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const SPEC_ROOT = join(__dirname, '..');
const ATTACK_IDS = Array.from({ length: 40 }, (_, i) => `E${i + 1}`);

// it('...'), test("..."), it.only(`...`), test.failing('...'); not it.skip, xit or it.todo.
const TITLE = /(?<![\w.$])(?:it|test)(?:\.(?:only|failing|concurrent))?\s*\(\s*(['"`])((?:\\[\s\S]|(?!\1)[^\\])*)\1/g;

/** The titles of the runnable tests in a source text. */
export function testTitles(source: string): string[] {
  return [...source.matchAll(TITLE)].map((match) => match[2] ?? '');
}

/** The ids no title mentions as a whole word (E1 does not count for E12). */
export function missingIds(titles: readonly string[], ids: readonly string[]): string[] {
  return ids.filter((id) => !titles.some((title) => new RegExp(`\\b${id}\\b`).test(title)));
}

function specFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : specFiles(path);
    return entry.name.endsWith('.ts') && path !== __filename ? [path] : [];
  });
}

describe('the attack matrix (checklist §3)', () => {
  it('the title scanner reads it/test titles in any quote style and ignores skipped tests', () => {
    const source = [
      "it('E3: unknown frames are skipped', () => {});",
      'test("E5 and E6: replies", () => {});',
      'it.only(`E7 ${name}`, () => {});',
      "it.skip('E8: skipped', () => {});",
      "xit('E9: skipped', () => {});",
      "describe('E10: a describe is not a test', () => {});",
      "it('E12: leading zeros', () => {});",
    ].join('\n');
    const titles = testTitles(source);
    expect(titles).toEqual(['E3: unknown frames are skipped', 'E5 and E6: replies', 'E7 ${name}', 'E12: leading zeros']);
    expect(missingIds(titles, ['E1', 'E3', 'E5', 'E6', 'E7', 'E8', 'E9', 'E10', 'E12'])).toEqual(['E1', 'E8', 'E9', 'E10']);
  });

  it('every edge case and attack id of the checklist names at least one test under spec/', () => {
    const titles = specFiles(SPEC_ROOT).flatMap((file) => testTitles(readFileSync(file, 'utf8')));
    expect(titles.length).toBeGreaterThan(100);
    const missing = missingIds(titles, ATTACK_IDS);
    expect({ missing, where: relative(process.cwd(), SPEC_ROOT) }).toEqual({ missing: [], where: relative(process.cwd(), SPEC_ROOT) });
  });
});
