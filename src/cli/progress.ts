/**
 * A transfer progress bar on stderr, drawn only when stderr is a terminal:
 * pipes and CI logs get no control characters. Redraws at most every 100 ms.
 */
import type { CliStream } from './context.ts';
import { formatBytes } from './output.ts';

export interface Progress {
  advance(bytes: number): void;
  done(): void;
}

const SILENT: Progress = { advance: () => undefined, done: () => undefined };

export function createProgress(stream: CliStream, label: string, total: number, now: () => number = Date.now): Progress {
  if (stream.isTTY !== true || total <= 0) return SILENT;
  let transferred = 0;
  let lastDraw = 0;
  const started = now();
  const draw = (): void => {
    const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - label.length - 40));
    const fraction = Math.min(1, transferred / total);
    const filled = Math.round(fraction * width);
    const seconds = Math.max(0.001, (now() - started) / 1000);
    stream.write(`\r${label} [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${formatBytes(transferred)}/${formatBytes(total)} ${formatBytes(transferred / seconds)}/s\x1b[K`);
  };
  return {
    advance(bytes: number): void {
      transferred += bytes;
      if (now() - lastDraw >= 100) {
        lastDraw = now();
        draw();
      }
    },
    done(): void {
      draw();
      stream.write('\n');
    },
  };
}
