//! The media of messages (`…/Messages/{Sid}/Media`): fetching a `MediaUrl`
//! once, behind the webhooks' address guard and Twilio's size limit;
//! recording items beside their message; and the Media resource's reads and
//! deletes.
//!
//! An inbound MMS's media are fetched and stored with their content; an
//! outbound message's `MediaUrl`s are recorded by URL only (no content until
//! something fetches them), with a content type guessed from the URL.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use switchboard_store::Tx;
pub use switchboard_store::calls::Range;
use switchboard_store::media::{self, MediaRecord};
use switchboard_store::message_feedback::{self, FeedbackRecord};
use switchboard_store::messages::{self, MessageRecord};
use switchboard_store::page::{Cursor, Keyed, Page, PageAt};
use switchboard_types::{AccountSid, MediaSid, MessageSid, Timestamp};

use crate::Switchboard;
use crate::access::{Access, Action, Reader, Resource};
use crate::delivery::guard::{GuardedResolver, check_literal, refusal_in};
use crate::delivery::worker::describe;
use crate::error::{DomainError, DomainResult};

/// Twilio accepts at most 5 MB of media per message; Switchboard holds each
/// item, and the items of one message together, to the same limit.
pub const MAX_MEDIA_BYTES: usize = 5 * 1024 * 1024;

/// Redirects followed when fetching a media URL (image hosts and signed
/// storage links redirect); each new address passes the guard again.
pub const MAX_MEDIA_REDIRECTS: usize = 3;

/// The type stored when neither the server nor the URL says.
pub const DEFAULT_CONTENT_TYPE: &str = "application/octet-stream";

/// A media item as the API shows it (without its content).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Media {
    pub sid: MediaSid,
    pub account_sid: AccountSid,
    pub parent_sid: MessageSid,
    /// Its place among the message's items, from 0 (`MediaUrl0` first).
    pub position: i64,
    pub content_type: String,
    pub source_url: Option<String>,
    pub date_created: Timestamp,
    pub date_updated: Timestamp,
}

impl From<MediaRecord> for Media {
    fn from(m: MediaRecord) -> Self {
        Media {
            sid: m.sid,
            account_sid: m.account_sid,
            parent_sid: m.parent_sid,
            position: m.position,
            content_type: m.content_type,
            source_url: m.source_url,
            date_created: m.date_created,
            date_updated: m.date_updated,
        }
    }
}

/// Media are listed in their message's order.
impl Keyed for Media {
    fn cursor(&self) -> Cursor {
        Cursor {
            key: self.position,
            sid: self.sid.to_string(),
        }
    }
}

pub use switchboard_store::media::MediaContent;

/// What one GET of a media URL brought back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchedMedia {
    /// The URL as given (not where redirects ended).
    pub url: String,
    /// The response's type without parameters, or one guessed from the URL.
    pub content_type: String,
    pub content: Vec<u8>,
}

/// Why a media URL could not be fetched, in words fit for a Twilio
/// notification (error 11200, HTTP retrieval failure).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MediaFetchError {
    #[error("the media URL '{0}' is not an absolute http or https URL")]
    InvalidUrl(String),
    /// The address guard refused the destination.
    #[error("the media URL '{url}' was not fetched: {reason}")]
    Refused { url: String, reason: String },
    #[error("fetching the media URL '{url}' returned HTTP {status}")]
    Status { url: String, status: u16 },
    #[error(
        "the media at '{url}' is larger than {limit} bytes, the most Switchboard accepts {per}"
    )]
    TooLarge {
        url: String,
        limit: usize,
        per: &'static str,
    },
    #[error("fetching the media URL '{url}' timed out after {after:?}")]
    Timeout { url: String, after: Duration },
    #[error("fetching the media URL '{url}' was redirected more than {MAX_MEDIA_REDIRECTS} times")]
    TooManyRedirects { url: String },
    #[error("fetching the media URL '{url}' failed: {reason}")]
    Failed { url: String, reason: String },
}

