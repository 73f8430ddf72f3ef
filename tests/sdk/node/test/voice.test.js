'use strict';
// Calls that run TwiML built with the official Node SDK's VoiceResponse: the
// SDK places the call, a local server in the test answers its webhooks with
// the documents, a simulated caller presses a key (Switchboard's Input.json
// extension, plain HTTP: the SDKs have no call for it), and the SDK then reads
// what the call engine did: the call, its dialled leg, its events and its
// notifications.

const test = require('node:test');
const assert = require('node:assert/strict');
const twilio = require('twilio');
const { useServer } = require('../lib/harness');
const { settle } = require('../lib/assertions');
const { Receiver, basicAuth } = require('../lib/connect');

const state = useServer(test, 'voice');
// Numbers in the fictional 555-01XX range: the inventory never sells them, so
// they are nobody's on this Switchboard and answer as any outside number does.
const CALLER = '+12025550152';
const SALES = '+12025550153';

/** The caller presses keys: queued for the call's next <Gather>. */
async function press(account, callSid, digits) {
  const res = await fetch(
    `${state.server.baseUrl}/switchboard/v1/Accounts/${account.sid}/Calls/${callSid}/Input.json`, {
      method: 'POST',
      body: new URLSearchParams({ Digits: digits }),
      headers: { Authorization: basicAuth(account.sid, account.auth_token) },
    });
  const json = await res.json();
  assert.equal(res.status, 200, JSON.stringify(json));
  return json;
}

function mainAccount() {
  const account = state.server.createMainAccount('Node voice');
  const client = state.server.client(account.sid, account.auth_token);
  return { account, here: client.api.v2010.accounts(account.sid) };
}

const ended = (c) => c.endTime !== null && c.endTime !== undefined;

test('say, gather, redirect, dial and hangup run as the SDK built them', async () => {
  const receiver = await new Receiver().start();
  try {
    const { account, here } = mainAccount();
    const number = await here.incomingPhoneNumbers.create({ areaCode: '415' });

    const answer = new twilio.twiml.VoiceResponse();
    answer.say('Welcome to Rossum Telecom');
    const gather = answer.gather({ numDigits: 1, action: receiver.url('/menu'), method: 'POST', timeout: 3 });
    gather.say('Press one for sales');
    answer.say('We did not get that');
    receiver.answer('/voice', answer.toString());
    // Answered late, so the key pressed below is queued before the <Gather> runs.
    receiver.delay('/voice', 500);

    const menu = new twilio.twiml.VoiceResponse();
    menu.pause({ length: 2 });
    menu.play('https://cdn.example.com/hold-music.mp3');
    menu.redirect({ method: 'GET' }, receiver.url('/transfer'));
    receiver.answer('/menu', menu.toString());

    const transfer = new twilio.twiml.VoiceResponse();
    const dial = transfer.dial({ action: receiver.url('/dialled'), timeout: 20, callerId: number.phoneNumber });
    dial.number(SALES);
    receiver.answer('/transfer', transfer.toString());

    const bye = new twilio.twiml.VoiceResponse();
    bye.say('Goodbye');
    bye.hangup();
    bye.say('Never said');
    receiver.answer('/dialled', bye.toString());

    const call = await here.calls.create({ to: CALLER, from: number.phoneNumber, url: receiver.url('/voice') });
    assert.equal(call.status, 'queued');
    const queued = await press(account, call.sid, '1');
    assert.equal(queued.sid, call.sid);

    const done = await settle(() => here.calls(call.sid).fetch(), ended);
    assert.equal(done.status, 'completed');

    const hits = await receiver.waitFor(4);
    const paths = hits.map((h) => new URL(h.url).pathname);
    assert.deepEqual(paths, ['/voice', '/menu', '/transfer', '/dialled']);
    for (const hit of hits) {
      assert.ok(twilio.validateRequest(account.auth_token, hit.headers['x-twilio-signature'], hit.url, hit.form), hit.url);
    }
    const [voice, chosen, redirected, dialled] = hits;
    assert.deepEqual([voice.method, voice.form.CallSid, voice.form.CallStatus], ['POST', call.sid, 'in-progress']);
    // The <Gather> posted the key to its action.
    assert.deepEqual([chosen.method, chosen.form.Digits, chosen.form.msg], ['POST', '1', 'Gather End']);
    // The <Redirect> asked with GET: the parameters are in the query.
    assert.equal(redirected.method, 'GET');
    assert.deepEqual(redirected.form, {});
    assert.equal(new URL(redirected.url).searchParams.get('CallSid'), call.sid);
    // The <Dial> called a child leg and posted its outcome to its action.
    assert.equal(dialled.form.DialCallStatus, 'completed');
    const leg = await here.calls(dialled.form.DialCallSid).fetch();
    assert.deepEqual(
      [leg.parentCallSid, leg.direction, leg.to, leg.from, leg.status, leg.duration],
      [call.sid, 'outbound-dial', SALES, number.phoneNumber, 'completed', dialled.form.DialCallDuration],
    );
    const children = await here.calls.list({ parentCallSid: call.sid });
    assert.deepEqual(children.map((c) => c.sid), [leg.sid]);
    // Said, prompted, paused, played, waited on the leg, said goodbye.
    assert.ok(Number(done.duration) >= 2 + 2 + 2 + 5 + Number(leg.duration) + 1, `${done.duration} ${leg.duration}`);

    // The call's events are the four requests, in order; nothing went wrong.
    const events = await here.calls(call.sid).events.list();
    assert.deepEqual(events.map((e) => new URL(e.request.url).pathname), paths);
    assert.ok(events.every((e) => e.response.response_code === 200), JSON.stringify(events));
    assert.deepEqual(await here.calls(call.sid).notifications.list(), []);
  } finally {
    receiver.close();
  }
});

test('reject, and a verb Switchboard does not simulate', async () => {
  const { here } = mainAccount();
  const number = await here.incomingPhoneNumbers.create({ areaCode: '212' });

  // <Reject reason="busy"> as the first verb: busy, never answered, free.
  const busy = new twilio.twiml.VoiceResponse();
  busy.reject({ reason: 'busy' });
  let call = await here.calls.create({ to: CALLER, from: number.phoneNumber, twiml: busy.toString() });
  let done = await settle(() => here.calls(call.sid).fetch(), ended);
  assert.deepEqual([done.status, done.duration], ['busy', '0']);
  assert.equal(Number(done.price), 0);

  // <Echo> is not simulated: a warning, skipped, and the call goes on.
  const hold = new twilio.twiml.VoiceResponse();
  hold.say('Please hold');
  hold.echo();
  hold.say('Nobody is free');
  call = await here.calls.create({ to: CALLER, from: number.phoneNumber, twiml: hold.toString() });
  done = await settle(() => here.calls(call.sid).fetch(), ended);
  assert.deepEqual([done.status, done.duration], ['completed', '2']);
  const notes = await here.calls(call.sid).notifications.list();
  assert.deepEqual(notes.map((n) => [n.errorCode, n.log, n.callSid]), [['12200', '1', call.sid]]);
  const note = await here.calls(call.sid).notifications(notes[0].sid).fetch();
  assert.ok(note.messageText.includes('Echo'), note.messageText);
});
