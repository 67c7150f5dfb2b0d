import { ValueError, fmtShape } from '../core/errors.js';
import type { Layer } from './layer.js';
import type { Shape } from './symbolic.js';

/** Sequence layers read [batch, steps, channels] ('channels_last', Keras' default) or [batch, channels, steps]. */
export type SequenceDataFormat = 'channels_last' | 'channels_first';

/** Normalises a `dataFormat` argument (TF.js camelCase accepted), naming `who` when it is neither. */
export function checkFormat(format: string | undefined, who: string): SequenceDataFormat {
  const f =
    format === 'channelsLast'
      ? 'channels_last'
      : format === 'channelsFirst'
        ? 'channels_first'
        : (format ?? 'channels_last');
  if (f !== 'channels_last' && f !== 'channels_first')
    throw new ValueError(
      `${who}: 'dataFormat' must be 'channels_last' or 'channels_first', got ${JSON.stringify(format)}`,
    );
  return f;
}

/** Throws naming the layer unless `shape` is [batch, steps, channels]. */
export function sequenceShape(layer: Layer, shape: Shape): void {
  if (shape.length !== 3)
    throw new ValueError(
      `${layer.getClassName()} '${layer.name}': expected input of rank 3 [batch, steps, channels], got shape ${fmtShape(shape)} (rank ${shape.length})`,
    );
}