impl MediaFetchError {
    /// Twilio's code for a notification about it: every one is an HTTP
    /// retrieval failure.
    pub fn error_code(&self) -> u32 {
        11200
    }
}

/// One item to record beside a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaItem {
    /// Fetched, with its content (an inbound MMS).
    Fetched(FetchedMedia),
    /// Named by an outbound message's `MediaUrl`, not fetched (yet).
    Recorded { url: String },
}

/// Records `items` as the media of `message`, in their order, in `tx`,
/// dated now in the default world. Returns their SIDs in the same order.
pub async fn record_media(
    tx: &mut Tx,
    account: &AccountSid,
    message: &MessageSid,
    items: &[MediaItem],
) -> DomainResult<Vec<MediaSid>> {
    record_media_at(tx, account, message, items, Timestamp::now()).await
}

/// [`record_media`] dated `now` (the message's world's time).
pub(crate) async fn record_media_at(
    tx: &mut Tx,
    account: &AccountSid,
    message: &MessageSid,
    items: &[MediaItem],
    now: Timestamp,
) -> DomainResult<Vec<MediaSid>> {
    let mut sids = Vec::with_capacity(items.len());
    for (position, item) in items.iter().enumerate() {
        let (url, content_type, content) = match item {
            MediaItem::Fetched(f) => (&f.url, f.content_type.clone(), Some(f.content.as_slice())),
            MediaItem::Recorded { url } => (url, guess_content_type(url).to_owned(), None),
        };
        let record = MediaRecord {
            sid: MediaSid::generate(),
            account_sid: account.clone(),
            parent_sid: message.clone(),
            position: position as i64,
            content_type,
            source_url: Some(url.clone()),
            size: content.map(|c| c.len() as i64),
            date_created: now,
            date_updated: now,
        };
        tx.run(media::insert(&record, content)).await?;
        sids.push(record.sid);
    }
    Ok(sids)
}

/// The media a message sent from here brings to a number here.
#[derive(Debug)]
pub(crate) struct SentMedia {
    /// The receiving message's items: copies, or (after a failure) the URLs
    /// as sent.
    pub items: Vec<MediaItem>,
    /// Items of the sent message that had no content, and the copy (an index
    /// in `items`) that gives them theirs.
    pub fill: Vec<(MediaSid, usize)>,
    /// Why the items could not be copied.
    pub error: Option<MediaFetchError>,
}

/// The account, message and item a content URL of this Switchboard
/// (`{public_url}/2010-04-01/Accounts/{AC}/Messages/{SM}/Media/{ME}`) names.
fn named_here(public_url: &str, url: &str) -> Option<(AccountSid, MessageSid, MediaSid)> {
    let rest = url
        .strip_prefix(public_url.trim_end_matches('/'))?
        .strip_prefix("/2010-04-01/Accounts/")?;
    let mut parts = rest.split('/');
    let account = AccountSid::parse(parts.next()?).ok()?;
    let message = (parts.next()? == "Messages")
        .then(|| parts.next())
        .flatten()
        .and_then(|m| MessageSid::parse(m).ok())?;
    let sid = (parts.next()? == "Media")
        .then(|| parts.next())
        .flatten()
        .and_then(|m| MediaSid::parse(m).ok())?;
    parts.next().is_none().then_some((account, message, sid))
}

/// Where an item's content is served (`…/Media/{Sid}`, no extension): what
/// a webhook's `MediaUrl{N}` names, as Twilio's name its own copy.
pub fn content_url(
    public_url: &str,
    account: &AccountSid,
    message: &MessageSid,
    sid: &MediaSid,
) -> String {
    format!("{public_url}/2010-04-01/Accounts/{account}/Messages/{message}/Media/{sid}")
}

