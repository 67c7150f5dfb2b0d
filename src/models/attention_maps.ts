import { grad, noGrad } from '../autograd/gradients.js';
import { ValueError } from '../core/errors.js';
import { scoped } from '../core/memory.js';
import { checkOptions, optionKeys } from '../core/options.js';
import type { Tensor } from '../core/tensor.js';
import { tensor } from '../ops/convert.js';
import { slice } from '../ops/prims/slice.js';
import { softmax } from '../ops/softmax.js';
import type { Tokenizer } from './generate.js';
import { gptParts, type GptParts } from './gpt.js';
import type { LayersModel } from './layers_model.js';

/** What a GPT attends to over a prompt, and which tokens its next-token prediction leans on. */
export interface AttentionExplanation {
  /** The prompt's token ids, and each one as text (the tokenizer's, or the id). */
  ids: number[];
  tokens: string[];
  /** Attention weights `[layer][head][query][key]`: row q is query position q's distribution over keys ≤ q. */
  layers: number[][][][];
  /**
   * Per prompt token, the L2 norm of the gradient of the predicted token's logit with respect to
   * that token's input embedding (token plus position vector).
   */
  saliency: number[];
  /** The most likely next token, its text and probability. */
  predicted: { id: number; text: string; probability: number };
}

/**
 * Runs a GPT-shaped model (`models.gpt`) on a prompt and returns every head's attention weights
 * per layer (`returnAttentionScores` of each block's self-attention) and the gradient saliency
 * of the most likely next token. A prompt longer than the model's blockSize is an error.
 *
 * @example
 * const e = explainGpt(model, 'ROMEO:', { tokenizer });
 * e.layers[0][2][5];   // layer 0, head 2: how position 5 spreads its attention over positions 0..5
 * await writeFile('attention.html', attentionMapsHtml(e));
 */
export function explainGpt(
  model: LayersModel,
  prompt: string | ArrayLike<number>,
  options: { tokenizer?: Tokenizer } = {},
): AttentionExplanation {
  checkOptions('explainGpt', options, optionKeys<{ tokenizer?: Tokenizer }>({ tokenizer: true }));
  const parts = gptParts(model);
  if (!parts) throw new ValueError(`explainGpt: model '${model.name}' is not GPT-shaped; build it with models.gpt`);
  const { tokenizer } = options;
  if (typeof prompt === 'string' && !tokenizer)
    throw new ValueError('explainGpt: a text prompt needs options.tokenizer (with encode and decode)');
  const ids = typeof prompt === 'string' ? (tokenizer as Tokenizer).encode(prompt) : Array.from(prompt);
  if (ids.length === 0) throw new ValueError('explainGpt: the prompt must hold at least one token');
  if (ids.length > parts.blockSize)
    throw new ValueError(
      `explainGpt: the prompt has ${ids.length} tokens, more than the model's blockSize ${parts.blockSize}`,
    );
  ids.forEach((id, i) => {
    if (!Number.isInteger(id) || id < 0 || id >= parts.vocabSize)
      throw new ValueError(
        `explainGpt: prompt token ${i} is ${id}, outside the model's vocabulary; expected integers in [0, ${parts.vocabSize}) (vocabSize ${parts.vocabSize})`,
      );
  });
  const text = (id: number) => (tokenizer ? tokenizer.decode([id]) : String(id));
  return scoped(() => {
    const embedded = noGrad(
      () => parts.embedding.apply(tensor(Int32Array.from(ids), [1, ids.length], 'int32')) as Tensor,
    );
    const { layers, logits } = noGrad(() => forward(parts, embedded, true));
    const row = Array.from(logits.dataSync() as ArrayLike<number>);
    const best = row.reduce((b, v, i) => (v > row[b] ? i : b), 0);
    const probability = (softmax(logits).dataSync() as ArrayLike<number>)[best];
    // Saliency: d logit[best] / d embedding, one gradient norm per position.
    const g = grad((e: Tensor) => slice(forward(parts, e, false).logits, [0, best], [1, 1]).sum())(embedded);
    const gv = g.dataSync() as ArrayLike<number>;
    const d = g.shape[2];
    const saliency = ids.map((_, t) => {
      let s = 0;
      for (let k = 0; k < d; k++) s += gv[t * d + k] ** 2;
      return Math.sqrt(s);
    });
    return { ids, tokens: ids.map(text), layers, saliency, predicted: { id: best, text: text(best), probability } };
  });
}

/** The stack on embedded inputs: last position's logits [1, vocab] and, when asked, each block's scores. */
function forward(parts: GptParts, embedded: Tensor, scores: boolean): { logits: Tensor; layers: number[][][][] } {
  let h = embedded;
  const layers: number[][][][] = [];
  for (const block of parts.blocks) {
    const r = block.cachedCall(h, null, { returnAttentionScores: scores });
    h = r.output;
    if (r.scores) layers.push(nested(r.scores));
  }
  const [, t, d] = h.shape;
  let last = slice(h, [0, t - 1, 0], [1, 1, d]);
  if (parts.finalNorm) last = parts.finalNorm.apply(last) as Tensor;
  const logits = parts.embedding.reverse(last);
  return { logits: logits.reshape([1, parts.vocabSize]), layers };
}

