-- Each sandbox's own clock (sandbox mode): how far, in microseconds, its
-- world's time runs ahead of real time. `Clock.json`'s Advance moves it on;
-- a reset puts it back to 0. Every date written for an account of the
-- world (and every timer of its calls, messages, numbers and webhooks) is in
-- the world's time, so its timers are due when the world's clock passes
-- them. The default world has no row here and never runs ahead.
ALTER TABLE sandboxes ADD COLUMN clock_offset BIGINT NOT NULL DEFAULT 0;