/// A content type from a URL's extension, or [`DEFAULT_CONTENT_TYPE`].
pub fn guess_content_type(url: &str) -> &'static str {
    let path = url::Url::parse(url)
        .map(|u| u.path().to_owned())
        .unwrap_or_default();
    let ext = path
        .rsplit('/')
        .next()
        .and_then(|name| name.rsplit_once('.'))
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "bmp" => "image/bmp",
        "webp" => "image/webp",
        "heic" => "image/heic",
        "tif" | "tiff" => "image/tiff",
        "mp4" => "video/mp4",
        "mpeg" | "mpg" => "video/mpeg",
        "mov" => "video/quicktime",
        "3gp" => "video/3gpp",
        "webm" => "video/webm",
        "mp3" => "audio/mpeg",
        "m4a" => "audio/mp4",
        "amr" => "audio/amr",
        "ogg" => "audio/ogg",
        "wav" => "audio/wav",
        "pdf" => "application/pdf",
        "vcf" => "text/vcard",
        "txt" => "text/plain",
        "csv" => "text/csv",
        "ics" => "text/calendar",
        _ => DEFAULT_CONTENT_TYPE,
    }
}

/// One client per guard setting, shared: building one loads TLS roots.
fn client(allow_private: bool) -> reqwest::Client {
    static CLIENTS: OnceLock<[reqwest::Client; 2]> = OnceLock::new();
    let clients = CLIENTS.get_or_init(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
        [false, true].map(|allow_private| {
            reqwest::Client::builder()
                // Redirects are followed by hand, each checked by the guard.
                .redirect(reqwest::redirect::Policy::none())
                .dns_resolver(Arc::new(GuardedResolver { allow_private }))
                .user_agent(concat!(
                    "Switchboard/",
                    env!("CARGO_PKG_VERSION"),
                    " (TwilioProxy/1.1)"
                ))
                .build()
                .expect("the HTTP client builds")
        })
    });
    clients[usize::from(allow_private)].clone()
}

fn http_url(url: &str) -> Option<url::Url> {
    url::Url::parse(url)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
}

impl Switchboard {
    /// Fetches one media URL: a GET through the webhooks' address guard,
    /// following at most [`MAX_MEDIA_REDIRECTS`] redirects (each checked
    /// again), within the callback timeout, reading at most
    /// [`MAX_MEDIA_BYTES`].
    pub async fn fetch_media(&self, url: &str) -> Result<FetchedMedia, MediaFetchError> {
        self.fetch_media_within(url, MAX_MEDIA_BYTES, "per media item")
            .await
    }

    /// Fetches a message's media URLs in order, all of them together held to
    /// [`MAX_MEDIA_BYTES`]; the first failure is the answer.
    pub async fn fetch_message_media(
        &self,
        urls: &[String],
    ) -> Result<Vec<FetchedMedia>, MediaFetchError> {
        let mut left = MAX_MEDIA_BYTES;
        let mut fetched = Vec::with_capacity(urls.len());
        for url in urls {
            let per = if left < MAX_MEDIA_BYTES {
                "per message"
            } else {
                "per media item"
            };
            let item = self.fetch_media_within(url, left, per).await?;
            left -= item.content.len();
            fetched.push(item);
        }
        Ok(fetched)
    }

