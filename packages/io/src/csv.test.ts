import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorOf, tempFiles } from '../test/support/data-files.js';
import { loadCsv, parseCsv } from './csv.js';

const { dir, file } = tempFiles('csv', 'csv');

describe('loadCsv', () => {
  it('reads numeric columns with a header and a label column by name', () => {
    const p = file('a,b,label,c\n1,2,0,3\n4.5,-5,1,6e2\n7,8,2,.5\n');
    const d = loadCsv(p, { labelColumn: 'label' });
    expect(d.x.shape).toEqual([3, 3]);
    expect(d.x.dtype).toBe('float32');
    expect(d.x.toArray()).toEqual([[1, 2, 3], [4.5, -5, 600], [7, 8, 0.5]]);
    expect(d.y!.shape).toEqual([3]);
    expect(d.y!.toArray()).toEqual([0, 1, 2]);
    expect(d.columns).toEqual(['a', 'b', 'c']);
    expect(d.label).toBe('label');
    expect(d.classes).toBeNull();
    expect(d.missing).toEqual([]);
    expect(d.skippedRows).toEqual([]);
  });

  it('takes the label column by index, negative from the end, or none', () => {
    const p = file('x1,x2,y\n1,2,3\n4,5,6\n');
    expect(loadCsv(p, { labelColumn: 0 }).y!.toArray()).toEqual([1, 4]);
    const last = loadCsv(p, { labelColumn: -1 });
    expect(last.y!.toArray()).toEqual([3, 6]);
    expect(last.columns).toEqual(['x1', 'x2']);
    const none = loadCsv(p);
    expect(none.y).toBeNull();
    expect(none.label).toBeNull();
    expect(none.x.toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(none.columns).toEqual(['x1', 'x2', 'y']);
  });

  it('reads a file without a header, naming the columns by index', () => {
    const d = loadCsv(file('1,2,3\n4,5,6\n'), { header: false, labelColumn: 2 });
    expect(d.x.toArray()).toEqual([[1, 2], [4, 5]]);
    expect(d.y!.toArray()).toEqual([3, 6]);
    expect(d.columns).toEqual(['0', '1']);
    expect(d.label).toBe('2');
  });

  it('handles quoted fields with commas, escaped quotes and line breaks, CRLF, a BOM and blank lines', () => {
    const text = '\uFEFF"height, cm","say ""hi""","multi\nline",y\r\n"1.5", 2 ,"3",1\r\n\r\n  \r\n4,"5",  "6"  ,0\r\n';
    const d = loadCsv(file(text), { labelColumn: 'y' });
    expect(d.columns).toEqual(['height, cm', 'say "hi"', 'multi\nline']);
    expect(d.x.toArray()).toEqual([[1.5, 2, 3], [4, 5, 6]]);
    expect(d.y!.toArray()).toEqual([1, 0]);
  });

  it('counts lines across quoted line breaks in its messages', () => {
    const p = file('"a\nb",c\n1,2\n3,x\n');
    const e = errorOf(() => loadCsv(p));
    expect(e.message).toBe(`loadCsv(${p}): line 4, column 2 ("c"): "x" is not a number`);
    // The place is also kept as fields: the 1-based line, the 0-based data record, the column's name.
    expect({ fn: e.fn, path: e.path, line: e.line, row: e.row, column: e.column, offset: e.offset }).toEqual({ fn: 'loadCsv', path: p, line: 4, row: 1, column: 'c', offset: undefined });
  });

  it('takes another delimiter and float64', () => {
    const d = loadCsv(file('a;b\n0.1;2\n'), { delimiter: ';', dtype: 'float64' });
    expect(d.x.dtype).toBe('float64');
    expect(d.x.toArray()).toEqual([[0.1, 2]]);
    const t = loadCsv(file('a\tb\n1\t2\n'), { delimiter: '\t', labelColumn: 'b' });
    expect(t.y!.dtype).toBe('float32');
    expect(t.y!.toArray()).toEqual([2]);
  });

  it('reads signs, exponents and infinities, and nothing looser', () => {
    const d = loadCsv(file('a,b,c,d\n+1,-2.5e-3,inf,-Infinity\n'), { dtype: 'float64' });
    expect(d.x.toArray()).toEqual([[1, -0.0025, Infinity, -Infinity]]);
    for (const bad of ['0x10', '"1,5"', '1.2.3', '5kg', 'true']) {
      const p = file(`a,b\n1,${bad}\n`);
      expect(errorOf(() => loadCsv(p)).message).toBe(`loadCsv(${p}): line 2, column 2 ("b"): ${JSON.stringify(bad.replace(/"/g, ''))} is not a number`);
    }
  });

  describe('missing values', () => {
    const text = 'a,b,y\n1,2,0\n,3,1\n4,NA,0\n5,6,NaN\n7,8,1\n';

    it('are an error by default, naming the line and column', () => {
      const p = file(text);
      expect(errorOf(() => loadCsv(p, { labelColumn: 'y' })).message).toBe(
        `loadCsv(${p}): line 3, column 1 ("a"): missing value "" (pass missing: 'skip-row' or a fill value to accept missing cells)`,
      );
    });

    it("are reported and their rows dropped with missing: 'skip-row'", () => {
      const d = loadCsv(file(text), { labelColumn: 'y', missing: 'skip-row' });
      expect(d.x.toArray()).toEqual([[1, 2], [7, 8]]);
      expect(d.y!.toArray()).toEqual([0, 1]);
      expect(d.skippedRows).toEqual([1, 2, 3]);
      expect(d.missing).toEqual([
        { row: 1, line: 3, column: 'a', columnIndex: 0, value: '' },
        { row: 2, line: 4, column: 'b', columnIndex: 1, value: 'NA' },
        { row: 3, line: 5, column: 'y', columnIndex: 2, value: 'NaN' },
      ]);
    });

    it('are reported and filled with missing: <number>', () => {
      const d = loadCsv(file(text), { labelColumn: 'y', missing: -1 });
      expect(d.x.toArray()).toEqual([[1, 2], [-1, 3], [4, -1], [5, 6], [7, 8]]);
      expect(d.y!.toArray()).toEqual([0, 1, 0, -1, 1]);
      expect(d.missing.map((m) => [m.line, m.column])).toEqual([[3, 'a'], [4, 'b'], [5, 'y']]);
      expect(d.skippedRows).toEqual([]);
      const nan = loadCsv(file(text), { missing: Number.NaN });
      expect(Number.isNaN(nan.x.data[3])).toBe(true);
    });

    it('use naValues when given (the empty cell always counts)', () => {
      const d = loadCsv(file('a,b\n-999,2\n,3\n'), { naValues: ['-999'], missing: 0 });
      expect(d.missing.map((m) => m.value)).toEqual(['-999', '']);
      const p = file('a,b\n-999,2\nNA,4\n');
      expect(errorOf(() => loadCsv(p, { naValues: ['-999'], missing: 0 })).message).toBe(`loadCsv(${p}): line 3, column 1 ("a"): "NA" is not a number`);
    });
  });

  it('numbers string labels as classes with labels: category', () => {
    const d = loadCsv(file('sepal,petal,species\n1,2,setosa\n3,4,virginica\n5,6,versicolor\n7,8,setosa\n'), {
      labelColumn: 'species',
      labels: 'category',
    });
    expect(d.classes).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(d.y!.toArray()).toEqual([0, 2, 1, 0]);
    const numeric = loadCsv(file('x,y\n1,10\n2,2\n3,1\n'), { labelColumn: 'y', labels: 'category' });
    expect(numeric.classes).toEqual(['1', '2', '10']);
    expect(numeric.y!.toArray()).toEqual([2, 1, 0]);
    const filled = loadCsv(file('x,y\n1,a\n2,\n3,b\n'), { labelColumn: 'y', labels: 'category', missing: -1 });
    expect(filled.classes).toEqual(['a', 'b']);
    expect(filled.y!.toArray()).toEqual([0, -1, 1]);
  });

  it('returns [0, F] for a header without rows', () => {
    const d = loadCsv(file('a,b,c\n'), { labelColumn: 'c' });
    expect(d.x.shape).toEqual([0, 2]);
    expect(d.y!.shape).toEqual([0]);
  });

  describe('errors name the file and the problem', () => {
    it('a ragged row', () => {
      const p = file('a,b,c,d,e\n1,2,3,4,5\n1,2,3,4,5\n1,2,3,4,5\n1,2,3,4,5\n1,2,3,4,5\n1,2,3,4\n');
      expect(errorOf(() => loadCsv(p)).message).toBe(`loadCsv(${p}): line 7 has 4 columns, expected 5`);
      const q = file('a,b\n1,2,3\n');
      expect(errorOf(() => loadCsv(q)).message).toBe(`loadCsv(${q}): line 2 has 3 columns, expected 2`);
      const r = file('1,2\n3\n');
      expect(errorOf(() => loadCsv(r, { header: false })).message).toBe(`loadCsv(${r}): line 2 has 1 column, expected 2`);
    });

    it('a non-numeric cell', () => {
      const p = file('a,b,c\n1,2,3\n4,five,6\n');
      const e = errorOf(() => loadCsv(p));
      expect(e.message).toBe(`loadCsv(${p}): line 3, column 2 ("b"): "five" is not a number`);
      expect(e.fn).toBe('loadCsv');
      expect(e.path).toBe(p);
      const q = file('1,2\n3,x\n');
      expect(errorOf(() => loadCsv(q, { header: false })).message).toBe(`loadCsv(${q}): line 2, column 2: "x" is not a number`);
    });

    it('an unknown or ambiguous label column', () => {
      const p = file('a,b,c\n1,2,3\n');
      expect(errorOf(() => loadCsv(p, { labelColumn: 'target' })).message).toBe(
        `loadCsv(${p}): label column "target" not found; the columns are "a", "b", "c"`,
      );
      expect(errorOf(() => loadCsv(p, { labelColumn: 3 })).message).toBe(
        `loadCsv(${p}): label column index 3 is out of range for 3 columns ("a", "b", "c")`,
      );
      expect(errorOf(() => loadCsv(p, { labelColumn: -4 })).message).toContain('label column index -4 is out of range');
      const q = file('a,b,a\n1,2,3\n');
      expect(errorOf(() => loadCsv(q, { labelColumn: 'a' })).message).toBe(
        `loadCsv(${q}): label column "a" is ambiguous: columns 1 and 3 have that name`,
      );
    });

    it('an empty file, an unterminated quote, text after a closing quote', () => {
      const p = file('');
      expect(errorOf(() => loadCsv(p)).message).toBe(`loadCsv(${p}): the file is empty: no header`);
      const q = file('a,b\n1,"2\n3,4\n');
      expect(errorOf(() => loadCsv(q)).message).toBe(`loadCsv(${q}): line 2: unterminated quoted field (a '"' opened on line 2 is never closed)`);
      const r = file('a,b\n1,"2"3\n');
      expect(errorOf(() => loadCsv(r)).message).toBe(`loadCsv(${r}): line 2: unexpected "3" after the closing quote of a field`);
    });

    it('a missing file and bad options', () => {
      const p = join(dir, 'nope.csv');
      const e = errorOf(() => loadCsv(p));
      expect(e.message).toMatch(new RegExp(`^loadCsv\\(${p.replace(/[.\\]/g, '\\$&')}\\): cannot read the file: ENOENT`));
      const q = file('a\n1\n');
      expect(errorOf(() => loadCsv(q, { delimiter: ',,' })).message).toBe(`loadCsv(${q}): delimiter must be one character other than a quote or a line break, got ",,"`);
      expect(errorOf(() => loadCsv(q, { missing: 'drop' as never })).message).toBe(`loadCsv(${q}): missing must be 'error', 'skip-row' or a number, got "drop"`);
      expect(errorOf(() => loadCsv(q, { dtype: 'int32' as never })).message).toContain(`loadCsv(${q}): dtype: unknown dtype "int32"`);
    });
  });

  it('parseCsv reads text in memory and names the source', () => {
    expect(parseCsv('a,b\n1,2\n').x.toArray()).toEqual([[1, 2]]);
    expect(() => parseCsv('a,b\n1\n', 'inline')).toThrow('parseCsv(inline): line 2 has 1 column, expected 2');
  });
});
