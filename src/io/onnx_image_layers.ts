import { ValueError } from '../core/errors.js';
import { Cropping2D, UpSampling2D, ZeroPadding2D } from '../layers/convolutional_resizing.js';
import type { Layer } from '../layers/layer.js';
import { CenterCrop, Resizing } from '../layers/preprocessing_image.js';
import type { Shape } from '../layers/symbolic.js';
import { antialiasWeights, samplePoints, type ResizeInterpolation } from '../ops/resize.js';
import type { OnnxGraphBuilder } from './onnx_builder.js';
import type { Emitter } from './onnx_layers.js';

/** The image's height and width, which resizing and cropping to a ratio are computed from. */
function knownSize(layer: Layer, shape: Shape): [number, number] {
  const [, h, w] = shape;
  if (h === null || w === null)
    throw new ValueError(
      `exportOnnx: ${layer.getClassName()} '${layer.name}' needs a known input height and width, got input shape [${shape.join(', ')}]`,
    );
  return [h, w];
}

/** Rows and columns [starts, ends) of channels-last images (negative ends count from the end). */
function slice2d(b: OnnxGraphBuilder, s: string, x: string, starts: number[], ends: number[]): string {
  return b.op(
    'Slice',
    [x, b.int64(`${s}/starts`, starts), b.int64(`${s}/ends`, ends), b.int64(`${s}/axes`, [1, 2])],
    s,
  );
}

/** The window [top, left, height, width] of channels-last images. */
const crop = (b: OnnxGraphBuilder, s: string, x: string, [top, left, height, width]: number[]) =>
  slice2d(b, s, x, [top, left], [top + height, left + width]);

/**
 * Channels-last images resized from `from` to `to` as `resizeImages` does. Bilinear is ONNX's
 * Resize with half-pixel centres (TensorFlow's sampling; both clamp at the border). Nearest is
 * a Gather of the exact rows and columns Myelin picks: Resize would find them by float division,
 * which can land one pixel off where a sample point falls on a pixel boundary.
 */
function resize(
  b: OnnxGraphBuilder,
  s: string,
  x: string,
  from: [number, number],
  to: [number, number],
  interpolation: ResizeInterpolation,
): string {
  if (from[0] === to[0] && from[1] === to[1]) return x;
  if (interpolation === 'nearest')
    return [1, 2].reduce((y, axis, i) => {
      if (from[i] === to[i]) return y;
      const rows = Array.from(samplePoints(from[i], to[i], 'nearest').lower);
      return b.op('Gather', [y, b.int64(`${s}/rows`, rows)], s, { axis: { int: axis } });
    }, x);
  const nchw = b.toNchw(x, s);
  const batchAndChannels = b.op(
    'Slice',
    [b.op('Shape', [nchw], s), b.int64(`${s}/zero`, [0]), b.int64(`${s}/two`, [2])],
    s,
  );
  const sizes = b.op('Concat', [batchAndChannels, b.int64(`${s}/size`, to)], s, { axis: { int: 0 } });
  const y = b.op('Resize', [nchw, '', '', sizes], s, {
    mode: 'linear',
    coordinate_transformation_mode: 'half_pixel',
  });
  return b.toNhwc(y, s);
}

const zeroPadding2d: Emitter = (b, layer, x) => {
  const z = layer as ZeroPadding2D;
  const [[top, bottom], [left, right]] = z.padding;
  return b.op('Pad', [x, b.int64(`${z.name}/pads`, [0, top, left, 0, 0, bottom, right, 0])], z.name, {
    mode: 'constant',
  });
};

const cropping2d: Emitter = (b, layer, x) => {
  const c = layer as Cropping2D;
  const [[top, bottom], [left, right]] = c.cropping;
  const end = (margin: number) => (margin > 0 ? -margin : Number.MAX_SAFE_INTEGER);
  return slice2d(b, c.name, x, [top, left], [end(bottom), end(right)]);
};

const upSampling2d: Emitter = (b, layer, x, shape) => {
  const u = layer as UpSampling2D;
  const [h, w] = knownSize(u, shape);
  return resize(b, u.name, x, [h, w], [h * u.size[0], w * u.size[1]], u.interpolation);
};

/** The aspect-ratio crop or padding first, then the resize. */
const resizing: Emitter = (b, layer, x, shape) => {
  const r = layer as Resizing;
  let [h, w] = knownSize(r, shape);
  let y = x;
  if (r.cropToAspectRatio) {
    const window = r.aspectCrop(h, w);
    y = crop(b, r.name, y, window);
    [h, w] = [window[2], window[3]];
  } else if (r.padToAspectRatio) {
    const [top, left] = r.aspectPadding(h, w);
    const pads = b.int64(`${r.name}/pads`, [0, top, left, 0, 0, top, left, 0]);
    y = b.op('Pad', [y, pads, b.constant(`${r.name}/fill`, [r.fillValue], [])], r.name, { mode: 'constant' });
    [h, w] = [h + 2 * top, w + 2 * left];
  }
  if (r.antialias && r.interpolation === 'bilinear') {
    // The same per-axis weights as the layer, as constants: opset 17's Resize has no antialias.
    const rows = b.constant(`${r.name}/rows`, Float32Array.from(antialiasWeights(h, r.height)), [r.height, h]);
    const cols = b.constant(`${r.name}/cols`, Float32Array.from(antialiasWeights(w, r.width)), [r.width, w]);
    y = b.op('Einsum', [rows, y], r.name, { equation: 'ph,nhwc->npwc' });
    return b.op('Einsum', [cols, y], r.name, { equation: 'qw,nhwc->nhqc' });
  }
  return resize(b, r.name, y, [h, w], [r.height, r.width], r.interpolation);
};

const centerCrop: Emitter = (b, layer, x, shape) => {
  const c = layer as CenterCrop;
  const window = c.window(...knownSize(c, shape));
  const y = crop(b, c.name, x, window);
  return resize(b, c.name, y, [window[2], window[3]], [c.height, c.width], 'bilinear');
};

/** Image padding, cropping and resizing layers `exportOnnx` translates (channels-last throughout). */
export const ONNX_IMAGE_EMITTERS: [abstract new (...args: never[]) => Layer, Emitter][] = [
  [ZeroPadding2D, zeroPadding2d],
  [Cropping2D, cropping2d],
  [UpSampling2D, upSampling2d],
  [Resizing, resizing],
  [CenterCrop, centerCrop],
];
