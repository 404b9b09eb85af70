/**
 * Progress of an inference run: a cli-progress bar (items, frames/s, ETA) on a TTY, one plain log
 * line per item otherwise (CI logs, redirected output).
 */
import cliProgress from 'cli-progress';

export interface Progress {
  /** One item finished (or failed) with `frames` frames. */
  item(questionId: string, frames: number, message: string): void;
  stop(): void;
}

export function createProgress(total: number, tty: boolean, log: (line: string) => void): Progress {
  const t0 = performance.now();
  let done = 0;
  let frames = 0;
  const rate = () => {
    const s = (performance.now() - t0) / 1000;
    return s > 0 ? frames / s : 0;
  };
  if (!tty) {
    return {
      item(questionId, n, message) {
        done++;
        frames += n;
        log(`[${done}/${total}] ${questionId}: ${message} (${rate().toFixed(1)} frames/s)`);
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    { format: 'infer |{bar}| {value}/{total} items | {fps} frames/s | ETA {eta_formatted}', stream: process.stderr, hideCursor: true, etaBuffer: 20 },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { fps: '0.0' });
  return {
    item(_questionId, n) {
      done++;
      frames += n;
      bar.update(done, { fps: rate().toFixed(1) });
    },
    stop() {
      bar.stop();
    },
  };
}
