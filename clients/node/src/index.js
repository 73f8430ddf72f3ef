// Test a Twilio Connect App against Switchboard's sandbox: see README.md.
export { ClockNotAvailable, NotInSandboxMode, SwitchboardError } from './errors.js';
export { WebhookReceiver, EMPTY_TWIML } from './receiver.js';
export { Authorization, Sandbox } from './sandbox.js';
export { loadSeed } from './seed.js';
export { Switchboard, findBinary } from './server.js';
export { SwitchboardRequestClient, makeClient } from './twilio.js';
