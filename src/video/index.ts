/** Video side of inference: ffmpeg decoding, the loader's frame selection, letterboxing, the embedding cache. */
export { VideoError, resolveFfmpeg, checkFfmpeg, probeVideo, decodeRgbFrames, type FfmpegPaths, type VideoInfo } from './ffmpeg.js';
export { planSampling, profileSettings, FrameSelector, selectedFrameIndices, frameTimes, type Profile, type SamplingMode, type SamplingPlan, type SamplingSettings } from './sampling.js';
export { letterboxGeometry, letterboxRgb, resizeBilinearRgb, normalisationTables, rgbToChw, SIGLIP_NORMALISATION, type LetterboxGeometry, type Normalisation } from './letterbox.js';
export { openSampledVideo, type FrameBatch, type SampledVideo, type FrameStreamOptions } from './frames.js';
export { embedVideo, embeddingCacheKey, defaultCacheDir, sha256FileStream, PREPROCESS_VERSION, type FrameEncoder, type EmbedRequest, type VideoEmbeddings } from './embed.js';
export { resolveVideoPath } from './paths.js';
