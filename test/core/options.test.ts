import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkBuiltFrom,
  checkOptions,
  checkPendingOptions,
  closestName,
  deferOptionCheck,
  editDistance,
  isLenient,
  leniently,
  optionKeys,
  strictFactories,
} from '../../src/core/options.js';
import { ValueError } from '../../src/core/errors.js';

describe('strict options: the mechanism', () => {
  it('measures edit distance', () => {
    assert.equal(editDistance('', ''), 0);
    assert.equal(editDistance('epoch', 'epochs'), 1);
    assert.equal(editDistance('activaton', 'activation'), 1);
    assert.equal(editDistance('kitten', 'sitting'), 3);
    assert.equal(editDistance('abc', ''), 3);
    assert.equal(editDistance('nmae', 'name'), 1, 'a swap of neighbours is one edit');
  });

  it('finds the closest name ignoring case, underscores and dashes, and none when nothing is close', () => {
    assert.equal(closestName('activaton', ['units', 'activation', 'useBias']), 'activation');
    assert.equal(closestName('use_bias', ['units', 'useBias']), 'useBias');
    assert.equal(closestName('BATCHSIZE', ['batchSize', 'epochs']), 'batchSize');
    assert.equal(closestName('validation-split', ['validationSplit', 'validationData']), 'validationSplit');
    assert.equal(closestName('xavier', ['zeros', 'ones', 'glorotUniform']), undefined);
    assert.equal(closestName('anything', []), undefined);
  });

  it('throws naming where, the unknown key, the closest valid key and every valid key', () => {
    assert.throws(
      () => checkOptions('fit', { epoch: 10 }, ['epochs', 'batchSize']),
      (e: unknown) =>
        e instanceof ValueError &&
        e.message === "fit: unknown option 'epoch' (did you mean 'epochs'?). Valid options: batchSize, epochs",
    );
    assert.throws(
      () => checkOptions('fit', { epoch: 1, zzz: 2 }, ['epochs']),
      /^ValueError: fit: unknown options 'epoch' \(did you mean 'epochs'\?\), 'zzz'\. Valid options: epochs$/,
    );
    // A key given as undefined is still a misspelling.
    assert.throws(() => checkOptions('f', { epoch: undefined }, ['epochs']), /unknown option 'epoch'/);
  });

  it('passes valid options, undefined and null, and refuses non-objects', () => {
    checkOptions('fit', { epochs: 1 }, ['epochs']);
    checkOptions('fit', {}, ['epochs']);
    checkOptions('fit', undefined, ['epochs']);
    checkOptions('fit', null, ['epochs']);
    assert.throws(() => checkOptions('fit', 5, ['epochs']), /fit: expected an options object, got number/);
    assert.throws(() => checkOptions('fit', [1], ['epochs']), /fit: expected an options object, got an array/);
  });

  it('is off inside leniently (configs from files), and nests', () => {
    assert.equal(isLenient(), false);
    leniently(() => {
      assert.equal(isLenient(), true);
      leniently(() => checkOptions('f', { nope: 1 }, []));
      assert.equal(isLenient(), true);
      checkOptions('f', { nope: 1 }, []);
    });
    assert.equal(isLenient(), false);
    assert.throws(() =>
      leniently(() => {
        throw new Error('boom');
      }),
    );
    assert.equal(isLenient(), false, 'restored after a throw');
  });

  it('lists the keys of an options type at run time', () => {
    interface Opts {
      a?: number;
      b: string;
    }
    assert.deepEqual(optionKeys<Opts>({ a: true, b: true }), ['a', 'b']);
  });

  class Thing {
    constructor(readonly args: { size?: number; name?: string } = {}) {
      deferOptionCheck(this, args);
    }
    getConfig() {
      return { size: this.args.size ?? 1, name: this.args.name ?? 'thing' };
    }
  }

  it('checks an object against the keys of its config, at once or on first use', () => {
    assert.throws(
      () => checkBuiltFrom('things.thing', new Thing({ sise: 2 } as never), { sise: 2 }),
      /things\.thing: unknown option 'sise' \(did you mean 'size'\?\)\. Valid options: name, size/,
    );
    const late = new Thing({ nmae: 'x' } as never);
    assert.throws(() => checkPendingOptions(late, 'Thing'), /Thing: unknown option 'nmae' \(did you mean 'name'\?\)/);
    checkPendingOptions(late, 'Thing'); // checked once
    checkPendingOptions(new Thing({ size: 3 }), 'Thing');
    checkPendingOptions(
      leniently(() => new Thing({ extra: 1 } as never)),
      'Thing',
    );
  });

  it('wraps a namespace of factories so each checks its options', () => {
    const things = strictFactories('things', {
      thing: (args: { size?: number } = {}) => new Thing(args),
      count: (n: number) => n * 2,
    });
    assert.equal(things.thing({ size: 2 }).args.size, 2);
    assert.equal(things.thing().args.size, undefined);
    assert.equal(things.count(2), 4);
    assert.throws(
      () => things.thing({ sizes: 2 } as never),
      /things\.thing: unknown option 'sizes' \(did you mean 'size'\?\)/,
    );
  });
});
