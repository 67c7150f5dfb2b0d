import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import '../../src/index.js';
import { input, layers, type SymbolicTensor } from '../../src/layers/index.js';
import { model, sequential } from '../../src/models/index.js';

function capture(print: (fn: (line: string) => void) => void): string {
  const lines: string[] = [];
  print((line) => lines.push(line));
  return lines.join('\n');
}

describe('summary', () => {
  it("prints Keras' table for a sequential model", () => {
    const m = sequential({
      name: 'seq_summary',
      layers: [
        layers.dense({ units: 3, inputShape: [4], activation: 'relu', name: 'hidden' }),
        layers.dropout({ rate: 0.5, name: 'drop' }),
        layers.dense({ units: 1, name: 'out' }),
      ],
    });
    const text = capture((fn) => m.summary(undefined, undefined, fn));
    assert.equal(
      text,
      [
        'Model: "seq_summary"',
        '_________________________________________________________________',
        'Layer (type)                 Output Shape              Param #',
        '=================================================================',
        'hidden (Dense)               (None, 3)                 15',
        '_________________________________________________________________',
        'drop (Dropout)               (None, 3)                 0',
        '_________________________________________________________________',
        'out (Dense)                  (None, 1)                 4',
        '=================================================================',
        'Total params: 19',
        'Trainable params: 19',
        'Non-trainable params: 0',
        '_________________________________________________________________',
      ].join('\n'),
    );
  });

  it('adds Connected to for a functional graph and separates thousands', () => {
    const a = input({ shape: [40], name: 'sa' });
    const b = input({ shape: [40], name: 'sb' });
    const shared = layers.dense({ units: 30, name: 'sshared' });
    const ya = shared.apply(a) as SymbolicTensor;
    const yb = shared.apply(b) as SymbolicTensor;
    const head = layers.dense({ units: 1, name: 'shead', trainable: false });
    const m = model({ inputs: [a, b], outputs: [head.apply(ya) as SymbolicTensor, yb], name: 'graph_summary' });
    const text = capture((fn) => m.summary(undefined, undefined, fn));
    const lines = text.split('\n');
    assert.equal(lines[0], 'Model: "graph_summary"');
    assert.equal(lines[1], '_'.repeat(98));
    assert.equal(lines[2], 'Layer (type)                    Output Shape         Param #     Connected to');
    assert.ok(lines.includes('sshared (Dense)                 (None, 30)           1230        sa[0][0]'), text);
    assert.ok(lines.includes('                                                                 sb[0][0]'), text);
    assert.ok(lines.includes('shead (Dense)                   (None, 1)            31          sshared[0][0]'), text);
    assert.ok(lines.includes('sa (InputLayer)                 (None, 40)           0'), text);
    assert.deepEqual(lines.slice(-4), [
      'Total params: 1,261',
      'Trainable params: 1,230',
      'Non-trainable params: 31',
      '_'.repeat(98),
    ]);
  });

  it('honours lineLength and absolute positions', () => {
    const m = sequential({ layers: [layers.dense({ units: 2, inputShape: [2], name: 'narrow' })] });
    const lines = capture((fn) => m.summary(40, [20, 32, 40], fn)).split('\n');
    assert.equal(lines[1], '_'.repeat(40));
    assert.equal(lines[4], 'narrow (Dense)      (None, 2)   6');
  });
});
