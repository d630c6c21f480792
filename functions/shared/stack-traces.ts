import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * Stack traces that name the TypeScript source, at no cost to a cold start. `--enable-source-maps` parses the
 * whole map while the bundle loads (~100 ms for ours); this reads the map beside the bundle only when a stack
 * is first formatted, which in a healthy function is never. Without a map (tests, the local runner run the
 * sources) stacks stay as V8 writes them.
 */
export function mapStackTracesFromBundle(bundleUrl: string): void {
  const bundlePath = bundleUrl.startsWith('file:') ? fileURLToPath(bundleUrl) : bundleUrl;
  let map: SourceMap | null | undefined;
  let mapProblem = '';
  const readMap = (): SourceMap | null => {
    const file = `${bundlePath}.map`;
    if (!existsSync(file)) return null;
    // A map that cannot be read (a truncated upload) must not cost the error itself: say so in the trace.
    try {
      return new SourceMap(JSON.parse(readFileSync(file, 'utf8')));
    } catch (problem) {
      mapProblem = `    (source map unreadable: ${(problem as Error).message})`;
      return null;
    }
  };
  Error.prepareStackTrace = (error, frames) => {
    const lines = [Error.prototype.toString.call(error)];
    if (mapProblem) lines.push(mapProblem);
    for (const frame of frames) {
      const file = frame.getFileName();
      const line = frame.getLineNumber();
      const column = frame.getColumnNumber();
      if ((file === bundleUrl || file === bundlePath) && line !== null && column !== null) {
        map ??= readMap();
        const entry = map?.findEntry(line - 1, column - 1);
        if (entry && 'originalSource' in entry) {
          const name = frame.getFunctionName() ?? '<anonymous>';
          lines.push(
            `    at ${name} (${entry.originalSource}:${entry.originalLine + 1}:${entry.originalColumn + 1})`,
          );
          continue;
        }
      }
      lines.push(`    at ${String(frame)}`);
    }
    return lines.join('\n');
  };
}
