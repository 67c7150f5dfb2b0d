import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DOMParser, type Element } from '@xmldom/xmldom';
import { grad } from '../../src/autograd/gradients.js';
import { layers, models, setSeed, softmax, tensor, type Tensor } from '../../src/index.js';
import { attentionMapsHtml, explainGpt } from '../../src/models/attention_maps.js';
import type { LayerNormalization } from '../../src/layers/normalization.js';
import type { TransformerDecoder } from '../../src/layers/transformer_decoder.js';
import { TextVectorization } from '../../src/text/text_vectorization.js';

const chars = new TextVectorization({ split: 'character', standardize: null }).adapt(['to be, or not <&>"']);

function tinyGpt() {
  setSeed(21);
  return models.gpt({
    vocabSize: chars.vocabularySize(),
    blockSize: 16,
    numLayers: 2,
    numHeads: 3,
    embedDim: 12,
    initializerRange: 0.3,
  });
}

/** Parses the page as XML: any warning or error (an unclosed tag, a stray '&') fails the test. */
function parse(html: string) {
  const problems: string[] = [];
  const doc = new DOMParser({ onError: (level, message) => problems.push(`${level}: ${message}`) }).parseFromString(
    html,
    'application/xhtml+xml',
  );
  assert.deepEqual(problems, [], 'the page is well-formed');
  return doc;
}

const all = (root: { getElementsByTagName(name: string): ArrayLike<Element> }, tag: string): Element[] =>
  Array.from(root.getElementsByTagName(tag));

/** Each block's self-attention probabilities, by calling the attention layer itself with returnAttentionScores. */
function scoresByLayer(model: ReturnType<typeof tinyGpt>, ids: number[]): number[][] {
  const parts = models.gptParts(model);
  assert.ok(parts);
  let h = parts.embedding.apply(tensor([ids], undefined, 'int32')) as Tensor;
  return parts.blocks.map((block: TransformerDecoder) => {
    // The block's pre-attention norm, rebuilt from its saved weights.
    const norm = layers.layerNormalization({ epsilon: block.layerNormEpsilon }) as LayerNormalization;
    norm.apply(h);
    norm.setWeights(block.weights.filter((w) => /self_attention_layer_norm/.test(w.name)));
    const [, scores] = (block.selfAttention as NonNullable<TransformerDecoder['selfAttention']>).apply(
      norm.apply(h) as Tensor,
      { useCausalMask: true, returnAttentionScores: true },
    ) as Tensor[];
    h = block.apply(h) as Tensor;
    return Array.from(scores.dataSync());
  });
}

describe('attention maps', () => {
  it('the page is well-formed and its weights equal returnAttentionScores of every layer', () => {
    const model = tinyGpt();
    const prompt = 'to be <&>"';
    const ids = chars.encode(prompt);
    const e = explainGpt(model, prompt, { tokenizer: chars });
    assert.deepEqual(e.ids, ids);
    assert.equal(e.layers.length, 2);
    assert.equal(e.layers[0].length, 3);
    const doc = parse(attentionMapsHtml(e, { title: 'a <test> & "title"' }));
    const expected = scoresByLayer(model, ids);
    const T = ids.length;
    const tables = all(doc, 'table').filter((t) => t.getAttribute('class') === 'map');
    assert.equal(tables.length, 2 * 3, 'one heat map per layer and head');
    for (const table of tables) {
      const l = Number(table.getAttribute('data-layer')),
        h = Number(table.getAttribute('data-head'));
      const cells = all(table, 'td');
      assert.equal(cells.length, T * T);
      for (const cell of cells) {
        const q = Number(cell.getAttribute('data-q')),
          k = Number(cell.getAttribute('data-k'));
        const w = Number(cell.getAttribute('data-w'));
        const want = expected[l][(h * T + q) * T + k];
        assert.ok(Math.abs(w - want) <= 1e-6, `layer ${l} head ${h} [${q}, ${k}]: page ${w}, layer ${want}`);
        if (k > q) assert.equal(w, 0, 'the causal mask');
      }
    }
    // Rows are distributions.
    for (const heads of e.layers)
      for (const rows of heads) for (const row of rows) assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5);
    // The escaped title and tokens read back as written.
    assert.equal(all(doc, 'title')[0].textContent, 'a <test> & "title"');
    const tokens = all(doc, 'span').filter((s) => s.getAttribute('class') === 'tok');
    assert.equal(tokens.map((s) => s.textContent).join(''), prompt.replace(/ /g, '␣'));
  });

  it('saliency is the norm of the gradient of the predicted logit with respect to each input embedding', () => {
    const model = tinyGpt();
    const ids = chars.encode('or not');
    const e = explainGpt(model, ids, { tokenizer: chars });
    // The prediction is the model's most likely next token, with its softmax probability.
    const out = model.apply(tensor([ids], undefined, 'int32')) as Tensor;
    const V = out.shape[2];
    const last = Array.from(out.dataSync()).slice((ids.length - 1) * V);
    assert.equal(e.predicted.id, last.indexOf(Math.max(...last)));
    const p = softmax(tensor(last)).dataSync()[e.predicted.id];
    assert.ok(Math.abs(e.predicted.probability - p) < 1e-6);
    // The gradient again, through the blocks' ordinary call instead of the cached one.
    const parts = models.gptParts(model);
    assert.ok(parts);
    const embedded = parts.embedding.apply(tensor([ids], undefined, 'int32')) as Tensor;
    const g = grad((x: Tensor) => {
      let h = x;
      for (const block of parts.blocks) h = block.apply(h) as Tensor;
      const logits = parts.embedding.reverse((parts.finalNorm as LayerNormalization).apply(h) as Tensor);
      return logits.slice([0, ids.length - 1, e.predicted.id], [1, 1, 1]).sum();
    })(embedded);
    const gv = g.dataSync();
    const d = g.shape[2];
    ids.forEach((_, t) => {
      const norm = Math.hypot(...Array.from(gv.slice(t * d, (t + 1) * d)));
      assert.ok(
        Math.abs(e.saliency[t] - norm) <= 1e-5 * Math.max(1, norm),
        `position ${t}: ${e.saliency[t]} vs ${norm}`,
      );
    });
    assert.ok(
      e.saliency.every((s) => s > 0),
      'every earlier token can move the prediction',
    );
  });

  it('bad input is an error naming the argument', () => {
    const model = tinyGpt();
    assert.throws(() => explainGpt(model, 'abc'), /a text prompt needs options.tokenizer/);
    assert.throws(
      () =>
        explainGpt(
          model,
          Array.from({ length: 17 }, () => 2),
        ),
      /the prompt has 17 tokens, more than the model's blockSize 16/,
    );
    assert.throws(() => explainGpt(model, [2, 99]), /prompt token 1 is 99, outside the model's vocabulary/);
  });
});
