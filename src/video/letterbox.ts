/**
 * Letterboxing to a square canvas and SigLIP normalisation (protocol.md §3), on interleaved RGB24
 * buffers. The resize reproduces OpenCV's `cv2.resize(..., INTER_LINEAR)` for 8-bit images bit for
 * bit as the x86 opencv-python 4.14 wheel computes it (checked on 13 frame sizes, 0 differing bytes):
 * fixed-point coefficients with 11 fractional bits, horizontal pass in exact integers, vertical pass
 * with the SIMD kernel's arithmetic `((a>>4)·b0>>16 + (c>>4)·b1>>16 + 2) >> 2` on every byte, and an
 * exact 2x downscale turned into OpenCV's fast INTER_AREA average.
 * Deviation: OpenCV builds whose vertical pass falls back to scalar code (no SIMD, or a row tail in
 * older releases) round `(a·b0 + c·b1 + 2^21) >> 22` instead; values may then differ by 1/255.
 */

export interface LetterboxGeometry {
  /** Size of the scaled picture inside the square. */
  width: number;
  height: number;
  /** Black padding, in pixels. */
  top: number;
  bottom: number;
  left: number;
  right: number;
  /** Side of the square canvas. */
  size: number;
}

/** §3.1–3.2: scale the longer side to `size` (int truncation), pad the rest with black, split as Python `//`. */
export function letterboxGeometry(srcWidth: number, srcHeight: number, size: number): LetterboxGeometry {
  if (!(srcWidth > 0 && srcHeight > 0)) throw new Error(`letterbox: invalid frame size ${srcWidth}x${srcHeight}`);
  let width: number;
  let height: number;
  if (srcWidth > srcHeight) {
    width = size;
    height = Math.trunc((srcHeight / srcWidth) * size);
  } else {
    height = size;
    width = Math.trunc((srcWidth / srcHeight) * size);
  }
  // A degenerate strip (e.g. 1000x1) would truncate to 0; cv2.resize would refuse it. Keep one pixel.
  width = Math.max(1, width);
  height = Math.max(1, height);
  const padH = size - height;
  const padW = size - width;
  return {
    width,
    height,
    top: Math.floor(padH / 2),
    bottom: Math.floor((padH + 1) / 2),
    left: Math.floor(padW / 2),
    right: Math.floor((padW + 1) / 2),
    size,
  };
}

const COEF_BITS = 11;
const COEF_SCALE = 1 << COEF_BITS;

/** OpenCV's saturate_cast<short>(float): round half to even, clamp. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

interface AxisTable {
  /** First source index of each destination index (already clamped as OpenCV does). */
  index: Int32Array;
  /** Fixed-point weights: [w0, w1] per destination index. */
  weight: Int16Array;
}

/** Per-axis source offsets and weights exactly as cv::resize computes them (float coordinate, cvFloor, float weights). */
function axisTable(srcLen: number, dstLen: number, clampEdges: boolean): AxisTable {
  const scale = 1 / (dstLen / srcLen); // OpenCV: inv_scale = dst/src (double), scale = 1/inv_scale
  const index = new Int32Array(dstLen);
  const weight = new Int16Array(dstLen * 2);
  for (let d = 0; d < dstLen; d++) {
    let f = Math.fround((d + 0.5) * scale - 0.5);
    let s = Math.floor(f);
    f = Math.fround(f - s);
    if (clampEdges) {
      // Horizontal pass: OpenCV clamps the offset and zeroes the fraction at both borders.
      if (s < 0) {
        f = 0;
        s = 0;
      }
      if (s >= srcLen - 1) {
        f = 0;
        s = srcLen - 1;
      }
    }
    index[d] = s;
    weight[2 * d] = roundHalfEven(Math.fround(1 - f) * COEF_SCALE);
    weight[2 * d + 1] = roundHalfEven(f * COEF_SCALE);
  }
  return { index, weight };
}

/** Geometry-only tables, cached per (source size, target size): every frame of a video shares them. */
interface ResizePlan {
  sw: number;
  sh: number;
  dw: number;
  dh: number;
  x: AxisTable;
  y: AxisTable;
  rowA: Int32Array;
  rowB: Int32Array;
}

const planCache = new Map<string, ResizePlan>();

function resizePlan(sw: number, sh: number, dw: number, dh: number): ResizePlan {
  const key = `${sw}x${sh}>${dw}x${dh}`;
  let plan = planCache.get(key);
  if (!plan) {
    plan = { sw, sh, dw, dh, x: axisTable(sw, dw, true), y: axisTable(sh, dh, false), rowA: new Int32Array(dw * 3), rowB: new Int32Array(dw * 3) };
    if (planCache.size > 16) planCache.clear();
    planCache.set(key, plan);
  }
  return plan;
}

/** Horizontal pass of one source row into fixed-point sums (scale 2^11). */
function horizontalRow(src: Uint8Array, rowOffset: number, plan: ResizePlan, out: Int32Array): void {
  const { index, weight } = plan.x;
  const last = plan.sw - 1;
  for (let dx = 0; dx < plan.dw; dx++) {
    const sx = index[dx]!;
    const a0 = weight[2 * dx]!;
    const a1 = weight[2 * dx + 1]!;
    const p0 = rowOffset + sx * 3;
    const p1 = rowOffset + Math.min(sx + 1, last) * 3;
    const o = dx * 3;
    out[o] = src[p0]! * a0 + src[p1]! * a1;
    out[o + 1] = src[p0 + 1]! * a0 + src[p1 + 1]! * a1;
    out[o + 2] = src[p0 + 2]! * a0 + src[p1 + 2]! * a1;
  }
}

