/**
 * The README's options table must not drift from the code: every default it quotes equals the
 * value in CONNECTION_DEFAULTS (or, for the two options without an entry there, what
 * resolveConnectionOptions fills in), and every option in CONNECTION_DEFAULTS has a row.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { asyncScheduler } from 'rxjs';
import { CONNECTION_DEFAULTS } from '../../lib';
import { resolveConnectionOptions } from '../../lib/connection/options';
import { ROOT } from './code-blocks';

interface OptionRow {
  readonly option: string;
  readonly quoted: string;
}

/** The rows of the first table under "## Options": `option` in backticks, then the default as written. */
function optionRows(markdown: string): OptionRow[] {
  const section = markdown.slice(markdown.indexOf('\n## Options\n'));
  const lines = section.split('\n').slice(2);
  const end = lines.findIndex((line) => /^#{2,} /.test(line));
  return (end < 0 ? lines : lines.slice(0, end))
    .map((line) => /^\| `(\w+)` \| ([^|]+) \|/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({ option: match[1] ?? '', quoted: (match[2] ?? '').trim() }));
}

/** Reads a default as the README writes it: `1,048,576`, `0.01`, `2^64-1`. */
function parseQuoted(quoted: string): string {
  const plain = quoted.replace(/,/g, '');
  const power = /^2\^(\d+)-1$/.exec(plain);
  return power ? String(2n ** BigInt(power[1] ?? '0') - 1n) : plain;
}

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const rows = optionRows(readme);
const defaults: Record<string, string | number | bigint> = CONNECTION_DEFAULTS;

describe('README options table', () => {
  it('has one row per option, each documented once', () => {
    expect(rows.length).toBeGreaterThan(0);
    const names = rows.map((row) => row.option);
    expect(new Set(names).size).toBe(names.length);
  });

  it('lists every option of CONNECTION_DEFAULTS', () => {
    const documented = new Set(rows.map((row) => row.option));
    expect(Object.keys(CONNECTION_DEFAULTS).filter((option) => !documented.has(option))).toEqual([]);
  });

  it.each(Object.keys(CONNECTION_DEFAULTS))('quotes the default of %s exactly as CONNECTION_DEFAULTS has it', (option) => {
    const row = rows.find((r) => r.option === option);
    expect(row && parseQuoted(row.quoted)).toBe(String(defaults[option]));
  });

  it('documents only the two options that have no CONNECTION_DEFAULTS entry, with what resolving {} gives', () => {
    const others = rows.filter((row) => !(row.option in CONNECTION_DEFAULTS));
    expect(others).toEqual([
      { option: 'minExchangeRate', quoted: 'none' },
      { option: 'scheduler', quoted: '`asyncScheduler`' },
    ]);
    const resolved = resolveConnectionOptions({});
    expect(resolved.minExchangeRate).toBeUndefined();
    expect(resolved.scheduler).toBe(asyncScheduler);
  });
});
