import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exportHeader, exportRow } from '../../functions/ops/export.ts';
import { csvCell, csvRow, UTF8_BOM } from '../../functions/shared/csv.ts';
import { lead } from '../support/factories.ts';

/** Reads one CSV row back as RFC 4180 says (quoted fields, doubled quotes), to check what a spreadsheet sees. */
function parseRow(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      cells.push(cell);
      cell = '';
    } else cell += c;
  }
  cells.push(cell);
  return cells;
}

describe('CSV for spreadsheets', () => {
  it('makes a would-be formula text, so a lead named =HYPERLINK(…) runs nothing', () => {
    for (const evil of ['=HYPERLINK("http://x","y")', '+966501234567', '-2+3', '@SUM(A1)', '\tx'])
      expect(csvCell(evil).replace(/^"/, '').startsWith("'")).toBe(true);
    expect(csvCell('Sara')).toBe('Sara');
  });

  it('round-trips any text: commas, quotes, line breaks, RTL and emoji come back as they were', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'grapheme', maxLength: 40 }), { minLength: 1, maxLength: 6 }),
        (cells) => {
          // A cell that starts with an apostrophe already is left as it is; the reading below strips the one added.
          fc.pre(cells.every((c) => !c.startsWith("'")));
          const line = csvRow(cells).slice(0, -2);
          const back = parseRow(line).map((c) => (/^'[=+\-@\t\r]/.test(c) ? c.slice(1) : c));
          return JSON.stringify(back) === JSON.stringify(cells);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("writes the columns a manager expects, the owner by name and the last note's words", () => {
    expect(exportHeader()).toBe(
      'created,submitted,source,campaign,name,email,phone,status,owner,score,grade,segments,first contact minutes,last note\r\n',
    );
    const row = exportRow(
      {
        ...lead({
          contact: { name: 'سارا احمدی', email: 'sara@example.com', phone: '0501234567' },
          ownerId: 'sara',
          segments: ['gulf', 'vip'],
          submittedAt: '2026-03-19T16:00:00.000Z',
          firstContactAt: '2026-03-19T16:12:30.000Z',
          attribution: { utm: { campaign: 'ramadan' } },
          lastNote: { at: '2026-03-19T17:00:00.000Z', by: 'sara', text: 'Wants, "two" flats' },
        }),
      },
      new Map([['sara', 'Sara A.']]),
    );
    const cells = parseRow(row.slice(0, -2));
    expect(cells).toEqual([
      '2026-03-19T16:00:01.000Z',
      '2026-03-19T16:00:00.000Z',
      'web-form',
      'ramadan',
      'سارا احمدی',
      'sara@example.com',
      "'+966501234567",
      'new',
      'Sara A.',
      '30',
      '',
      'gulf vip',
      '12.5',
      'Wants, "two" flats',
    ]);
    expect(UTF8_BOM).toBe('\uFEFF');
  });
});
