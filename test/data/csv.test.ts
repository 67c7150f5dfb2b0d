import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ValueError } from '../../src/index.js';
import { loadCsv, parseCsv } from '../../src/data/index.js';

describe('parseCsv', () => {
  it('splits features and labels, keeping the column order', () => {
    const { features, labels, columnNames, labelNames } = parseCsv('a,y,b\n1,0,2\n3,1,4\n', { labelColumn: 'y' });
    assert.deepEqual(features.shape, [2, 2]);
    assert.deepEqual(features.arraySync(), [
      [1, 2],
      [3, 4],
    ]);
    assert.deepEqual(labels.arraySync(), [0, 1]);
    assert.equal(labels.dtype, 'float32');
    assert.deepEqual(columnNames, ['a', 'b']);
    assert.deepEqual(labelNames, ['y']);
  });
  it('selects and reorders columns, by name or index, and gives int32 labels on request', () => {
    const { features, labels } = parseCsv('a,b,c,y\n1,2,3,7\n4,5,6,8\n', {
      columns: ['c', 0],
      labelColumn: 3,
      labelDtype: 'int32',
    });
    assert.deepEqual(features.arraySync(), [
      [3, 1],
      [6, 4],
    ]);
    assert.equal(labels.dtype, 'int32');
    assert.deepEqual(labels.arraySync(), [7, 8]);
  });
  it('reads several label columns as [rows, k]', () => {
    const { labels } = parseCsv('x,y1,y2\n1,2,3\n', { labelColumn: ['y1', 'y2'] });
    assert.deepEqual(labels.arraySync(), [[2, 3]]);
  });
  it('reads headerless files, other delimiters, blank lines and spaces', () => {
    const { features, columnNames } = parseCsv('1; 2\n\n3 ;4\n', { header: false, delimiter: ';' });
    assert.deepEqual(features.arraySync(), [
      [1, 2],
      [3, 4],
    ]);
    assert.deepEqual(columnNames, ['0', '1']);
  });
  it('has no labels without a labelColumn', () => {
    assert.equal(parseCsv('a\n1\n').labels, undefined);
  });
  it('lists the available columns when one is missing', () => {
    assert.throws(
      () => parseCsv('a,b\n1,2\n', { labelColumn: 'price' }),
      (e: Error) =>
        e instanceof ValueError &&
        /labelColumn: column 'price' not found; available columns: a \(0\), b \(1\)/.test(e.message),
    );
    assert.throws(
      () => parseCsv('a,b\n1,2\n', { columns: [5] }),
      /columns: column index 5 not found; available columns: a \(0\), b \(1\)/,
    );
  });
  it('names the line and column of a non-numeric or empty cell', () => {
    assert.throws(
      () => parseCsv('x,species\n1,2\n3,setosa\n'),
      /line 3 \(data row 2\), column 'species' \(index 1\) is 'setosa', which is not a number/,
    );
    assert.throws(() => parseCsv('x,y\n1,\n'), /line 2 \(data row 1\), column 'y' \(index 1\) is empty/);
    assert.throws(() => parseCsv('x\n1.5\n', { dtype: 'int32' }), /'1.5', which is not an integer/);
  });
  it('rejects ragged rows, empty input and a column used twice', () => {
    assert.throws(() => parseCsv('a,b\n1\n'), /parseCsv: malformed CSV: Invalid Record Length/);
    assert.throws(() => parseCsv(''), /parseCsv: the CSV is empty/);
    assert.throws(() => parseCsv('a\n'), /no data rows/);
    assert.throws(
      () => parseCsv('a,b\n1,2\n', { columns: ['a', 'b'], labelColumn: 'b' }),
      /column 'b' is both a feature/,
    );
  });
});

