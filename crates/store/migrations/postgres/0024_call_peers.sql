-- Calls between numbers on this Switchboard (issue 23): a call placed (or a
-- <Dial> leg) to a number owned here rings that number as an inbound call in
-- its owner's account. Each of the two calls names the other here, so the
-- caller's side answers when the inbound call's TwiML answers, and whichever
-- side ends first ends the other. NULL for a call to anywhere else.
ALTER TABLE calls ADD COLUMN peer_call_sid TEXT;
