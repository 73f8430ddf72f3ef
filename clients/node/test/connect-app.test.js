// A tiny Connect App's test, start to end (the README's example).
import twilio from 'twilio';
import { expect, test as base } from 'switchboard-sandbox/vitest';

const test = base.extend({
  seed: {
    accounts: {
      owner: {
        type: 'Full',
        connect_apps: {
          analytics: {
            friendly_name: 'Call Analytics',
            company_name: 'Rossum',
            authorize_redirect_url: 'https://app.example.test/twilio/authorize',
            // {receiver} is this test's webhook receiver.
            deauthorize_callback_url: '{receiver}/twilio/deauthorize',
            deauthorize_callback_method: 'POST',
            permissions: ['get-all', 'post-all'],
          },
        },
      },
      bob: { type: 'Full' },
    },
  },
});

test('a Connect App: consent, a number, an inbound SMS, revocation', async ({ sandbox, receiver }) => {
  const ownerToken = sandbox.accounts.owner.auth_token;
  const appSid = sandbox.connectApps.analytics.sid;

  // Bob authorizes the app, as if he had pressed Authorize on its consent page.
  const consent = await sandbox.authorize('analytics', 'bob', { state: 'csrf-123' });
  expect(consent.redirectUrl.startsWith('https://app.example.test/twilio/authorize?')).toBe(true);
  expect(consent.params).toEqual({ AccountSid: consent.accountSid, state: 'csrf-123' });

  // The app buys a number in Bob's dedicated subaccount with its Connect credentials.
  const app = sandbox.connectClient('analytics', 'bob');
  const number = await app.incomingPhoneNumbers.create({ areaCode: '415', smsUrl: receiver.url('/sms') });
  expect(number.accountSid).toBe(consent.accountSid);

  // Someone texts the number: the app's webhook gets it, signed with the owner's token.
  receiver.twiml('/sms', '<Response><Message>Got it</Message></Response>');
  await sandbox.inboundSms(number.phoneNumber, '+14155550123', 'Is 3pm free?');
  const [sms] = await receiver.waitFor(1, { path: '/sms' });
  expect(sms.form.Body).toBe('Is 3pm free?');
  expect(sms.form.AccountSid).toBe(consent.accountSid);
  expect(twilio.validateRequest(ownerToken, sms.headers['x-twilio-signature'], sms.url, sms.form)).toBe(true);

  // Bob revokes the app: the deauthorize callback arrives, signed, and the
  // app's credentials no longer reach his account.
  await sandbox.revoke('analytics', 'bob');
  const [bye] = await receiver.waitFor(1, { path: '/twilio/deauthorize' });
  expect(bye.form).toEqual({ AccountSid: consent.accountSid, ConnectAppSid: appSid });
  expect(twilio.validateRequest(ownerToken, bye.headers['x-twilio-signature'], bye.url, bye.form)).toBe(true);
  await expect(app.incomingPhoneNumbers(number.sid).fetch()).rejects.toMatchObject({ status: expect.toBeOneOf([401, 403]) });

  // Switchboard records every request it makes for the sandbox (once the
  // answer is in, so wait for it).
  const [recorded, ...more] = await sandbox.waitForWebhooks(1, { kind: 'deauthorize' });
  expect(more).toEqual([]);
  expect([recorded.method, recorded.url, recorded.status]).toEqual(['POST', bye.url, 200]);
  expect(recorded.parameters).toEqual(bye.form);
  expect(recorded.request_headers['X-Twilio-Signature']).toBe(bye.headers['x-twilio-signature']);
});
