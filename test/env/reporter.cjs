// mocha's spec reporter plus one plain closing line, "N passed, N failed,
// N skipped", that CI and people can read without knowing mocha's wording.
'use strict';
const Mocha = require('mocha');

class BobReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const { passes, failures, pending } = runner.stats;
      console.log(`${passes} passed, ${failures} failed, ${pending} skipped`);
    });
  }
}

module.exports = BobReporter;
