import Mocha from 'mocha'

/**
 * Mocha's spec reporter plus one closing line in the plain form CI tools
 * read ("N passed, N failed, N skipped"), since they do not parse mocha's own.
 */
export default class SpecWithSummary extends Mocha.reporters.Spec {
  constructor (runner: Mocha.Runner, options: Mocha.MochaOptions) {
    super(runner, options)
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const s = runner.stats
      if (s == null) return
      // After the spec reporter's epilogue, which it prints on the same event.
      process.nextTick(() => { process.stdout.write(`\n${s.passes} passed, ${s.failures} failed, ${s.pending} skipped\n`) })
    })
  }
}