describe('loadCsv', () => {
  const dir = mkdtempSync(join(tmpdir(), 'myelin-csv-'));
  it('reads a file', () => {
    const path = join(dir, 'data.csv');
    writeFileSync(path, 'x1,x2,target\n0.5,1e3,1\n-2,3,0\n');
    const { features, labels } = loadCsv(path, { labelColumn: 'target' });
    assert.deepEqual(features.arraySync(), [
      [0.5, 1000],
      [-2, 3],
    ]);
    assert.deepEqual(labels.arraySync(), [1, 0]);
  });
  it('names the file in errors', () => {
    const path = join(dir, 'missing.csv');
    assert.throws(
      () => loadCsv(path),
      (e: Error) => e instanceof ValueError && e.message.startsWith(`loadCsv: cannot read '${path}'`),
    );
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'a\nx\n');
    assert.throws(
      () => loadCsv(bad),
      new RegExp(`loadCsv\\('${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}'\\): line 2`),
    );
  });
});

describe('parseCsv refuses silent garbage', () => {
  const refuses = (text: string, options: Parameters<typeof parseCsv>[1], message: RegExp) =>
    assert.throws(
      () => parseCsv(text, options),
      (e: Error) => e instanceof ValueError && message.test(e.message),
    );

  it('int32 labels outside the int32 range, instead of wrapping 3e9 to -1294967296', () => {
    refuses(
      'x,y\n1,3000000000\n',
      { labelColumn: 'y', labelDtype: 'int32' },
      /line 2 \(data row 1\), column 'y' \(index 1\) is '3000000000', outside the int32 range \[-2147483648, 2147483647\]/,
    );
    const { labels } = parseCsv('x,y\n1,2147483647\n2,-2147483648\n', { labelColumn: 'y', labelDtype: 'int32' });
    assert.deepEqual([...labels.dataSync()], [2147483647, -2147483648]);
  });

  it("numbers that are not plain decimals: '0x10', 'Infinity', '1e999', '0b1', '1_000'", () => {
    for (const cell of ['0x10', 'Infinity', '-Infinity', '0b1', '0o7', '1_000', 'inf']) {
      refuses(`a,b\n1,${cell}\n`, {}, new RegExp(`column 'b' \\(index 1\\) is '${cell}', which is not a number`));
    }
    refuses('a,b\n1,1e999\n', {}, /column 'b' \(index 1\) is '1e999', which is not a finite number/);
    refuses('a,b\n1,1e39\n', {}, /is '1e39', beyond the float32 range .*use dtype 'float64'/);
    assert.equal(parseCsv('a,b\n1,1e39\n', { dtype: 'float64' }).features.dataSync()[1], 1e39);
    const ok = parseCsv('a,b,c,d\n-1.5,.5,+2e-3,NaN\n').features.dataSync();
    assert.deepEqual(
      [...ok.slice(0, 3)].map((v) => Number(v.toFixed(4))),
      [-1.5, 0.5, 0.002],
    );
    assert.ok(Number.isNaN(ok[3]));
  });

  it('a column name the header gives twice, instead of taking the first', () => {
    refuses(
      'a,y,y\n1,2,3\n',
      { labelColumn: 'y' },
      /labelColumn: column 'y' is ambiguous: the header names 2 columns 'y' \(indices 1, 2\); refer to the one you mean by its index/,
    );
    refuses('a,y,y\n1,2,3\n', { columns: ['y'] }, /columns: column 'y' is ambiguous/);
    const { labels, columnNames } = parseCsv('a,y,y\n1,2,3\n', { labelColumn: 2, columns: [0] });
    assert.deepEqual([...labels.dataSync()], [3]);
    assert.deepEqual(columnNames, ['a']);
  });

  it('a missing column on a 100,000-column CSV lists 20 columns, not all of them', () => {
    const header = Array.from({ length: 100_000 }, (_, i) => `c${i}`).join(',');
    const row = new Array(100_000).fill('0').join(',');
    let message = '';
    try {
      parseCsv(`${header}\n${row}\n`, { labelColumn: 'price' });
    } catch (e) {
      message = (e as Error).message;
    }
    assert.match(
      message,
      /column 'price' not found; available columns: c0 \(0\), c1 \(1\), .*c19 \(19\) \(and 99980 more\)$/,
    );
    assert.ok(message.length < 1000, `the message is ${message.length} characters`);
  });
});
