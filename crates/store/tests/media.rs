//! Message media rows on both databases: inserted with or without content,
//! listed in their message's order a page at a time, fetched with and
//! without content, deleted, and gone with their message.

use switchboard_store::accounts::{self, NewAccount};
use switchboard_store::calls::Range;
use switchboard_store::media::{self, MediaContent, MediaRecord};
use switchboard_store::messages::{self, MessageRecord};
use switchboard_store::page::{PageAt, PageShape};
use switchboard_store::testing::TestDb;
use switchboard_store::{PoolSize, Store, on_both_backends};
use switchboard_types::{
    AccountSid, AccountType, MediaSid, MessageDirection, MessageSid, MessageStatus, Timestamp,
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
            account_type: AccountType::Full,
            auth_token_mac: &[1; 32],
            auth_token_sealed: &[2; 40],
            now: Timestamp::from_seconds(1_000),
        }))
        .await
        .unwrap();
    sid
}

async fn message(store: &Store, account: &AccountSid) -> MessageSid {
    let at = Timestamp::from_seconds(2_000);
    let m = MessageRecord {
        sid: MessageSid::generate(),
        account_sid: account.clone(),
        to_number: "+14155550100".into(),
        from_number: "+15005550006".into(),
        body: String::new(),
        num_segments: 1,
        media_urls: String::new(),
        status: MessageStatus::Received,
        direction: MessageDirection::Inbound,
        status_callback: None,
        callback_signer_sid: account.clone(),
        end_status: MessageStatus::Received,
        next_transition_at: None,
        error_code: None,
        error_message: None,
        date_sent: None,
        price_micros: None,
        date_created: at,
        date_updated: at,
        messaging_service_sid: None,
    };
    store
        .run(messages::insert_many(std::slice::from_ref(&m)))
        .await
        .unwrap();
    m.sid
}

fn item(
    account: &AccountSid,
    parent: &MessageSid,
    position: i64,
    size: Option<i64>,
) -> MediaRecord {
    let at = Timestamp::from_seconds(3_000);
    MediaRecord {
        sid: MediaSid::generate(),
        account_sid: account.clone(),
        parent_sid: parent.clone(),
        position,
        content_type: "image/png".into(),
        source_url: Some(format!("https://example.com/{position}.png")),
        size,
        date_created: at,
        date_updated: at,
    }
}

async fn page(
    store: &Store,
    account: &AccountSid,
    parent: &MessageSid,
    at: &PageAt,
    size: u32,
) -> switchboard_store::page::Page<MediaRecord> {
    let all_dates = Range::default();
    let (q, shape): (_, PageShape) = media::list(account, parent, &all_dates, at, size);
    shape.assemble(store.all(q).await.unwrap())
}

on_both_backends!(media_round_trip_in_message_order, |db: TestDb| async move {
    let store = open(&db).await;
    let account = account(&store).await;
    let parent = message(&store, &account).await;
    let png: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    // Inserted out of order: the list follows the positions.
    let items: Vec<MediaRecord> = [2, 0, 1]
        .into_iter()
        .map(|p| item(&account, &parent, p, (p != 1).then_some(png.len() as i64)))
        .collect();
    for m in &items {
        let content = (m.position != 1).then_some(png.as_slice());
        store.run(media::insert(m, content)).await.unwrap();
    }

    let first = page(&store, &account, &parent, &PageAt::First, 2).await;
    assert_eq!(
        first.items.iter().map(|m| m.position).collect::<Vec<_>>(),
        [0, 1]
    );
    assert!(first.has_next);
    let next = PageAt::After(first.next_cursor().unwrap());
    let second = page(&store, &account, &parent, &next, 2).await;
    assert_eq!(second.items, vec![items[0].clone()]);
    assert!(!second.has_next);
    assert!(second.has_previous);

    let recorded = &items[2];
    assert_eq!(
        store
            .one(media::of_message(&account, &parent, &recorded.sid))
            .await
            .unwrap(),
        *recorded
    );
    // Content comes back byte for byte; an item recorded by URL has none.
    assert_eq!(
        store
            .one(media::content_of(&account, &parent, &items[0].sid))
            .await
            .unwrap(),
        MediaContent {
            content_type: "image/png".into(),
            source_url: items[0].source_url.clone(),
            content: Some(png.clone()),
        }
    );
    assert_eq!(
        store
            .one(media::content_of(&account, &parent, &recorded.sid))
            .await
            .unwrap()
            .content,
        None
    );
    // Content stored later, once fetched.
    store
        .run(media::set_content(
            &recorded.sid,
            "image/gif",
            b"GIF89a",
            Timestamp::from_seconds(4_000),
        ))
        .await
        .unwrap();
    let updated = store
        .one(media::of_message(&account, &parent, &recorded.sid))
        .await
        .unwrap();
    assert_eq!(
        (updated.size, updated.content_type.as_str()),
        (Some(6), "image/gif")
    );
    assert_eq!(
        store
            .all(media::all_of_message(&account, &parent))
            .await
            .unwrap()
            .len(),
        3
    );

    // Another account, or another message, reaches none of them.
    let stranger = AccountSid::generate();
    let other_message = MessageSid::generate();
    assert!(
        store
            .opt(media::of_message(&stranger, &parent, &items[0].sid))
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .opt(media::content_of(&account, &other_message, &items[0].sid))
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        store
            .run(media::delete(&stranger, &parent, &items[0].sid))
            .await
            .unwrap(),
        0
    );

    assert_eq!(
        store
            .run(media::delete(&account, &parent, &items[0].sid))
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        page(&store, &account, &parent, &PageAt::First, 50)
            .await
            .items
            .len(),
        2
    );

    // Deleting the message deletes its media, as Twilio does.
    store
        .run(messages::delete(&account, &parent))
        .await
        .unwrap();
    assert!(
        page(&store, &account, &parent, &PageAt::First, 50)
            .await
            .items
            .is_empty()
    );
});

on_both_backends!(media_needs_its_message, |db: TestDb| async move {
    let store = open(&db).await;
    let account = account(&store).await;
    let orphan = item(&account, &MessageSid::generate(), 0, None);
    assert!(store.run(media::insert(&orphan, None)).await.is_err());
});
