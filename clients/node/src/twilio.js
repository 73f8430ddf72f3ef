import twilio from 'twilio';

/** The SDK domains Switchboard serves; each gets Switchboard's base URL, as tests/sdk does. */
export const DOMAINS = ['api', 'accounts', 'messaging'];

/**
 * The SDK's own RequestClient, unchanged, except that a request for any
 * `*.twilio.com` host (any product, region or edge) goes to Switchboard
 * instead: a test can never reach the real Twilio by accident.
 */
export class SwitchboardRequestClient extends twilio.RequestClient {
  constructor(baseUrl, opts) {
    super(opts);
    this.switchboardUrl = new URL(baseUrl);
  }

  rewrite(uri) {
    const u = new URL(uri);
    const host = u.hostname.toLowerCase();
    if (host !== 'twilio.com' && !host.endsWith('.twilio.com')) return uri;
    const prefix = this.switchboardUrl.pathname.replace(/\/$/, '');
    return `${this.switchboardUrl.origin}${prefix}${u.pathname}${u.search}`;
  }

  request(opts) {
    return super.request({ ...opts, uri: this.rewrite(opts.uri) });
  }
}

/**
 * An official `twilio` client for these credentials (and, for Connect, the
 * customer's `accountSid`) that talks to Switchboard.
 */
export function makeClient(baseUrl, username, password, accountSid) {
  const base = baseUrl.replace(/\/$/, '');
  const client = twilio(username, password, {
    accountSid,
    httpClient: new SwitchboardRequestClient(base),
  });
  // TWILIO_REGION / TWILIO_EDGE in the environment would rewrite hostnames.
  client.region = undefined;
  client.edge = undefined;
  for (const name of DOMAINS) client[name].baseUrl = base;
  return client;
}
