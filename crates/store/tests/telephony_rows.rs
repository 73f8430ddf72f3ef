//! Telephony rows decode their closed sets and references into types at the
//! store boundary: what Twilio's strings say goes in and comes back unchanged,
//! and a row holding anything else is a clear decode error, never a panic.

use switchboard_store::accounts::{self, NewAccount};
use switchboard_store::addresses::{self, AddressFilter, AddressRecord};
use switchboard_store::calls::{self, CallFilter, CallRecord};
use switchboard_store::messages::{self, MessageFilter, MessageRecord};
use switchboard_store::page::PageAt;
use switchboard_store::phone_numbers::{self, NumberFilter, NumberHooks, PhoneNumberRecord};
use switchboard_store::recordings::{self, RecordingRecord};
use switchboard_store::testing::TestDb;
use switchboard_store::transcriptions;
use switchboard_store::usage::{self, Charge, Period, UsageScope};
use switchboard_store::{PoolSize, Statement, Store, StoreError, on_both_backends};
use switchboard_types::{
    AccountSid, AccountType, AddressRequirement, AddressSid, AnsweredBy, ApplicationSid,
    CallDirection, CallEvent, CallEvents, CallSid, CallStatus, HookMethod, MessageDirection,
    MessageSid, MessageStatus, NumberType, PauseBehavior, PhoneNumberSid, RecordingSid,
    RecordingSource, RecordingStatus, RecordingTrack, Timestamp, TranscriptionSid,
    TranscriptionStatus, UsageCategory,
};

async fn open(db: &TestDb) -> Store {
    Store::open(&db.database_url(), PoolSize::default())
        .await
        .expect("open store")
}

async fn account(store: &Store) -> AccountSid {
    let sid = AccountSid::generate();
    store
        .run(accounts::insert(&NewAccount {
            sid: &sid,
            owner_account_sid: &sid,
            friendly_name: "main",
            account_type: AccountType::Trial,
            auth_token_mac: &[1; 32],
            auth_token_sealed: &[2; 40],
            now: Timestamp::from_seconds(1_000),
        }))
        .await
        .unwrap();
    sid
}

fn call(account: &AccountSid, status: CallStatus) -> CallRecord {
    let at = Timestamp::from_seconds(2_000);
    CallRecord {
        sid: CallSid::generate(),
        account_sid: account.clone(),
        parent_call_sid: Some(CallSid::generate()),
        to_number: "+14155550100".into(),
        from_number: "+15005550006".into(),
        phone_number_sid: Some(PhoneNumberSid::generate()),
        status,
        direction: CallDirection::OutboundApi,
        url: None,
        twiml: Some("<Response/>".into()),
        application_sid: Some(ApplicationSid::generate()),
        method: HookMethod::Get,
        status_callback: None,
        status_callback_method: HookMethod::Post,
        status_callback_events: CallEvents::empty()
            .with(CallEvent::Completed)
            .with(CallEvent::Ringing),
        callback_signer_sid: account.clone(),
        timeout_secs: 60,
        record: true,
        end_status: CallStatus::NoAnswer,
        ring_secs: 3,
        talk_secs: 0,
        next_transition_at: None,
        start_time: Some(at),
        end_time: Some(at),
        duration: Some(0),
        price_micros: Some(0),
        date_created: at,
        date_updated: at,
        machine_detection: Some("MachineDetection=Enable".into()),
        answered_by: Some(AnsweredBy::MachineEndBeep),
        peer_call_sid: Some(CallSid::generate()),
    }
}

fn message(account: &AccountSid, status: MessageStatus) -> MessageRecord {
    let at = Timestamp::from_seconds(2_000);
    MessageRecord {
        sid: MessageSid::generate(),
        account_sid: account.clone(),
        to_number: "+14155550100".into(),
        from_number: "+15005550006".into(),
        body: "hi".into(),
        num_segments: 1,
        media_urls: String::new(),
        status,
        direction: MessageDirection::OutboundApi,
        status_callback: None,
        callback_signer_sid: account.clone(),
        end_status: MessageStatus::Undelivered,
        next_transition_at: None,
        error_code: None,
        error_message: None,
        date_sent: None,
        price_micros: None,
        date_created: at,
        date_updated: at,
        messaging_service_sid: None,
    }
}

/// The decode error a row with `bad` in one column gives, which must name the
/// value and what it should have been.
fn assert_clear_decode_error<T: std::fmt::Debug>(result: Result<T, StoreError>, bad: &str) {
    match result {
        Err(e @ StoreError::Decode { .. }) => {
            let text = e.to_string();
            assert!(text.contains(bad), "{text}");
            assert!(text.contains("expected") || text.contains("SID"), "{text}");
        }
        other => panic!("expected a decode error for {bad:?}, got {other:?}"),
    }
}