/**
 * The SIMD kernel's `v_mul_hi(v_pack(sum >> 4), beta)`: sums are at most 255·2048, so `sum >> 4`
 * never saturates int16 and the product fits int32; `>> 16` floors like the high half of the product.
 */
function mulHi(sum: number, beta: number): number {
  return ((sum >> 4) * beta) >> 16;
}

/**
 * cv2.resize(src, (dw, dh), interpolation=INTER_LINEAR) for a 3-channel 8-bit image, written into
 * `dst` (row stride `dstStride` bytes, starting at `dstOffset`).
 */
export function resizeBilinearRgb(
  src: Uint8Array,
  sw: number,
  sh: number,
  dw: number,
  dh: number,
  dst: Uint8Array,
  dstOffset = 0,
  dstStride = dw * 3,
): void {
  if (sw === dw && sh === dh) {
    for (let y = 0; y < sh; y++) dst.set(src.subarray(y * sw * 3, (y + 1) * sw * 3), dstOffset + y * dstStride);
    return;
  }
  if (sw === 2 * dw && sh === 2 * dh) {
    areaHalf(src, sw, dw, dh, dst, dstOffset, dstStride);
    return;
  }
  const plan = resizePlan(sw, sh, dw, dh);
  const rowBytes = dw * 3;
  let cachedA = -1;
  let cachedB = -1;
  let rowA = plan.rowA;
  let rowB = plan.rowB;
  for (let dy = 0; dy < dh; dy++) {
    const sy = plan.y.index[dy]!;
    const ya = Math.min(Math.max(sy, 0), sh - 1);
    const yb = Math.min(Math.max(sy + 1, 0), sh - 1);
    // Reuse horizontally resized rows between neighbouring output rows (as OpenCV's ring buffer does).
    if (ya === cachedB && ya !== cachedA) {
      [rowA, rowB] = [rowB, rowA];
      cachedA = ya;
      cachedB = -1;
    }
    if (ya !== cachedA) {
      horizontalRow(src, ya * sw * 3, plan, rowA);
      cachedA = ya;
    }
    if (yb !== cachedB) {
      if (yb === cachedA) rowB.set(rowA);
      else horizontalRow(src, yb * sw * 3, plan, rowB);
      cachedB = yb;
    }
    const b0 = plan.y.weight[2 * dy]!;
    const b1 = plan.y.weight[2 * dy + 1]!;
    const out = dstOffset + dy * dstStride;
    for (let x = 0; x < rowBytes; x++) {
      dst[out + x] = (mulHi(rowA[x]!, b0) + mulHi(rowB[x]!, b1) + 2) >> 2;
    }
  }
}

/** OpenCV turns an exact 2x INTER_LINEAR downscale into INTER_AREA: rounded mean of each 2x2 block. */
function areaHalf(src: Uint8Array, sw: number, dw: number, dh: number, dst: Uint8Array, dstOffset: number, dstStride: number): void {
  const stride = sw * 3;
  for (let dy = 0; dy < dh; dy++) {
    const r0 = 2 * dy * stride;
    const r1 = r0 + stride;
    for (let dx = 0; dx < dw; dx++) {
      for (let c = 0; c < 3; c++) {
        const o = 6 * dx + c;
        dst[dstOffset + dy * dstStride + dx * 3 + c] = (src[r0 + o]! + src[r0 + o + 3]! + src[r1 + o]! + src[r1 + o + 3]! + 2) >> 2;
      }
    }
  }
}

/** Letterboxes one RGB24 frame into a `size`x`size` RGB24 canvas (black padding). */
export function letterboxRgb(src: Uint8Array, sw: number, sh: number, size: number, canvas?: Uint8Array): { canvas: Uint8Array; geometry: LetterboxGeometry } {
  const g = letterboxGeometry(sw, sh, size);
  const out = canvas ?? new Uint8Array(size * size * 3);
  out.fill(0);
  resizeBilinearRgb(src, sw, sh, g.width, g.height, out, (g.top * size + g.left) * 3, size * 3);
  return { canvas: out, geometry: g };
}

export interface Normalisation {
  mean: [number, number, number];
  std: [number, number, number];
}

/** SigLIP: x/255, then (x − 0.5)/0.5 per channel, i.e. x/127.5 − 1. */
export const SIGLIP_NORMALISATION: Normalisation = { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] };

/** One 256-entry lookup table per channel: byte -> normalised float32. */
export function normalisationTables(norm: Normalisation): Float32Array[] {
  return [0, 1, 2].map((c) => {
    const t = new Float32Array(256);
    for (let v = 0; v < 256; v++) t[v] = (v / 255 - norm.mean[c]!) / norm.std[c]!;
    return t;
  });
}

/** Interleaved RGB24 canvas -> planar CHW float32, written at `out[offset ..]`. */
export function rgbToChw(canvas: Uint8Array, size: number, tables: Float32Array[], out: Float32Array, offset = 0): void {
  const plane = size * size;
  const [t0, t1, t2] = tables as [Float32Array, Float32Array, Float32Array];
  for (let i = 0; i < plane; i++) {
    out[offset + i] = t0[canvas[3 * i]!]!;
    out[offset + plane + i] = t1[canvas[3 * i + 1]!]!;
    out[offset + 2 * plane + i] = t2[canvas[3 * i + 2]!]!;
  }
}