    async fn fetch_media_within(
        &self,
        url: &str,
        limit: usize,
        per: &'static str,
    ) -> Result<FetchedMedia, MediaFetchError> {
        let settings = &self.settings().callbacks;
        let timeout = settings.timeout;
        let given = url.to_owned();
        let mut current =
            http_url(url).ok_or_else(|| MediaFetchError::InvalidUrl(given.clone()))?;
        let deadline = tokio::time::Instant::now() + timeout;
        let timed_out = || MediaFetchError::Timeout {
            url: given.clone(),
            after: timeout,
        };
        let mut redirects = 0;
        let mut response = loop {
            check_literal(&current, settings.allow_private).map_err(|refused| {
                MediaFetchError::Refused {
                    url: given.clone(),
                    reason: refused.to_string(),
                }
            })?;
            let sent = tokio::time::timeout_at(
                deadline,
                client(settings.allow_private).get(current.clone()).send(),
            )
            .await
            .map_err(|_| timed_out())?;
            let response = sent.map_err(|e| match refusal_in(&e) {
                Some(reason) => MediaFetchError::Refused {
                    url: given.clone(),
                    reason,
                },
                None => MediaFetchError::Failed {
                    url: given.clone(),
                    reason: describe(&e),
                },
            })?;
            if !response.status().is_redirection() {
                break response;
            }
            redirects += 1;
            if redirects > MAX_MEDIA_REDIRECTS {
                return Err(MediaFetchError::TooManyRedirects { url: given.clone() });
            }
            let next = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|l| l.to_str().ok())
                .and_then(|l| current.join(l).ok())
                .filter(|u| matches!(u.scheme(), "http" | "https"));
            current = match next {
                Some(next) => next,
                None => {
                    return Err(MediaFetchError::Status {
                        url: given.clone(),
                        status: response.status().as_u16(),
                    });
                }
            };
        };
        if !response.status().is_success() {
            return Err(MediaFetchError::Status {
                url: given.clone(),
                status: response.status().as_u16(),
            });
        }
        let too_large = || MediaFetchError::TooLarge {
            url: given.clone(),
            limit,
            per,
        };
        if response.content_length().is_some_and(|n| n > limit as u64) {
            return Err(too_large());
        }
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|v| v.trim().to_ascii_lowercase())
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| guess_content_type(&given).to_owned());
        let mut content = Vec::new();
        // Read a chunk at a time and stop as soon as the limit is passed: a
        // body that never ends costs at most the limit and one chunk.
        loop {
            let chunk = tokio::time::timeout_at(deadline, response.chunk())
                .await
                .map_err(|_| timed_out())?
                .map_err(|e| MediaFetchError::Failed {
                    url: given.clone(),
                    reason: describe(&e),
                })?;
            let Some(chunk) = chunk else { break };
            if content.len() + chunk.len() > limit {
                return Err(too_large());
            }
            content.extend_from_slice(&chunk);
        }
        Ok(FetchedMedia {
            url: given,
            content_type,
            content,
        })
    }

    /// The receiving side's own copy of the media of `sent`, a message from
    /// here delivered to a number here, made before the delivery's
    /// transaction (fetching takes up to the callback timeout). Each item
    /// is copied from the content Switchboard already holds, the sent item's
    /// own or the item its URL names (`…/Media/{Sid}` on this Switchboard);
    /// otherwise its URL is fetched once, as a handset's MMS is, behind the
    /// address guard, the message's items together held to
    /// [`MAX_MEDIA_BYTES`]. If any item fails, the message still arrives
    /// with the URLs as sent, and the failure is to be told to its receiver.
    pub(crate) async fn copy_sent_media(&self, sent: &MessageRecord) -> DomainResult<SentMedia> {
        let urls: Vec<String> = sent
            .media_urls
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        let held = self
            .store()
            .all(media::all_of_message(&sent.account_sid, &sent.sid))
            .await?;
        let mut copies = SentMedia {
            items: Vec::with_capacity(urls.len()),
            fill: Vec::new(),
            error: None,
        };
        let mut left = MAX_MEDIA_BYTES;
        for (position, url) in urls.iter().enumerate() {
            let own = held.iter().find(|m| m.position == position as i64);
            let per = if left < MAX_MEDIA_BYTES {
                "per message"
            } else {
                "per media item"
            };
            let copy = match self.held_content(sent, own, url).await? {
                Some(held) => held.and_then(|copy| {
                    if copy.content.len() > left {
                        Err(MediaFetchError::TooLarge {
                            url: url.clone(),
                            limit: left,
                            per,
                        })
                    } else {
                        Ok(copy)
                    }
                }),
                None => self.fetch_media_within(url, left, per).await,
            };
            match copy {
                Ok(copy) => {
                    left -= copy.content.len();
                    // The sent item is served from the copy too, from now on.
                    if let Some(own) = own.filter(|m| m.size.is_none()) {
                        copies.fill.push((own.sid.clone(), copies.items.len()));
                    }
                    copies.items.push(MediaItem::Fetched(copy));
                }
                Err(e) => {
                    return Ok(SentMedia {
                        items: urls
                            .iter()
                            .map(|url| MediaItem::Recorded { url: url.clone() })
                            .collect(),
                        fill: Vec::new(),
                        error: Some(e),
                    });
                }
            }
        }
        Ok(copies)
    }

    /// Content this Switchboard already holds for the item at `url` of
    /// `sent`: the item's own, or that of the item the URL names here.
    /// `None` when the URL is to be fetched.
    async fn held_content(
        &self,
        sent: &MessageRecord,
        own: Option<&MediaRecord>,
        url: &str,
    ) -> DomainResult<Option<Result<FetchedMedia, MediaFetchError>>> {
        let copy = |content: MediaContent| {
            content.content.map(|bytes| FetchedMedia {
                url: url.to_owned(),
                content_type: content.content_type,
                content: bytes,
            })
        };
        if let Some(own) = own.filter(|m| m.size.is_some())
            && let Some(content) = self
                .store()
                .opt(media::content_of(&sent.account_sid, &sent.sid, &own.sid))
                .await?
            && let Some(found) = copy(content)
        {
            return Ok(Some(Ok(found)));
        }
        let Some((account, message, sid)) = named_here(&self.settings().public_url, url) else {
            return Ok(None);
        };
        // What a GET of the URL would answer: the content to anyone, or, when
        // the operator requires credentials for media, only to its account.
        let refused = |status| {
            Ok(Some(Err(MediaFetchError::Status {
                url: url.to_owned(),
                status,
            })))
        };
        if self.settings().telephony.media_requires_auth && account != sent.account_sid {
            return refused(401);
        }
        match self
            .store()
            .opt(media::content_of(&account, &message, &sid))
            .await?
        {
            None => refused(404),
            Some(content) if content.content.is_some() => Ok(copy(content).map(Ok)),
            // Recorded by its URL only: the content URL redirects there.
            Some(MediaContent {
                source_url: Some(source),
                ..
            }) if source != url => Ok(Some(self.fetch_media(&source).await.map(|f| {
                FetchedMedia {
                    url: url.to_owned(),
                    ..f
                }
            }))),
            Some(_) => refused(404),
        }
    }

    /// The media of messages an access reaches (`Resource::Messages`).
    pub fn media(&self) -> MessageMedia<'_> {
        MessageMedia { sb: self }
    }

    /// Inserts a sent message with its `MediaUrl`s recorded beside it, and
    /// its feedback when it asked for one, in one transaction (a message
    /// with neither takes the one-statement path).
    pub(crate) async fn insert_message_with_media(
        &self,
        message: &MessageRecord,
        media_urls: &[String],
        feedback: Option<&FeedbackRecord>,
    ) -> DomainResult<()> {
        let insert = messages::insert_many(std::slice::from_ref(message));
        if media_urls.is_empty() && feedback.is_none() {
            self.store().run(insert).await?;
            return Ok(());
        }
        let items: Vec<MediaItem> = media_urls
            .iter()
            .map(|url| MediaItem::Recorded { url: url.clone() })
            .collect();
        let mut tx = self.store().begin().await?;
        tx.run(insert).await?;
        if let Some(feedback) = feedback {
            tx.run(message_feedback::insert(feedback)).await?;
        }
        if !items.is_empty() {
            record_media_at(
                &mut tx,
                &message.account_sid,
                &message.sid,
                &items,
                message.date_created,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// The Media resource: reads and deletes, with the Messages resource's
/// permissions (reading media is reading messages; deleting is writing).
pub struct MessageMedia<'a> {
    sb: &'a Switchboard,
}

impl MessageMedia<'_> {
    /// A message's media in its order (`GET …/Media.json`), those created
    /// within `created`. A message with none, or none this account has,
    /// lists nothing.
    pub async fn list(
        &self,
        reader: Reader<'_>,
        message: &MessageSid,
        created: &Range,
        at: &PageAt,
        size: u32,
    ) -> DomainResult<Page<Media>> {
        let page = self
            .sb
            .read_page(reader, Resource::Messages, |account| {
                media::list(account, message, created, at, size)
            })
            .await?;
        Ok(page.map(Media::from))
    }

    /// One item (`GET …/Media/{Sid}.json`).
    pub async fn fetch(
        &self,
        reader: Reader<'_>,
        message: &MessageSid,
        sid: &MediaSid,
    ) -> DomainResult<Media> {
        self.sb
            .read_one(reader, Resource::Messages, |account| {
                media::of_message(account, message, sid)
            })
            .await
            .map(Media::from)
    }

    /// An item's content and type (`GET …/Media/{Sid}` when the operator
    /// requires credentials for it).
    pub async fn fetch_content(
        &self,
        reader: Reader<'_>,
        message: &MessageSid,
        sid: &MediaSid,
    ) -> DomainResult<MediaContent> {
        self.sb
            .read_one(reader, Resource::Messages, |account| {
                media::content_of(account, message, sid)
            })
            .await
    }

    /// An item's content, for anyone who has its URL: as Twilio serves media
    /// by default, the URL (three SIDs, the media's 128 random bits among
    /// them) is the authority. It is handed out in webhooks and to whoever
    /// may read the message.
    pub async fn public_content(
        &self,
        account: &AccountSid,
        message: &MessageSid,
        sid: &MediaSid,
    ) -> DomainResult<MediaContent> {
        self.sb
            .store()
            .opt(media::content_of(account, message, sid))
            .await?
            .ok_or(DomainError::NotFound)
    }

    /// Deletes one item (`DELETE …/Media/{Sid}.json`); its message stays.
    pub async fn delete(
        &self,
        access: &Access,
        message: &MessageSid,
        sid: &MediaSid,
    ) -> DomainResult<()> {
        access.require(Action::Write, Resource::Messages)?;
        let account = &access.target_account()?.sid;
        let deleted = self
            .sb
            .store()
            .run(media::delete(account, message, sid))
            .await?;
        if deleted == 0 {
            return Err(DomainError::NotFound);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use switchboard_store::testing::TestDb;
    use switchboard_store::{PoolSize, Store};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};

    use super::*;
    use crate::Settings;

    /// How much of an endless body the server managed to write before the
    /// client stopped reading it.
    const ENDLESS: usize = 64 * 1024 * 1024;

    struct Server {
        base: String,
        written: Arc<AtomicUsize>,
        _db: TestDb,
    }

    async fn answer(mut socket: TcpStream, written: Arc<AtomicUsize>) {
        let mut head = Vec::new();
        let mut buf = [0u8; 1024];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            match socket.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => head.extend_from_slice(&buf[..n]),
            }
        }
        let head = String::from_utf8_lossy(&head).into_owned();
        let path = head.split(' ').nth(1).unwrap_or("/").to_owned();
        let reply = |status: &str, headers: &str, body: &[u8]| {
            let mut r = format!(
                "HTTP/1.1 {status}\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            )
            .into_bytes();
            r.extend_from_slice(body);
            r
        };
        let response = match path.as_str() {
            "/picture.png" => reply(
                "200 OK",
                "Content-Type: image/PNG; charset=binary\r\n",
                &[7u8; 1000],
            ),
            "/untyped.gif" => reply("200 OK", "", b"GIF89a"),
            "/two-megabytes" => reply(
                "200 OK",
                "Content-Type: image/jpeg\r\n",
                &vec![1u8; 2 * 1024 * 1024],
            ),
            "/missing.png" => reply("404 Not Found", "", b"no"),
            "/moved" => reply("302 Found", "Location: /picture.png\r\n", b""),
            "/loop" => reply("302 Found", "Location: /loop\r\n", b""),
            "/declared-huge" => format!(
                "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: {}\r\n\r\n",
                MAX_MEDIA_BYTES + 1
            )
            .into_bytes(),
            "/hang" => {
                std::future::pending::<()>().await;
                unreachable!()
            }
            "/endless" => {
                // Chunked, no length: only reading tells how large it is.
                let head = b"HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\nTransfer-Encoding: chunked\r\n\r\n";
                if socket.write_all(head).await.is_err() {
                    return;
                }
                let mut chunk = format!("{:x}\r\n", 64 * 1024).into_bytes();
                chunk.extend_from_slice(&[0u8; 64 * 1024]);
                chunk.extend_from_slice(b"\r\n");
                while written.load(Ordering::SeqCst) < ENDLESS {
                    if socket.write_all(&chunk).await.is_err() {
                        return;
                    }
                    written.fetch_add(64 * 1024, Ordering::SeqCst);
                }
                let _ = socket.write_all(b"0\r\n\r\n").await;
                return;
            }
            _ => reply("500 Internal Server Error", "", b""),
        };
        let _ = socket.write_all(&response).await;
        let _ = socket.shutdown().await;
    }

    async fn server(allow_private: bool) -> (Switchboard, Server) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let written = Arc::new(AtomicUsize::new(0));
        let counter = written.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(answer(socket, counter.clone()));
            }
        });
        let db = TestDb::sqlite();
        let store = Store::open(&db.database_url(), PoolSize::default())
            .await
            .unwrap();
        let mut settings = Settings::default();
        settings.callbacks.allow_private = allow_private;
        settings.callbacks.timeout = Duration::from_millis(500);
        let sb = Switchboard::open(store, settings).await.unwrap();
        let server = Server {
            base: format!("http://127.0.0.1:{port}"),
            written,
            _db: db,
        };
        (sb, server)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn fetches_content_with_its_type_following_redirects() {
        let (sb, s) = server(true).await;
        let url = format!("{}/picture.png", s.base);
        let got = sb.fetch_media(&url).await.unwrap();
        assert_eq!(got.url, url);
        assert_eq!(got.content_type, "image/png");
        assert_eq!(got.content, vec![7u8; 1000]);

        let untyped = sb
            .fetch_media(&format!("{}/untyped.gif", s.base))
            .await
            .unwrap();
        assert_eq!(
            (untyped.content_type.as_str(), untyped.content.as_slice()),
            ("image/gif", b"GIF89a".as_slice())
        );

        let moved = format!("{}/moved", s.base);
        let got = sb.fetch_media(&moved).await.unwrap();
        assert_eq!(got.url, moved, "the URL given is the source");
        assert_eq!(got.content.len(), 1000);

        let err = sb
            .fetch_media(&format!("{}/loop", s.base))
            .await
            .unwrap_err();
        assert!(
            matches!(err, MediaFetchError::TooManyRedirects { .. }),
            "{err:?}"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_error_status_is_reported_with_its_code() {
        let (sb, s) = server(true).await;
        let url = format!("{}/missing.png", s.base);
        let err = sb.fetch_media(&url).await.unwrap_err();
        assert_eq!(
            err,
            MediaFetchError::Status {
                url: url.clone(),
                status: 404
            }
        );
        assert_eq!(err.error_code(), 11200);
        assert!(err.to_string().contains("HTTP 404"), "{err}");
        assert!(err.to_string().contains(&url), "{err}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn too_large_stops_reading_past_the_limit() {
        let (sb, s) = server(true).await;
        let err = sb
            .fetch_media(&format!("{}/endless", s.base))
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                MediaFetchError::TooLarge {
                    limit: MAX_MEDIA_BYTES,
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(err.to_string().contains("5242880 bytes"), "{err}");
        // The server is stopped by the closed connection long before its
        // 64 MB are out (socket buffers hold a few MB at most).
        for _ in 0..200 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let written = s.written.load(Ordering::SeqCst);
        assert!(written < ENDLESS, "the whole body was read: {written}");

        // A declared length past the limit is refused without reading.
        let err = sb
            .fetch_media(&format!("{}/declared-huge", s.base))
            .await
            .unwrap_err();
        assert!(matches!(err, MediaFetchError::TooLarge { .. }), "{err:?}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_message_holds_all_its_media_to_the_limit() {
        let (sb, s) = server(true).await;
        let two = format!("{}/two-megabytes", s.base);
        let fetched = sb
            .fetch_message_media(&[two.clone(), two.clone()])
            .await
            .unwrap();
        assert_eq!(fetched.len(), 2);
        let err = sb
            .fetch_message_media(&[two.clone(), two.clone(), two])
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                MediaFetchError::TooLarge {
                    per: "per message",
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn private_addresses_are_refused_unless_allowed() {
        let (sb, s) = server(false).await;
        let literal = format!("{}/picture.png", s.base);
        let err = sb.fetch_media(&literal).await.unwrap_err();
        assert!(matches!(err, MediaFetchError::Refused { .. }), "{err:?}");
        assert!(err.to_string().contains("127.0.0.1"), "{err}");
        // A name is checked on what it resolves to.
        let named = literal.replace("127.0.0.1", "localhost");
        let err = sb.fetch_media(&named).await.unwrap_err();
        assert!(matches!(err, MediaFetchError::Refused { .. }), "{err:?}");
        let err = sb.fetch_media("ftp://example.com/a.png").await.unwrap_err();
        assert!(matches!(err, MediaFetchError::InvalidUrl(_)), "{err:?}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_server_that_never_answers_times_out() {
        let (sb, s) = server(true).await;
        let err = sb
            .fetch_media(&format!("{}/hang", s.base))
            .await
            .unwrap_err();
        assert!(matches!(err, MediaFetchError::Timeout { .. }), "{err:?}");
    }

    #[test]
    fn content_urls_are_the_api_path_without_extension() {
        let (a, m, me) = (
            AccountSid::generate(),
            MessageSid::generate(),
            MediaSid::generate(),
        );
        assert_eq!(
            content_url("https://sb.example.com", &a, &m, &me),
            format!("https://sb.example.com/2010-04-01/Accounts/{a}/Messages/{m}/Media/{me}")
        );
    }

    #[test]
    fn content_urls_of_this_switchboard_are_recognised() {
        let (a, m, me) = (
            AccountSid::generate(),
            MessageSid::generate(),
            MediaSid::generate(),
        );
        let here = "https://sb.example.com";
        let url = content_url(here, &a, &m, &me);
        assert_eq!(
            named_here(here, &url),
            Some((a.clone(), m.clone(), me.clone()))
        );
        assert_eq!(
            named_here("https://sb.example.com/", &url),
            Some((a.clone(), m.clone(), me.clone()))
        );
        for other in [
            content_url("https://elsewhere.example.com", &a, &m, &me),
            format!("{url}.json"),
            format!("{url}/more"),
            format!("{url}?size=large"),
            format!("{here}/2010-04-01/Accounts/{a}/Calls/{m}/Media/{me}"),
            format!("{here}/2010-04-01/Accounts/{a}/Messages/{m}/Media/{m}"),
            format!("{here}/2010-04-01/Accounts/{a}/Messages/{m}/Media"),
        ] {
            assert_eq!(named_here(here, &other), None, "{other}");
        }
    }

    #[test]
    fn content_types_are_guessed_from_the_extension() {
        assert_eq!(
            guess_content_type("https://x.test/a/b.JPG?s=1"),
            "image/jpeg"
        );
        assert_eq!(guess_content_type("https://x.test/cat.png"), "image/png");
        assert_eq!(guess_content_type("https://x.test/v.tar.mp4"), "video/mp4");
        assert_eq!(
            guess_content_type("https://x.test/dir.png/file"),
            DEFAULT_CONTENT_TYPE
        );
        assert_eq!(guess_content_type("https://x.test/"), DEFAULT_CONTENT_TYPE);
        assert_eq!(guess_content_type("not a url"), DEFAULT_CONTENT_TYPE);
    }
}
