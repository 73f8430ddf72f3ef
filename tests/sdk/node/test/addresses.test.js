'use strict';
// Addresses and the number inventory with the official Node SDK: every
// country's seven AvailablePhoneNumbers lists (empty where the country sells
// no such numbers, never 404), addresses created, listed with Twilio's
// filters, fetched, updated and deleted, numbers whose country requires an
// address bought with one (21631 without) and listed as the address's
// dependentPhoneNumbers, and a Connect App filing addresses in its
// dedicated subaccount.

const test = require('node:test');
const assert = require('node:assert/strict');
const { useServer } = require('../lib/harness');
const { restError } = require('../lib/assertions');
const { Customer, createApp } = require('../lib/connect');

const state = useServer(test, 'addresses');

const BERLIN = {
  customerName: 'Ada Lovelace GmbH',
  street: 'Unter den Linden 1',
  city: 'Berlin',
  region: 'BE',
  postalCode: '10117',
  isoCountry: 'DE',
};
const NEW_YORK = {
  customerName: 'Ada Lovelace Inc',
  street: '1 Broadway',
  city: 'New York',
  region: 'NY',
  postalCode: '10004',
  isoCountry: 'US',
};
// The SDK's names of Twilio's seven lists, and the country's keys for them.
const KINDS = [
  ['local', 'local'],
  ['tollFree', 'toll_free'],
  ['mobile', 'mobile'],
  ['national', 'national'],
  ['sharedCost', 'shared_cost'],
  ['voip', 'voip'],
  ['machineToMachine', 'machine_to_machine'],
];

function account() {
  const main = state.server.createMainAccount('Node addresses');
  return { main, here: state.server.client(main.sid, main.auth_token).api.v2010.accounts(main.sid) };
}

test('every country answers its seven lists', async () => {
  const { here } = account();
  const countries = await here.availablePhoneNumbers.list();
  assert.deepEqual(
    countries.map((c) => c.countryCode),
    ['US', 'CA', 'GB', 'AU', 'DE', 'FR', 'ES', 'IT', 'NL', 'SE', 'IE', 'BR', 'MX', 'JP'],
  );
  let sold = 0;
  for (const country of countries) {
    const fetched = await here.availablePhoneNumbers(country.countryCode).fetch();
    assert.equal(fetched.country, country.country);
    for (const [kind, key] of KINDS) {
      const numbers = await here.availablePhoneNumbers(country.countryCode)[kind].list({ limit: 2 });
      if (key in fetched.subresourceUris) {
        sold += 1;
        assert.equal(numbers.length, 2, `${country.countryCode} ${kind}`);
        assert.ok(numbers.every((n) => n.isoCountry === country.countryCode));
      } else {
        assert.deepEqual(numbers, [], `${country.countryCode} ${kind}`);
      }
    }
  }
  assert.equal(sold, 49);
  const [m2m] = await here.availablePhoneNumbers('NL').machineToMachine.list({ limit: 1 });
  assert.ok(m2m.phoneNumber.startsWith('+31970'));
  assert.deepEqual([m2m.capabilities.voice, m2m.capabilities.sms], [false, true]);
  const [voip] = await here.availablePhoneNumbers('GB').voip.list({ limit: 1 });
  const bought = await here.incomingPhoneNumbers.create({ phoneNumber: voip.phoneNumber });
  assert.deepEqual([bought.type, bought.addressRequirements], ['voip', 'none']);
});

