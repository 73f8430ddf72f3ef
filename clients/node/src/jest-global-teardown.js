// jest.config: globalTeardown: 'switchboard-sandbox/jest-global-teardown'
import { globalTeardown } from './jest.js';

export default async function teardown() {
  await globalTeardown();
}
