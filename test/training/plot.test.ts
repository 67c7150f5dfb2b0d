// Charts of training curves: the SVG has a panel per quantity with a polyline per series whose
// points sit where the values say, and History.plot / plotLogger write the files.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { callbacks, layers, sequential, setSeed, tensor } from '../../src/index.js';
import { historyHtml, historySvg, niceTicks } from '../../src/training/plot.js';

function polylines(svg: string): { label: string; points: [number, number][] }[] {
  return [...svg.matchAll(/<polyline[^>]*points="([^"]*)"><title>([^<]*)<\/title>/g)].map((m) => ({
    label: m[2],
    points: m[1]
      .split(' ')
      .filter(Boolean)
      .map((p) => p.split(',').map(Number) as [number, number]),
  }));
}

describe('training charts', () => {
  it('draw one panel per quantity, training and validation, with the values in order', () => {
    const svg = historySvg({ loss: [4, 3, 2, 1], val_loss: [5, 4, 3, 3], mae: [2, 1.5, 1, 0.5] });
    const lines = polylines(svg);
    assert.deepEqual(
      lines.map((l) => l.label),
      ['loss', 'val_loss', 'mae'],
    );
    assert.equal(lines[0].points.length, 4);
    // x grows with the epoch; y (downwards in SVG) grows as the loss falls.
    for (let i = 1; i < 4; i++) {
      assert.ok(lines[0].points[i][0] > lines[0].points[i - 1][0]);
      assert.ok(lines[0].points[i][1] > lines[0].points[i - 1][1]);
    }
    // val_loss 3 then 3: a flat segment.
    assert.equal(lines[1].points[2][1], lines[1].points[3][1]);
    assert.match(svg, /<text[^>]*>loss<\/text>.*<text[^>]*>mae<\/text>/);
  });

  it('switch to a log scale for curves spanning orders of magnitude, and skip non-finite values', () => {
    const svg = historySvg({ loss: [1000, 100, Number.NaN, 1] });
    assert.match(svg, /epoch \(log scale\)/);
    const [line] = polylines(svg);
    assert.equal(line.points.length, 3);
    // Equal ratios are equal steps on a log scale.
    const [a, b, , c] = [line.points[0][1], line.points[1][1], 0, line.points[2][1]];
    assert.ok(Math.abs(b - a - (c - b) / 2) < 0.2, `${a} ${b} ${c}`);
  });

  it('escape names, and make a page with the last values', () => {
    const html = historyHtml({ 'a<b': [1, 2] }, { title: 'x & y' });
    assert.match(html, /^<!doctype html>/);
    assert.match(html, /x &amp; y/);
    assert.match(html, /<td>a&lt;b<\/td><td>2<\/td>/);
    assert.doesNotMatch(html, /<script/);
  });

  it('pick round tick values', () => {
    assert.deepEqual(
      niceTicks(0, 1, 5),
      [0, 0.2, 0.4, 0.6000000000001, 0.8, 1].map((v) => Number(v.toPrecision(12))),
    );
    assert.deepEqual(niceTicks(1, 60, 6), [10, 20, 30, 40, 50, 60]);
  });

  it('are written by history.plot and by the plotLogger callback', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'myelin-plot-'));
    try {
      setSeed(2);
      const model = sequential({ layers: [layers.dense({ units: 1, inputShape: [2] })] });
      model.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['mae'] });
      const x = tensor([
        [0, 1],
        [1, 0],
        [1, 1],
        [0, 0],
      ]);
      const y = tensor([[1], [2], [3], [0]]);
      const live = join(dir, 'live.html');
      const history = await model.fit(x, y, {
        epochs: 5,
        verbose: 0,
        validationData: [x, y],
        callbacks: [callbacks.plotLogger({ filename: live, title: 'live' })],
      });
      history.plot(join(dir, 'h.svg'));
      history.plot(join(dir, 'h.html'), { title: 'after fit' });
      const svg = await readFile(join(dir, 'h.svg'), 'utf8');
      assert.deepEqual(
        polylines(svg).map((l) => [l.label, l.points.length]),
        [
          ['loss', 5],
          ['val_loss', 5],
          ['mae', 5],
          ['val_mae', 5],
        ],
      );
      assert.match(await readFile(join(dir, 'h.html'), 'utf8'), /after fit/);
      const page = await readFile(live, 'utf8');
      assert.match(page, /<title>live<\/title>/);
      assert.doesNotMatch(page, /http-equiv="refresh"/, 'the finished page stops reloading');
      assert.equal(polylines(page)[0].points.length, 5);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
