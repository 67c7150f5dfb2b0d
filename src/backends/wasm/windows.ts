import type { WindowGeometry } from '../../backend/backend.js';

/**
 * The scalar arguments the window kernels (assembly/windows.ts) take after their pointers:
 * channels, then the geometry in a fixed order.
 * @example geometryArgs(3, g) // [3, inH, inW, kH, kW, strideH, strideW, dilationH, dilationW, outH, outW, padTop, padLeft]
 */
export function geometryArgs(channels: number, g: WindowGeometry): number[] {
  return [
    channels,
    g.inH,
    g.inW,
    g.kH,
    g.kW,
    g.strideH,
    g.strideW,
    g.dilationH,
    g.dilationW,
    g.outH,
    g.outW,
    g.padTop,
    g.padLeft,
  ];
}
