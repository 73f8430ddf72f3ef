// Vitest global setup: one Switchboard for the whole run.
//   export default defineConfig({ test: { globalSetup: ['switchboard-sandbox/vitest-setup'] } })
// Starts the binary (SWITCHBOARD_BIN, else `switchboard` on PATH) in sandbox
// mode, or uses SWITCHBOARD_URL; tests reach it with inject('switchboardUrl')
// (the `switchboard` fixture of switchboard-sandbox/vitest does that).
import { Switchboard } from './server.js';

export default async function setup(project) {
  const args = process.env.SWITCHBOARD_ARGS ? process.env.SWITCHBOARD_ARGS.split(/\s+/).filter(Boolean) : [];
  const server = await Switchboard.fromEnv({ args });
  project.provide('switchboardUrl', server.baseUrl);
  return async () => {
    const status = await server.stop();
    if (status !== null && status !== 0) console.warn(`switchboard exited with ${status} after SIGTERM`);
  };
}
