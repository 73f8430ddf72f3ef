use super::*;

fn n(s: &str) -> PhoneNumber {
    PhoneNumber::parse(s).unwrap()
}

fn plan(s: &str) -> CallPlan {
    plan_call(&n(s), DEFAULT_TIMEOUT_SECS)
}

#[test]
fn status_names() {
    assert_eq!(CallEnd::Completed.as_str(), "completed");
    assert_eq!(CallEnd::Busy.as_str(), "busy");
    assert_eq!(CallEnd::NoAnswer.to_string(), "no-answer");
    assert_eq!(CallEnd::Failed.as_str(), "failed");
    assert_eq!(MessageEnd::Delivered.as_str(), "delivered");
    assert_eq!(MessageEnd::Undelivered.to_string(), "undelivered");
    assert_eq!(MessageEnd::Failed.as_str(), "failed");
}

#[test]
fn endings_are_statuses_and_back() {
    for end in [
        CallEnd::Completed,
        CallEnd::Busy,
        CallEnd::NoAnswer,
        CallEnd::Failed,
    ] {
        assert!(end.status().is_final(), "{end}");
        assert_eq!(end.status().as_str(), end.as_str());
    }
    for end in [
        MessageEnd::Delivered,
        MessageEnd::Undelivered,
        MessageEnd::Failed,
    ] {
        assert_eq!(MessageEnd::of(end.status()), Some(end));
    }
    assert_eq!(MessageEnd::of(MessageStatus::Sent), None);
}

#[test]
fn special_endings_for_calls() {
    let busy = plan("+14155550486");
    assert_eq!(busy.end, CallEnd::Busy);
    assert_eq!(busy.talk_secs, 0);
    assert!((2..=6).contains(&busy.ring_secs));
    assert_eq!(
        plan("+14155550487"),
        CallPlan {
            ring_secs: 60,
            talk_secs: 0,
            end: CallEnd::NoAnswer
        }
    );
    assert_eq!(
        plan("+442079460488"),
        CallPlan {
            ring_secs: 0,
            talk_secs: 0,
            end: CallEnd::Failed
        }
    );
    assert_eq!(plan("+15005550002").end, CallEnd::Failed);
    assert_eq!(plan_call(&n("+14155550487"), 25).ring_secs, 25);
}

#[test]
fn ordinary_calls_complete_within_bounds() {
    for i in 0..2_000 {
        let to = format!("+1415{:07}", 2_000_000 + i * 37);
        let p = plan(&to);
        if ["0486", "0487", "0488"].contains(&&to[to.len() - 4..]) {
            continue;
        }
        assert_eq!(p.end, CallEnd::Completed, "{to}");
        assert!((2..=6).contains(&p.ring_secs), "{to}: {p:?}");
        assert!((30..300).contains(&p.talk_secs), "{to}: {p:?}");
    }
}

#[test]
fn ordinary_calls_vary_but_repeat() {
    let a = plan("+14155550100");
    assert_eq!(a, plan("+14155550100"));
    let talks: std::collections::HashSet<u32> = (100..200)
        .map(|i| plan(&format!("+1415555{i:04}")).talk_secs)
        .collect();
    assert!(talks.len() > 50, "{talks:?}");
    // Pinned so a changed hash cannot silently change every simulated call.
    let pinned = plan("+15005550006");
    assert_eq!((pinned.ring_secs, pinned.talk_secs), (4, 160));
}

#[test]
fn short_timeouts_mean_no_answer() {
    let to = n("+14155550100");
    let ring = plan_call(&to, 60).ring_secs;
    assert_eq!(plan_call(&to, ring + 1).end, CallEnd::Completed);
    assert_eq!(
        plan_call(&to, ring),
        CallPlan {
            ring_secs: ring,
            talk_secs: 0,
            end: CallEnd::NoAnswer
        }
    );
    assert_eq!(plan_call(&to, 1).ring_secs, 1);
    assert_eq!(plan_call(&to, 0).end, CallEnd::NoAnswer);
    // Busy never rings past the timeout either.
    assert!(plan_call(&n("+14155550486"), 1).ring_secs <= 1);
}

#[test]
fn message_endings() {
    assert_eq!(plan_message(&n("+14155550486")), MessageEnd::Undelivered);
    assert_eq!(plan_message(&n("+14155550488")), MessageEnd::Failed);
    assert_eq!(plan_message(&n("+14155550487")), MessageEnd::Delivered);
    assert_eq!(plan_message(&n("+14155550100")), MessageEnd::Delivered);
    assert_eq!(plan_message(&n("+447441290486")), MessageEnd::Undelivered);
    assert_eq!(MessageEnd::Delivered.error_code(), None);
    assert_eq!(MessageEnd::Undelivered.error_code().unwrap().0, 30003);
    assert_eq!(MessageEnd::Failed.error_code().unwrap().0, 30008);
}

#[test]
fn answering_machine_detection_follows_the_number() {
    use switchboard_types::AnsweredBy as A;
    let amd = |s: &str, end| answered_by(&n(s), end, 30);
    assert_eq!(amd("+14155550100", true), (A::Human, 1_500));
    assert_eq!(amd("+14155550490", true), (A::MachineEndBeep, 13_000));
    assert_eq!(amd("+14155550491", true), (A::MachineEndSilence, 13_000));
    assert_eq!(amd("+14155550492", true), (A::MachineEndOther, 13_000));
    for machine in ["+14155550490", "+14155550491", "+14155550492"] {
        assert_eq!(amd(machine, false), (A::MachineStart, 3_000));
    }
    assert_eq!(amd("+14155550493", false), (A::Fax, 3_000));
    assert_eq!(amd("+14155550494", false), (A::Unknown, 30_000));
    // The test numbers still answer.
    assert_eq!(plan("+14155550494").end, CallEnd::Completed);
}
