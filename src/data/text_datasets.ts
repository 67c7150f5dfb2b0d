import { requireNode } from '../core/platform.js';
import { ValueError } from '../core/errors.js';
import { checkOptions } from '../core/options.js';
import { shippedDataPath } from './shipped.js';

/** Tiny Shakespeare, with the usual 90% / 10% character split (see `tinyShakespeare.load`). */
export interface TinyShakespeareData {
  /** The whole corpus (1,115,394 characters). */
  text: string;
  /** The first 90% of the characters. */
  trainText: string;
  /** The last 10%. */
  validationText: string;
}

/**
 * Tiny Shakespeare (karpathy/char-rnn), the character-level language modelling corpus, read
 * from the package (Node only); nothing is downloaded.
 */
export const tinyShakespeare = {
  /**
   * @example
   * const { trainText, validationText } = datasets.tinyShakespeare.load();
   */
  load(options: { validationFraction?: number } = {}): TinyShakespeareData {
    checkOptions('tinyShakespeare.load', options, ['validationFraction']);
    const fraction = options.validationFraction ?? 0.1;
    if (!(fraction >= 0 && fraction < 1))
      throw new ValueError(`tinyShakespeare.load: 'validationFraction' must be in [0, 1), got ${fraction}`);
    const path = shippedDataPath('tinyshakespeare/input.txt');
    const text = requireNode<typeof import('node:fs')>('fs', 'tinyShakespeare.load()').readFileSync(path, 'utf8');
    const cut = Math.round(text.length * (1 - fraction));
    return { text, trainText: text.slice(0, cut), validationText: text.slice(cut) };
  },
};

/** Where a labelled sentence comes from. */
export type SentimentSource = 'amazon' | 'imdb' | 'yelp';

/** The UCI Sentiment Labelled Sentences (see `sentimentSentences.load`). */
export interface SentimentData {
  /** 3,000 sentences (amazon, then imdb, then yelp, each in file order). */
  sentences: string[];
  /** 1 for positive, 0 for negative. */
  labels: number[];
  sources: SentimentSource[];
}

const SENTIMENT_FILES: Record<SentimentSource, string> = {
  amazon: 'amazon_cells_labelled.txt',
  imdb: 'imdb_labelled.txt',
  yelp: 'yelp_labelled.txt',
};

/**
 * Kotzias et al. (KDD 2015) sentences from Amazon, IMDb and Yelp reviews, 500 positive and 500
 * negative from each, read from the package (Node only). Unsplit and in file order: shuffle
 * before splitting.
 */
export const sentimentSentences = {
  /**
   * @example
   * const { sentences, labels } = datasets.sentimentSentences.load({ sources: ['imdb'] });
   */
  load(options: { sources?: SentimentSource[] } = {}): SentimentData {
    checkOptions('sentimentSentences.load', options, ['sources']);
    const sources = options.sources ?? (Object.keys(SENTIMENT_FILES) as SentimentSource[]);
    const data: SentimentData = { sentences: [], labels: [], sources: [] };
    for (const source of sources) {
      const file = SENTIMENT_FILES[source];
      if (!file)
        throw new ValueError(
          `sentimentSentences.load: unknown source ${JSON.stringify(source)}; expected amazon, imdb or yelp`,
        );
      // Split on '\n' only: the imdb file holds U+0085, which other splitters treat as a line break.
      const path = shippedDataPath(`sentiment_labelled_sentences/${file}`);
      const lines = requireNode<typeof import('node:fs')>('fs', 'sentimentSentences.load()')
        .readFileSync(path, 'utf8')
        .split('\n')
        .filter((l) => l !== '');
      lines.forEach((line, i) => {
        const tab = line.lastIndexOf('\t');
        const label = line.slice(tab + 1).trim();
        if (tab < 0 || (label !== '0' && label !== '1'))
          throw new ValueError(`sentimentSentences.load: ${file} line ${i + 1} is not 'sentence<TAB>0|1'`);
        data.sentences.push(line.slice(0, tab).trim());
        data.labels.push(Number(label));
        data.sources.push(source);
      });
    }
    return data;
  },
};
