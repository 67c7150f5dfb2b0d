import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { shippedDataPath } from '../../src/data/datasets.js';
import { sentimentSentences, tinyShakespeare } from '../../src/data/text_datasets.js';

const sha256 = (path: string) =>
  createHash('sha256')
    .update(readFileSync(shippedDataPath(path)))
    .digest('hex');

describe('text datasets', () => {
  it('ship unchanged (sha256 as in data/README.md)', () => {
    assert.equal(
      sha256('tinyshakespeare/input.txt'),
      '86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed',
    );
    assert.equal(
      sha256('sentiment_labelled_sentences/amazon_cells_labelled.txt'),
      '47003fc0a0d4840b00e96e715b6189bad09e7443a3da41c4cbe12ffc79f86ae3',
    );
    assert.equal(
      sha256('sentiment_labelled_sentences/imdb_labelled.txt'),
      'aef2e49e3da25714d61175e3a6e68eeef74a20a2f914318dc3be9947ea86512d',
    );
    assert.equal(
      sha256('sentiment_labelled_sentences/yelp_labelled.txt'),
      'c76468b7b5c6e56a0804d728345c5f84aa2142ddb214420f61cc9cfd4c00d2ea',
    );
  });

  it('Tiny Shakespeare splits 90% / 10% of its 1,115,394 characters', () => {
    const { text, trainText, validationText } = tinyShakespeare.load();
    assert.equal(text.length, 1115394);
    assert.equal(trainText.length + validationText.length, text.length);
    assert.equal(trainText.length, Math.round(text.length * 0.9));
    assert.ok(text.startsWith('First Citizen:\n'));
  });

  it('sentiment sentences: 3 x 1,000 lines, 500 positive each, split on newlines only', () => {
    const { sentences, labels, sources } = sentimentSentences.load();
    assert.equal(sentences.length, 3000);
    for (const s of ['amazon', 'imdb', 'yelp']) {
      const idx = sources.flatMap((src, i) => (src === s ? [i] : []));
      assert.equal(idx.length, 1000);
      assert.equal(idx.filter((i) => labels[i] === 1).length, 500);
    }
    assert.ok(sentences.every((s) => !s.includes('\t')));
    assert.throws(
      () => sentimentSentences.load({ sources: ['twitter' as never] }),
      /unknown source "twitter"; expected amazon, imdb or yelp/,
    );
  });

  it('load when their module is the first one imported (no import cycle through datasets.ts)', () => {
    const module = new URL('../../src/data/text_datasets.js', import.meta.url).href;
    const run = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', `const m = await import(${JSON.stringify(module)}); m.sentimentSentences.load();`],
      { encoding: 'utf8' },
    );
    assert.equal(run.status, 0, run.stderr);
  });

  it('refuse a misspelt option, naming the one meant', () => {
    assert.throws(
      () => sentimentSentences.load({ source: ['imdb'] } as never),
      /sentimentSentences\.load: unknown option 'source' \(did you mean 'sources'\?\)/,
    );
    assert.throws(
      () => tinyShakespeare.load({ validationFractio: 0.2 } as never),
      /tinyShakespeare\.load: unknown option 'validationFractio' \(did you mean 'validationFraction'\?\)/,
    );
  });
});