test('addresses are created, listed, updated and deleted', async () => {
  const { main, here } = account();
  const berlin = await here.addresses.create({ ...BERLIN, streetSecondary: '2. OG', autoCorrectAddress: false });
  assert.ok(berlin.sid.startsWith('AD'));
  assert.equal(berlin.accountSid, main.sid);
  assert.deepEqual(
    [berlin.customerName, berlin.street, berlin.streetSecondary, berlin.city, berlin.region, berlin.postalCode, berlin.isoCountry],
    ['Ada Lovelace GmbH', 'Unter den Linden 1', '2. OG', 'Berlin', 'BE', '10117', 'DE'],
  );
  assert.deepEqual([berlin.friendlyName, berlin.emergencyEnabled, berlin.validated, berlin.verified], [null, false, false, false]);
  assert.equal(berlin.uri, `/2010-04-01/Accounts/${main.sid}/Addresses/${berlin.sid}.json`);
  const hq = await here.addresses.create({ ...NEW_YORK, friendlyName: 'HQ', emergencyEnabled: true });

  assert.deepEqual((await here.addresses.list()).map((a) => a.sid), [berlin.sid, hq.sid]);
  assert.deepEqual((await here.addresses.list({ pageSize: 1 })).map((a) => a.sid), [berlin.sid, hq.sid]);
  assert.deepEqual((await here.addresses.list({ isoCountry: 'DE' })).map((a) => a.sid), [berlin.sid]);
  assert.deepEqual((await here.addresses.list({ friendlyName: 'HQ' })).map((a) => a.sid), [hq.sid]);
  assert.deepEqual((await here.addresses.list({ emergencyEnabled: true })).map((a) => a.sid), [hq.sid]);

  assert.equal((await here.addresses(berlin.sid).fetch()).streetSecondary, '2. OG');
  const updated = await here.addresses(berlin.sid).update({ friendlyName: 'Berlin office', streetSecondary: '', postalCode: '10178' });
  assert.deepEqual([updated.friendlyName, updated.streetSecondary, updated.postalCode], ['Berlin office', null, '10178']);

  assert.equal(await here.addresses(berlin.sid).remove(), true);
  await restError(here.addresses(berlin.sid).fetch(), 404, 20404);
  await restError(here.addresses.create({ ...BERLIN, isoCountry: 'ZZ' }), 400, 21238);
  await restError(here.addresses.create({ ...BERLIN, street: '' }), 400, 20001);
});

test('numbers that need an address are bought with one', async () => {
  const { here } = account();
  const berlin = await here.addresses.create(BERLIN);
  const newYork = await here.addresses.create(NEW_YORK);
  const [offered] = await here.availablePhoneNumbers('DE').local.list({ limit: 1 });
  assert.equal(offered.addressRequirements, 'local');
  await restError(here.incomingPhoneNumbers.create({ phoneNumber: offered.phoneNumber }), 400, 21631);
  await restError(here.incomingPhoneNumbers.create({ phoneNumber: offered.phoneNumber, addressSid: newYork.sid }), 400, 21631);
  const number = await here.incomingPhoneNumbers.create({ phoneNumber: offered.phoneNumber, addressSid: berlin.sid });
  assert.deepEqual([number.addressSid, number.addressRequirements], [berlin.sid, 'local']);

  const dependents = await here.addresses(berlin.sid).dependentPhoneNumbers.list();
  assert.deepEqual(dependents.map((d) => d.sid), [number.sid]);
  assert.equal(dependents[0].phoneNumber, offered.phoneNumber);
  assert.deepEqual(await here.addresses(newYork.sid).dependentPhoneNumbers.list(), []);

  await restError(here.addresses(berlin.sid).remove(), 400, 21631);
  await restError(here.incomingPhoneNumbers(number.sid).update({ addressSid: newYork.sid }), 400, 21631);
  assert.equal(await here.incomingPhoneNumbers(number.sid).remove(), true);
  assert.equal(await here.addresses(berlin.sid).remove(), true);
});

test('a post-all app files addresses in its dedicated subaccount', async () => {
  const owner = state.server.createMainAccount('Node address app owner');
  const customer = state.server.createMainAccount('Node address customer');
  const connectApp = await createApp(state.server.baseUrl, owner, { permissions: ['get-all', 'post-all'] });
  const sub = await (await new Customer(state.server.baseUrl, customer).signIn()).authorize(connectApp.sid);
  const asApp = state.server.client(sub, owner.auth_token);
  const here = asApp.api.v2010.accounts(sub);
  const made = await here.addresses.create(BERLIN);
  assert.equal(made.accountSid, sub);
  const [offered] = await here.availablePhoneNumbers('DE').mobile.list({ limit: 1 });
  const number = await here.incomingPhoneNumbers.create({ phoneNumber: offered.phoneNumber, addressSid: made.sid });
  assert.equal(number.addressSid, made.sid);
  assert.deepEqual((await here.addresses(made.sid).dependentPhoneNumbers.list()).map((d) => d.sid), [number.sid]);
  const customers = asApp.api.v2010.accounts(customer.sid).addresses;
  assert.deepEqual(await customers.list(), []);
  await restError(customers.create(NEW_YORK), 403, 20403);
});
