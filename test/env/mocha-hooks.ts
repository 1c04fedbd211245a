// Root hooks: servers are started lazily by the tests that need them (see
// environment.ts) and all stopped once, after the whole run.
import { stopEnvironment } from './environment.ts';

export const mochaHooks = {
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(60_000);
    await stopEnvironment();
  },
};
