// Progress of long stages: a bar in a terminal, a plain line every few seconds otherwise (CI, pipes).
import type { Progress } from "./stage.ts";

export interface ProgressFactory {
  /** A progress reporter for one stage. */
  forStage(stage: string): Progress;
}

export const silentProgress: ProgressFactory = {
  forStage: () => ({ start() {}, tick() {}, done() {} }),
};

/**
 * Progress on a writable stream (stderr). In a terminal a single redrawn line; otherwise one line
 * at most every `intervalMs`, and one when a bar completes.
 */
export function streamProgress(stream: NodeJS.WriteStream, intervalMs = 5000): ProgressFactory {
  const tty = Boolean(stream.isTTY);
  return {
    forStage(stage: string): Progress {
      let total = 0;
      let current = 0;
      let label = stage;
      let startedAt = 0;
      let lastDrawn = 0;
      let active = false;
      const line = () => {
        const pct = total > 0 ? Math.floor((current / total) * 100) : 100;
        const elapsed = (Date.now() - startedAt) / 1000;
        const rate = elapsed > 0 ? current / elapsed : 0;
        const eta = rate > 0 && total > current ? ` eta ${Math.ceil((total - current) / rate)}s` : "";
        if (!tty) return `[${label}] ${current}/${total} (${pct}%)${eta}`;
        const width = 24;
        const filled = Math.round((pct / 100) * width);
        return `${label} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${current}/${total} ${pct}%${eta}`;
      };
      const draw = (force: boolean) => {
        const now = Date.now();
        if (!force && now - lastDrawn < (tty ? 100 : intervalMs)) return;
        lastDrawn = now;
        if (tty) stream.write(`\r\x1b[2K${line()}`);
        else stream.write(`${line()}\n`);
      };
      return {
        start(units: number, name?: string) {
          total = units;
          current = 0;
          label = name ? `${stage}: ${name}` : stage;
          startedAt = Date.now();
          lastDrawn = tty ? 0 : startedAt;
          active = true;
        },
        tick(units = 1) {
          if (!active) return;
          current += units;
          draw(false);
        },
        done() {
          if (!active) return;
          active = false;
          if (tty) stream.write(`\r\x1b[2K`);
          else if (total >= 50) draw(true);
        },
      };
    },
  };
}
