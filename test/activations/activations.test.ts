import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getActivation, listActivations, serializeActivation } from '../../src/activations/index.js';
import { ValueError } from '../../src/core/errors.js';
import * as ops from '../../src/index.js';
import { assertClose, checkGradients, rand64 } from '../helpers/gradcheck.js';

const x = ops.tensor([[-2, -0.5, 0.5, 3]], undefined, 'float64');

describe('activation registry', () => {
  it('resolves every name to the matching op', () => {
    const expected: [string, ops.Tensor][] = [
      ['linear', x],
      ['sigmoid', ops.sigmoid(x)],
      ['tanh', ops.tanh(x)],
      ['relu', ops.relu(x)],
      ['relu6', ops.relu6(x)],
      ['elu', ops.elu(x)],
      ['selu', ops.selu(x)],
      ['softplus', ops.softplus(x)],
      ['softsign', ops.softsign(x)],
      ['leaky_relu', ops.leakyRelu(x, 0.2)],
      ['leakyRelu', ops.leakyRelu(x, 0.2)],
      ['gelu', ops.gelu(x, false)],
      ['swish', ops.swish(x)],
      ['silu', ops.silu(x)],
      ['hard_sigmoid', ops.hardSigmoid(x)],
      ['hardSigmoid', ops.hardSigmoid(x)],
      ['hard_sigmoid_tfjs', ops.hardSigmoidTfjs(x)],
      ['hardSigmoidTfjs', ops.hardSigmoidTfjs(x)],
      ['hard_silu', ops.hardSilu(x)],
      ['softmax', ops.softmax(x, -1)],
      ['log_softmax', ops.logSoftmax(x)],
      ['logSoftmax', ops.logSoftmax(x)],
      ['exponential', ops.exp(x)],
      ['mish', ops.mish(x)],
    ];
    for (const [name, want] of expected) assertClose(getActivation(name).apply(x), want, 0, name);
  });
  it('gives the canonical Keras name back for configs', () => {
    assert.equal(serializeActivation('leakyRelu'), 'leaky_relu');
    assert.equal(serializeActivation('hardSigmoid'), 'hard_sigmoid');
    assert.equal(serializeActivation('hardSigmoidTfjs'), 'hard_sigmoid_tfjs');
    assert.equal(serializeActivation('logSoftmax'), 'log_softmax');
    assert.equal(serializeActivation('swish'), 'silu');
    assert.equal(serializeActivation(getActivation('relu')), 'relu');
    assert.equal(serializeActivation(undefined), 'linear');
    assert.equal(getActivation(null).name, 'linear');
    for (const name of listActivations())
      assert.equal(getActivation(serializeActivation(name)).name, serializeActivation(name), name);
  });
  it('passes custom functions and resolved activations through', () => {
    function double(t: ops.Tensor) {
      return ops.mul(t, 2);
    }
    const act = getActivation(double);
    assert.equal(act.name, 'double');
    assertClose(act.apply(x), ops.mul(x, 2), 0);
    assert.equal(getActivation(act), act);
  });
  it('rejects unknown names listing the valid ones', () => {
    assert.throws(
      () => getActivation('rellu'),
      (e: Error) =>
        e instanceof ValueError &&
        /Unknown activation 'rellu'; expected one of 'linear', 'sigmoid', .*'leaky_relu'.*'hardSigmoid'.*Did you mean 'relu'\?/.test(
          e.message,
        ),
    );
  });
  it('every named activation has correct gradients (away from kinks)', () => {
    const input = rand64([2, 5], 3, 0.1, 2.5);
    for (const name of listActivations()) checkGradients((t) => getActivation(name).apply(ops.sub(t, 1.3)), [input]);
  });
});
