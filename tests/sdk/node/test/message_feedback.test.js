'use strict';
// Message feedback with the official Node SDK: a message sent with
// provideFeedback takes its outcome; one sent without it has no Feedback
// resource (404).

const test = require('node:test');
const assert = require('node:assert/strict');
const { useServer } = require('../lib/harness');
const { restError } = require('../lib/assertions');

const state = useServer(test, 'message_feedback');

test('feedback of a message sent with provideFeedback', async () => {
  const main = state.server.createMainAccount('Node feedback');
  const account = state.server.client(main.sid, main.auth_token).api.v2010.accounts(main.sid);
  const message = await account.messages.create({
    to: '+14155550100', from: '+15005550006', body: 'Your code is 123456', provideFeedback: true,
  });
  const feedback = await account.messages(message.sid).feedback.create({ outcome: 'confirmed' });
  assert.deepEqual([feedback.accountSid, feedback.messageSid, feedback.outcome], [main.sid, message.sid, 'confirmed']);
  assert.equal(feedback.dateCreated.getTime(), message.dateCreated.getTime());
  assert.equal((await account.messages(message.sid).feedback.create({ outcome: 'unconfirmed' })).outcome, 'unconfirmed');

  const plain = await account.messages.create({ to: '+14155550100', from: '+15005550006', body: 'hello' });
  await restError(account.messages(plain.sid).feedback.create(), 404, 20404);
});
