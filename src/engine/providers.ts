/**
 * Execution providers of onnxruntime-node 1.30 (model-contract.md §6): cpu and webgpu are bundled, cuda is
 * not, and a session on an unavailable provider throws instead of falling back. We probe each one with a
 * one-node model before relying on it.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { probeModel } from './onnx-build.js';
import type { ProviderName } from './types.js';

export const PROVIDERS: ProviderName[] = ['cpu', 'webgpu', 'cuda'];

export const PROVIDER_HELP: Record<ProviderName, string> = {
  cuda:
    'onnxruntime-node 1.30 does not bundle the CUDA provider: reinstall it with `ONNXRUNTIME_NODE_INSTALL=cuda12 npm install onnxruntime-node` ' +
    '(or `onnxruntime-node-install=cuda12` in .npmrc), and make the CUDA 12 runtime, cuBLAS and cuDNN 9 libraries loadable (LD_LIBRARY_PATH)',
  webgpu: 'the WebGPU provider needs a working WebGPU adapter (Dawn over a Vulkan driver and a GPU) on this machine',
  cpu: 'the CPU provider is bundled with onnxruntime-node; if it fails, the onnxruntime-node install is broken (run `npm rebuild onnxruntime-node`)',
};

export interface ProbeResult {
  provider: ProviderName;
  usable: boolean;
  /** Whether onnxruntime-node reports the provider as bundled in its binary. */
  bundled: boolean;
  /** The exact error when not usable. */
  error?: string;
}

export function sessionOptions(provider: ProviderName, gpuOutputs: string[] = [], intraOpThreads?: number): ort.InferenceSession.SessionOptions {
  const options: ort.InferenceSession.SessionOptions = { executionProviders: [provider], graphOptimizationLevel: 'all' };
  if (intraOpThreads !== undefined) options.intraOpNumThreads = intraOpThreads;
  // WebGPU only: keep these outputs (the KV cache) on the device between runs; ignored elsewhere.
  if (provider === 'webgpu' && gpuOutputs.length > 0) {
    options.preferredOutputLocation = Object.fromEntries(gpuOutputs.map((n) => [n, 'gpu-buffer' as const]));
  }
  return options;
}

export function errorText(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ').trim();
}

/** Where onnxruntime-node keeps its native libraries (the CUDA provider libraries must be there). */
export function ortBinaryDir(): string {
  const main = createRequire(import.meta.url).resolve('onnxruntime-node');
  return join(dirname(main), '..', 'bin', 'napi-v6', process.platform, process.arch);
}

/** Adds what is missing on disk to a CUDA load failure (ORT only says "Failed to load shared library"). */
function explainCuda(error: string): string {
  const dir = ortBinaryDir();
  const missing = ['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_cuda.so'].filter((f) => !existsSync(join(dir, f)));
  return missing.length > 0 ? `${error} (${missing.join(' and ')} not installed in ${dir})` : error;
}

/** Creates and runs a one-node session on `provider`. */
export async function probeProvider(provider: ProviderName): Promise<ProbeResult> {
  const bundled = ort.listSupportedBackends().some((b) => b.name === provider && b.bundled);
  try {
    // Severity 4 (fatal only): the probe reports the error itself instead of ORT's multi-line log.
    const session = await ort.InferenceSession.create(probeModel(), { ...sessionOptions(provider), logSeverityLevel: 4 });
    try {
      const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from([1, 2]), [2]) });
      const y = Array.from((await out.y!.getData()) as Float32Array);
      if (y[0] !== 2 || y[1] !== 3) return { provider, usable: false, bundled, error: `probe returned ${JSON.stringify(y)} for x + 1 with x = [1, 2]` };
    } finally {
      await session.release();
    }
    return { provider, usable: true, bundled };
  } catch (e) {
    const error = errorText(e);
    return { provider, usable: false, bundled, error: provider === 'cuda' ? explainCuda(error) : error };
  }
}
