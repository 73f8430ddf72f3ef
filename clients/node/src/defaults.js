/** The seed when a test names none: one Full account named `main`. */
export const DEFAULT_SEED = Object.freeze({ accounts: Object.freeze({ main: Object.freeze({ type: 'Full' }) }) });

/** In a seed's strings, `{receiver}` becomes the test's webhook receiver base URL. */
export const RECEIVER_TOKEN = '{receiver}';