/** Scores [1, heads, T, T] as [head][query][key]. */
function nested(scores: Tensor): number[][][] {
  const [, heads, t, s] = scores.shape;
  const v = scores.dataSync() as ArrayLike<number>;
  return Array.from({ length: heads }, (_, h) =>
    Array.from({ length: t }, (_, q) => Array.from({ length: s }, (_, k) => v[(h * t + q) * s + k])),
  );
}

const escape = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A token as it reads in a label: whitespace made visible. */
const label = (s: string): string => escape(s.replace(/\n/g, '⏎').replace(/\t/g, '⇥').replace(/ /g, '␣') || '∅');

/**
 * A self-contained HTML page (no scripts, no external files; also well-formed XML) of an
 * `explainGpt` result: the prompt with each token shaded by its saliency, then per layer a
 * heat map per head (rows: query positions, columns: key positions; darker is more attention).
 * Every cell carries its weight in `data-w` and every token its saliency in `data-saliency`.
 * @example await writeFile('attention.html', attentionMapsHtml(explainGpt(model, 'ROMEO:', { tokenizer })));
 */
export function attentionMapsHtml(e: AttentionExplanation, options: { title?: string } = {}): string {
  checkOptions('attentionMapsHtml', options, optionKeys<{ title?: string }>({ title: true }));
  const title = escape(options.title ?? 'Attention maps');
  const maxSaliency = Math.max(...e.saliency, 1e-30);
  const prompt = e.tokens
    .map(
      (t, i) =>
        `<span class="tok" data-position="${i}" data-saliency="${e.saliency[i]}" style="--s:${(e.saliency[i] / maxSaliency).toFixed(3)}" title="position ${i}: saliency ${e.saliency[i].toPrecision(4)}">${label(t)}</span>`,
    )
    .join('');
  const header = (cls: string) =>
    `<tr><th></th>${e.tokens.map((t) => `<th class="${cls}">${label(t)}</th>`).join('')}</tr>`;
  const heatmap = (weights: number[][], layer: number, head: number) => {
    const rows = weights
      .map(
        (row, q) =>
          `<tr><th>${label(e.tokens[q])}</th>${row
            .map(
              (w, k) =>
                `<td data-q="${q}" data-k="${k}" data-w="${w}" style="--w:${w.toFixed(3)}" title="${escape(`${label(e.tokens[q])} (${q}) → ${label(e.tokens[k])} (${k}): ${w.toFixed(4)}`)}"></td>`,
            )
            .join('')}</tr>`,
      )
      .join('\n');
    return `<figure class="head"><figcaption>head ${head}</figcaption><table class="map" data-layer="${layer}" data-head="${head}">${header('key')}\n${rows}</table></figure>`;
  };
  const sections = e.layers
    .map(
      (heads, l) =>
        `<section class="layer" data-layer="${l}"><h2>Layer ${l}</h2><div class="heads">${heads.map((w, h) => heatmap(w, l, h)).join('\n')}</div></section>`,
    )
    .join('\n');
  return `<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" lang="en">
<head>
<meta charset="utf-8"/>
<title>${title}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #222; }
.prompt { font-family: ui-monospace, monospace; font-size: 1.2rem; line-height: 2; }
.tok { padding: 0.15rem 0.1rem; margin: 0 1px; border-radius: 3px; background: rgba(214, 96, 77, var(--s)); }
.heads { display: flex; flex-wrap: wrap; gap: 1rem; }
figure.head { margin: 0; }
figcaption { font-size: 0.85rem; color: #555; }
table.map { border-collapse: collapse; font-family: ui-monospace, monospace; font-size: 9px; }
table.map td { width: 11px; height: 11px; padding: 0; background: rgba(33, 102, 172, var(--w)); border: 1px solid #f4f4f4; }
table.map th { font-weight: normal; color: #666; padding: 0 2px; }
table.map th.key { writing-mode: vertical-rl; }
</style>
</head>
<body>
<h1>${title}</h1>
<p>Each heat map is one attention head: row <i>q</i> is how the query at position <i>q</i> spreads its
attention over the positions it may see (0 to <i>q</i>, the causal mask); darker cells carry more
weight, and every row sums to 1. Hover a cell for its value.</p>
<h2>Saliency of the next-token prediction</h2>
<p>Predicted next token: <b class="predicted" data-id="${e.predicted.id}" data-probability="${e.predicted.probability}">${label(e.predicted.text)}</b>
(probability ${e.predicted.probability.toFixed(3)}). Each prompt token is shaded by the norm of the gradient of that
token's logit with respect to the token's input embedding: how much a small change to it would move the prediction.</p>
<p class="prompt">${prompt}</p>
${sections}
</body>
</html>
`;
}