on_both_backends!(
    typed_calls_messages_and_recordings_round_trip,
    |db: TestDb| async move {
        let store = open(&db).await;
        let account = account(&store).await;
        for status in CallStatus::ALL {
            let c = call(&account, *status);
            store
                .run(calls::insert_many(std::slice::from_ref(&c)))
                .await
                .unwrap();
            assert_eq!(store.one(calls::by_sid(&c.sid)).await.unwrap(), c);
        }
        let filter = CallFilter {
            status: Some(CallStatus::NoAnswer),
            ..CallFilter::default()
        };
        let (q, _) = calls::list(&account, &filter, &PageAt::First, 50);
        let listed = store.all(q).await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].status, CallStatus::NoAnswer);

        for status in MessageStatus::ALL {
            let m = message(&account, *status);
            store
                .run(messages::insert_many(std::slice::from_ref(&m)))
                .await
                .unwrap();
            assert_eq!(
                store
                    .one(messages::of_account(&account, &m.sid))
                    .await
                    .unwrap(),
                m
            );
        }
        let filter = MessageFilter {
            status: Some(MessageStatus::PartiallyDelivered),
            ..MessageFilter::default()
        };
        let (q, _) = messages::list(&account, &filter, &PageAt::First, 50);
        assert_eq!(store.all(q).await.unwrap().len(), 1);

        let call_sid = CallSid::generate();
        let r = RecordingRecord {
            sid: RecordingSid::generate(),
            account_sid: account.clone(),
            call_sid: call_sid.clone(),
            duration: 12,
            status: RecordingStatus::Completed,
            start_time: Timestamp::from_seconds(2_000),
            date_created: Timestamp::from_seconds(2_001),
            date_updated: Timestamp::from_seconds(2_001),
            source: RecordingSource::RecordVerb,
            channels: 1,
            track: RecordingTrack::Both,
            live: recordings::Live::default(),
        };
        store.run(recordings::insert(&r)).await.unwrap();
        let (q, _) = recordings::list(
            &account,
            recordings::Of::Call(&call_sid),
            Default::default(),
            &PageAt::First,
            50,
        );
        assert_eq!(store.all(q).await.unwrap(), vec![r.clone()]);

        // A live recording's state round-trips, and its status guards it.
        let mut live = RecordingRecord {
            sid: RecordingSid::generate(),
            status: RecordingStatus::Paused,
            source: RecordingSource::StartCallRecordingApi,
            track: RecordingTrack::Inbound,
            date_created: Timestamp::from_seconds(2_002),
            live: recordings::Live {
                status_callback: Some("https://app.example.com/rec".into()),
                status_callback_method: Some(HookMethod::Get),
                status_callback_events: Some("in-progress completed".into()),
                skipped_micros: 1_500_000,
                paused: Some((Timestamp::from_seconds(2_003), PauseBehavior::Skip)),
                conference_sid: None,
            },
            ..r.clone()
        };
        store.run(recordings::insert(&live)).await.unwrap();
        assert_eq!(
            store
                .all(recordings::live_of_call(&call_sid))
                .await
                .unwrap(),
            vec![live.clone()]
        );
        live.status = RecordingStatus::Completed;
        live.live.paused = None;
        let changed = recordings::update_live(&live, RecordingStatus::InProgress);
        assert_eq!(store.run(changed).await.unwrap(), 0);
        let changed = recordings::update_live(&live, RecordingStatus::Paused);
        assert_eq!(store.run(changed).await.unwrap(), 1);
        assert!(
            store
                .all(recordings::live_of_call(&call_sid))
                .await
                .unwrap()
                .is_empty()
        );

        // Its transcriptions, listed by account and by recording.
        let t = transcriptions::TranscriptionRecord {
            sid: TranscriptionSid::generate(),
            account_sid: account.clone(),
            recording_sid: r.sid.clone(),
            status: TranscriptionStatus::Completed,
            transcription_text: Some("hello".into()),
            duration: 12,
            price_micros: 50_000,
            date_created: Timestamp::from_seconds(2_004),
            date_updated: Timestamp::from_seconds(2_004),
        };
        store.run(transcriptions::insert(&t)).await.unwrap();
        let (q, _) = transcriptions::list(&account, Some(&r.sid), &PageAt::First, 50);
        assert_eq!(store.all(q).await.unwrap(), vec![t.clone()]);
        let q = transcriptions::of_account(&account, Some(&live.sid), &t.sid);
        assert_eq!(store.opt(q).await.unwrap(), None);
        let deleted = transcriptions::delete_of_recording(&account, &r.sid);
        assert_eq!(store.run(deleted).await.unwrap(), 1);
    }
);

