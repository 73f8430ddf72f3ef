// jest.config: globalSetup: 'switchboard-sandbox/jest-global-setup'
import { globalSetup } from './jest.js';

export default async function setup() {
  await globalSetup();
}
