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