on_both_backends!(
    rows_with_unknown_strings_are_decode_errors,
    |db: TestDb| async move {
        let store = open(&db).await;
        let account = account(&store).await;
        let c = call(&account, CallStatus::Completed);
        store
            .run(calls::insert_many(std::slice::from_ref(&c)))
            .await
            .unwrap();
        let m = message(&account, MessageStatus::Delivered);
        store
            .run(messages::insert_many(std::slice::from_ref(&m)))
            .await
            .unwrap();

        let all = CallFilter::default();
        // Each column in turn holds something no Twilio string is (as a row
        // written by hand, or by a newer version, could).
        for (column, bad) in [
            ("status", "exploded"),
            ("direction", "sideways"),
            ("end_status", "Completed"),
            ("method", "PUT"),
            ("parent_call_sid", "CAnot-a-sid"),
            ("phone_number_sid", "PN123"),
            ("status_callback_events", "hungup"),
        ] {
            let original = store.one(calls::by_sid(&c.sid)).await.unwrap();
            store
                .run(Statement::dynamic(
                    format!("UPDATE calls SET {column} = $1 WHERE sid = $2"),
                    vec![bad.into(), c.sid.as_str().into()],
                ))
                .await
                .unwrap();
            assert_clear_decode_error(store.one(calls::by_sid(&c.sid)).await, bad);
            let (q, _) = calls::list(&account, &all, &PageAt::First, 50);
            assert_clear_decode_error(store.all(q).await, bad);
            // Put it back for the next column.
            store.run(calls::delete(&account, &c.sid)).await.unwrap();
            store
                .run(calls::insert_many(std::slice::from_ref(&original)))
                .await
                .unwrap();
        }

        for (column, bad) in [("status", "teleported"), ("direction", "outbound")] {
            store
                .run(Statement::dynamic(
                    format!("UPDATE messages SET {column} = $1 WHERE sid = $2"),
                    vec![bad.into(), m.sid.as_str().into()],
                ))
                .await
                .unwrap();
            assert_clear_decode_error(store.one(messages::of_account(&account, &m.sid)).await, bad);
            store
                .run(Statement::dynamic(
                    format!("UPDATE messages SET {column} = $1 WHERE sid = $2"),
                    vec![
                        if column == "status" {
                            "delivered"
                        } else {
                            "outbound-api"
                        }
                        .into(),
                        m.sid.as_str().into(),
                    ],
                ))
                .await
                .unwrap();
        }
        assert_eq!(
            store
                .one(messages::of_account(&account, &m.sid))
                .await
                .unwrap(),
            m
        );
    }
);

on_both_backends!(usage_rows_decode_their_category, |db: TestDb| async move {
    let store = open(&db).await;
    let account = account(&store).await;
    store
        .run(usage::add(&Charge {
            account_sid: &account,
            main_account_sid: &account,
            category: UsageCategory::SmsOutbound,
            day: "2026-11-30",
            count: 1,
            usage: 2,
            price_micros: 7_900,
        }))
        .await
        .unwrap();
    let summed = || {
        usage::summed(
            UsageScope::Account(&account),
            "2026-11-01",
            "2026-11-30",
            Period::Month,
        )
    };
    let rows = store.all(summed()).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].category, UsageCategory::SmsOutbound);
    store
        .run(Statement::new(
            "UPDATE usage_daily SET category = 'sms-carrier-pigeon'",
            vec![],
        ))
        .await
        .unwrap();
    assert_clear_decode_error(store.all(summed()).await, "sms-carrier-pigeon");
});

on_both_backends!(
    phone_number_rows_decode_their_type_and_methods,
    |db: TestDb| async move {
        let store = open(&db).await;
        let account = account(&store).await;
        let at = Timestamp::from_seconds(2_000);
        let n = PhoneNumberRecord {
            sid: PhoneNumberSid::generate(),
            account_sid: account.clone(),
            phone_number: "+14155550100".into(),
            friendly_name: "(415) 555-0100".into(),
            number_type: NumberType::TollFree,
            iso_country: "US".into(),
            voice_capable: true,
            sms_capable: true,
            mms_capable: false,
            fax_capable: false,
            hooks: NumberHooks {
                voice_url: None,
                voice_method: HookMethod::Get,
                voice_fallback_url: None,
                voice_fallback_method: HookMethod::Post,
                sms_url: None,
                sms_method: HookMethod::Post,
                sms_fallback_url: None,
                sms_fallback_method: HookMethod::Get,
                status_callback: None,
                status_callback_method: HookMethod::Post,
                voice_application_sid: None,
                sms_application_sid: None,
            },
            address_requirements: AddressRequirement::Local,
            address_sid: None,
            renews_at: at,
            date_created: at,
            date_updated: at,
        };
        store.run(phone_numbers::insert(&n)).await.unwrap();
        let filter = NumberFilter {
            number_type: Some(NumberType::TollFree),
            ..NumberFilter::default()
        };
        let (q, _) = phone_numbers::list(&account, &filter, &PageAt::First, 50);
        assert_eq!(store.all(q).await.unwrap(), vec![n.clone()]);
        for (column, bad, good) in [
            ("number_type", "landline", "tollfree"),
            ("voice_method", "PATCH", "GET"),
            ("address_requirements", "required", "local"),
        ] {
            let set = |value: &'static str| {
                Statement::dynamic(
                    format!("UPDATE phone_numbers SET {column} = $1"),
                    vec![value.into()],
                )
            };
            store.run(set(bad)).await.unwrap();
            assert_clear_decode_error(
                store.one(phone_numbers::of_account(&account, &n.sid)).await,
                bad,
            );
            store.run(set(good)).await.unwrap();
        }
        assert_eq!(
            store
                .one(phone_numbers::of_account(&account, &n.sid))
                .await
                .unwrap(),
            n
        );
    }
);

