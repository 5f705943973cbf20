import path from 'node:path';
import type { Reporter, TestCase, TestModule } from 'vitest/node';

/**
 * Ends the run with one plain line, "N passed, N failed" (", N skipped" when some were), which
 * any CI log reader understands without knowing vitest's own summary format. Before it, one line
 * per suite skipped for a missing capability (tests/helpers/capabilities.ts), with the reason its
 * title carries, so a skip is never silent.
 */
export default class PlainSummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    const skippedFor = new Map<string, number>();
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') counts.passed += 1;
        else if (state === 'failed') counts.failed += 1;
        else {
          counts.skipped += 1;
          const why = skipTitle(test);
          if (why) {
            const key = `${path.relative(process.cwd(), module.moduleId)} > ${why}`;
            skippedFor.set(key, (skippedFor.get(key) ?? 0) + 1);
          }
        }
      }
      // A file that failed to load has no tests but is a failure all the same.
      if (module.state() === 'failed' && [...module.children.allTests()].length === 0) counts.failed += 1;
    }
    for (const [where, n] of skippedFor) process.stdout.write(`skipped ${n} ${n === 1 ? 'test' : 'tests'}: ${where}\n`);
    const skipped = counts.skipped ? `, ${counts.skipped} skipped` : '';
    process.stdout.write(`\ntests: ${counts.passed} passed, ${counts.failed} failed${skipped}\n`);
  }
}

/** The title of the test or the outermost suite around it that says "(skipped: <reason>)". */
function skipTitle(test: TestCase): string | null {
  let found: string | null = test.name.includes('(skipped: ') ? test.name : null;
  for (let parent = test.parent; parent.type === 'suite'; parent = parent.parent) {
    if (parent.name.includes('(skipped: ')) found = parent.name;
  }
  return found;
}
