// Entry point of the extension-host suite (the `extensionTestsPath` of the payload URL): runs every *.e2e.js file
// beside it with mocha and prints one summary line that the harness (test/e2e/run.ts) reads from the page console.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';
import Mocha from 'mocha';

/** Marks the suite's console lines among the workbench's own (test/e2e/run.ts filters on it). */
const LINE_MARKER = '[modelfile-e2e] ';
const SUMMARY_PREFIX = 'MODELFILE-E2E-SUMMARY ';

/**
 * The workbench relays extension-host console calls without applying printf-style formats, so reporter output is
 * formatted here, one console call per line.
 */
function routeReporterOutput(): void {
  const base = Mocha.reporters.Base as unknown as { consoleLog: (...args: unknown[]) => void };
  base.consoleLog = (...args: unknown[]) => {
    for (const line of format(...args).split('\n')) console.log(LINE_MARKER + line);
  };
}

export function run(): Promise<void> {
  routeReporterOutput();
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 30_000, reporter: 'spec' });
  for (const file of readdirSync(__dirname).filter((name) => name.endsWith('.e2e.js')).sort()) {
    mocha.addFile(join(__dirname, file));
  }
  return new Promise((resolve, reject) => {
    const failed: string[] = [];
    const runner = mocha.run((failures) => {
      const stats = runner.stats;
      const summary = {
        tests: stats?.tests ?? 0,
        passes: stats?.passes ?? 0,
        failures,
        pending: stats?.pending ?? 0,
        failed,
      };
      console.log(LINE_MARKER + SUMMARY_PREFIX + JSON.stringify(summary));
      if (failures > 0) reject(new Error(`${failures} extension-host test(s) failed`));
      else resolve();
    });
    runner.on('fail', (test, error: unknown) => {
      failed.push(`${test.fullTitle()}: ${error instanceof Error ? error.message : String(error)}`);
    });
  });
}