on_both_backends!(
    addresses_round_trip_and_numbers_that_use_one_keep_it,
    |db: TestDb| async move {
        let store = open(&db).await;
        let account = account(&store).await;
        let at = Timestamp::from_seconds(3_000);
        let mut a = AddressRecord {
            sid: AddressSid::generate(),
            account_sid: account.clone(),
            customer_name: "Ada Lovelace".into(),
            friendly_name: None,
            street: "Unter den Linden 1".into(),
            street_secondary: Some("2. OG".into()),
            city: "Berlin".into(),
            region: "BE".into(),
            postal_code: "10117".into(),
            iso_country: "DE".into(),
            emergency_enabled: false,
            validated: false,
            verified: false,
            date_created: at,
            date_updated: at,
        };
        store.run(addresses::insert(&a)).await.unwrap();
        assert_eq!(
            store
                .one(addresses::of_account(&account, &a.sid))
                .await
                .unwrap(),
            a
        );
        a.friendly_name = Some("Office".into());
        a.emergency_enabled = true;
        a.street_secondary = None;
        store.run(addresses::update(&a)).await.unwrap();
        let filter = AddressFilter {
            iso_country: Some("DE"),
            emergency_enabled: Some(true),
            ..AddressFilter::default()
        };
        let (q, _) = addresses::list(&account, filter, &PageAt::First, 50);
        assert_eq!(store.all(q).await.unwrap(), vec![a.clone()]);
        let other = AddressFilter {
            iso_country: Some("FR"),
            ..AddressFilter::default()
        };
        let (q, _) = addresses::list(&account, other, &PageAt::First, 50);
        assert!(store.all(q).await.unwrap().is_empty());

        // A number that uses it keeps it: it is listed as a dependent, and
        // the address is not deleted until it stops using it.
        let n = PhoneNumberRecord {
            sid: PhoneNumberSid::generate(),
            account_sid: account.clone(),
            phone_number: "+4930123456789".into(),
            friendly_name: "+4930123456789".into(),
            number_type: NumberType::Local,
            iso_country: "DE".into(),
            voice_capable: true,
            sms_capable: false,
            mms_capable: false,
            fax_capable: false,
            hooks: NumberHooks {
                voice_url: None,
                voice_method: HookMethod::Post,
                voice_fallback_url: None,
                voice_fallback_method: HookMethod::Post,
                sms_url: None,
                sms_method: HookMethod::Post,
                sms_fallback_url: None,
                sms_fallback_method: HookMethod::Post,
                status_callback: None,
                status_callback_method: HookMethod::Post,
                voice_application_sid: None,
                sms_application_sid: None,
            },
            address_requirements: AddressRequirement::Local,
            address_sid: Some(a.sid.clone()),
            renews_at: at,
            date_created: at,
            date_updated: at,
        };
        store.run(phone_numbers::insert(&n)).await.unwrap();
        let (q, _) = phone_numbers::of_address(&account, &a.sid, &PageAt::First, 50);
        assert_eq!(store.all(q).await.unwrap(), vec![n.clone()]);
        assert_eq!(store.one(addresses::dependents(&a.sid)).await.unwrap(), 1);
        assert_eq!(
            store
                .run(addresses::delete_unused(&account, &a.sid))
                .await
                .unwrap(),
            0
        );
        let mut cleared = n.clone();
        cleared.address_sid = None;
        store.run(phone_numbers::update(&cleared)).await.unwrap();
        assert_eq!(store.one(addresses::dependents(&a.sid)).await.unwrap(), 0);
        assert_eq!(
            store
                .run(addresses::delete_unused(&account, &a.sid))
                .await
                .unwrap(),
            1
        );
        assert!(
            store
                .opt(addresses::of_account(&account, &a.sid))
                .await
                .unwrap()
                .is_none()
        );
    }
);
