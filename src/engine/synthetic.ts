/**
 * Synthetic frames for tests and the engine bench: solid colours, optionally with a marker square in the
 * bottom-right cell (what the tiny fixture model's informative head reacts to, fixtures/README.md).
 */
export type Rgb = [number, number, number];

export interface SyntheticFrame {
  colour: Rgb;
  /** Colour of the bottom-right 55x55 px square (the 49th visual token's cell). */
  marker?: Rgb;
}

/** Letterboxed, normalised pixels `[n, 3, R, R]` (x/127.5 − 1, protocol.md §3) of the given frames. */
export function syntheticPixels(frames: SyntheticFrame[], resolution = 384): Float32Array {
  const plane = resolution * resolution;
  const out = new Float32Array(frames.length * 3 * plane);
  const cellStart = resolution - 55;
  frames.forEach((f, k) => {
    for (let c = 0; c < 3; c++) {
      const base = (k * 3 + c) * plane;
      out.fill(f.colour[c]! / 127.5 - 1, base, base + plane);
      if (!f.marker) continue;
      const v = f.marker[c]! / 127.5 - 1;
      for (let y = cellStart; y < resolution; y++) out.fill(v, base + y * resolution + cellStart, base + (y + 1) * resolution);
    }
  });
  return out;
}

export const COLOURS = {
  red: [255, 0, 0] as Rgb,
  green: [0, 255, 0] as Rgb,
  blue: [0, 0, 255] as Rgb,
  white: [255, 255, 255] as Rgb,
  black: [0, 0, 0] as Rgb,
  grey: [128, 128, 128] as Rgb,
};
