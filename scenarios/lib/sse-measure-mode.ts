/**
 * Where SSE streams are measured. `go`: the extension measures each stream itself (`params.measure`) and emits
 * the metrics from Go, so no JavaScript runs per event, and `sse.openAsync` lets one VU hold many streams.
 * `js`: an `event` handler measures every event in JavaScript, the path any xk6-sse-compatible extension runs.
 * `SSE_MEASURE=auto` (default) picks `go` when the extension is Tidemark's (it exports `features`, xk6-sse
 * does not); `go` or `js` forces one.
 */
import sse from 'k6/x/sse';
import type { SseModule } from 'k6/x/sse';
import { envString } from './env.ts';

export type SseMeasureMode = 'go' | 'js';

/** True when the loaded `k6/x/sse` can measure in Go and open streams asynchronously. */
export function goMeasureAvailable(module: Partial<SseModule> = sse): boolean {
  return module.features?.measure === true && module.features.openAsync === true && typeof module.openAsync === 'function';
}

/** The mode `SSE_MEASURE` asks for, checked against what the extension can do. */
export function sseMeasureMode(available: boolean = goMeasureAvailable()): SseMeasureMode {
  const asked = envString('SSE_MEASURE', 'auto');
  switch (asked) {
    case 'auto':
      return available ? 'go' : 'js';
    case 'js':
      return 'js';
    case 'go':
      if (!available) {
        throw new Error(
          "SSE_MEASURE=go needs Tidemark's k6/x/sse (sse.features.measure), and this k6's extension lacks it: " +
            'build the pinned k6 with `npm run setup`, or use SSE_MEASURE=js',
        );
      }
      return 'go';
    default:
      throw new Error(`SSE_MEASURE=${asked} is not one of auto, go, js`);
  }
}

/** This run's mode, decided once per VU in the init context. */
export const MEASURE_MODE: SseMeasureMode = sseMeasureMode();
