//! The accept loop: how long a connection may take to send a request, how long
//! it may stay idle between requests, and how many may be open at once.
//!
//! `axum::serve` has none of these, so a client that connected and sent
//! nothing, or dripped its headers, held its connection (and a file
//! descriptor) until it went away, and a few hundred such clients starved
//! everyone else (issue 18).

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use axum::body::Body;
use axum::extract::connect_info::ConnectInfo;
use axum::http::{Request, Response};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::time::{Instant, Sleep};
use tower::{Service, ServiceExt};

/// How the server treats connections. The defaults are those of `serve`'s
/// flags.
#[derive(Debug, Clone)]
pub struct ServerSettings {
    /// How long a client has to send a request's line and headers, from when
    /// it connects or from the first byte of a request on a kept-alive
    /// connection. More bytes do not extend it, so dripping headers does not
    /// hold a connection.
    pub header_read_timeout: Duration,
    /// How long a kept-alive connection may wait for its next request (or a
    /// client take to read an answer) before it is closed.
    pub idle_timeout: Duration,
    /// Connections open at once; above it, new ones are answered `503` with
    /// `Retry-After` and closed, and the open ones are not affected.
    pub max_connections: u32,
    /// How long a graceful shutdown waits for requests in flight.
    pub shutdown_grace: Duration,
}

impl Default for ServerSettings {
    fn default() -> Self {
        ServerSettings {
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(30),
            max_connections: 512,
            shutdown_grace: crate::SHUTDOWN_GRACE,
        }
    }
}

/// Refusals being written at once. Beyond that, a connection over the limit is
/// closed without an answer: refusing must not cost more than serving.
const REFUSALS_IN_FLIGHT: usize = 64;

/// How long a refused connection is kept to read what its client sent: closing
/// a socket with unread data resets it, and the client may lose the answer.
const REFUSAL_LINGER: Duration = Duration::from_secs(1);

/// What `accept` answers when every file descriptor is in use: wait for
/// connections to close rather than spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// Twilio's "Service Unavailable".
const SERVICE_UNAVAILABLE: u32 = 20503;

/// The whole answer to a connection over the limit, written before anything is
/// read: Twilio's error body, so the SDKs report it like any other.
static REFUSAL: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let body = serde_json::json!({
        "code": SERVICE_UNAVAILABLE,
        "message": "Too many connections; try again shortly",
        "more_info": format!("https://www.twilio.com/docs/errors/{SERVICE_UNAVAILABLE}"),
        "status": 503,
    })
    .to_string();
    format!(
        "HTTP/1.1 503 Service Unavailable\r\n\
         content-type: application/json\r\n\
         content-length: {}\r\n\
         retry-after: 1\r\n\
         connection: close\r\n\
         x-content-type-options: nosniff\r\n\
         \r\n\
         {body}",
        body.len()
    )
    .into_bytes()
});

/// Accepts connections until `shutdown` completes, then lets each finish its
/// request in flight, waiting at most `settings.shutdown_grace`.
pub(crate) async fn run<S>(
    listener: TcpListener,
    service: S,
    settings: ServerSettings,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()>
where
    S: Service<Request<Body>, Response = Response<Body>, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send,
{
    let max = settings.max_connections.max(1);
    let open = Arc::new(Semaphore::new(max as usize));
    let refusing = Arc::new(Semaphore::new(REFUSALS_IN_FLIGHT));
    let (closing, closed) = watch::channel(false);
    let limits = Limits {
        header_read: settings.header_read_timeout,
        idle: settings.idle_timeout,
    };
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => accepted,
        };
        let (stream, remote) = match accepted {
            Ok(accepted) => accepted,
            Err(e) => {
                // The error is about one connection that is gone already.
                if is_connection_error(&e) {
                    continue;
                }
                tracing::error!(error = %e, "accepting a connection failed");
                tokio::select! {
                    () = &mut shutdown => break,
                    () = tokio::time::sleep(ACCEPT_BACKOFF) => continue,
                }
            }
        };
        match open.clone().try_acquire_owned() {
            Ok(permit) => {
                tokio::spawn(connection(
                    stream,
                    remote,
                    service.clone(),
                    limits,
                    closed.clone(),
                    permit,
                ));
            }
            Err(_) => refuse(stream, &refusing),
        }
    }
    drop(listener);
    let _ = closing.send(true);
    // Every connection holds a permit until it ends.
    if tokio::time::timeout(settings.shutdown_grace, open.acquire_many(max))
        .await
        .is_err()
    {
        tracing::warn!(
            open = max as usize - open.available_permits(),
            "shutdown grace elapsed with connections still open"
        );
    }
    Ok(())
}

/// Errors of `accept` that concern one connection (it was reset before it was
/// accepted), not the listener.
fn is_connection_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

#[derive(Clone, Copy)]
struct Limits {
    header_read: Duration,
    idle: Duration,
}

impl Limits {
    fn shortest(&self) -> Duration {
        self.header_read.min(self.idle)
    }
}

async fn connection<S>(
    stream: TcpStream,
    remote: SocketAddr,
    service: S,
    limits: Limits,
    mut closing: watch::Receiver<bool>,
    _permit: OwnedSemaphorePermit,
) where
    S: Service<Request<Body>, Response = Response<Body>, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send,
{
    let requests = Arc::new(Requests::default());
    let io = TokioIo::new(Deadlines::new(stream, requests.clone(), limits));
    let hyper_service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
        // What `into_make_service_with_connect_info` did: handlers read the
        // peer's address from this extension.
        request.extensions_mut().insert(ConnectInfo(remote));
        let handling = Handling::start(&requests);
        let answer = service.clone().oneshot(request.map(Body::new));
        async move {
            let answer = answer.await;
            drop(handling);
            answer
        }
    });
    let conn = hyper::server::conn::http1::Builder::new()
        // `Deadlines` times the headers: hyper's timer would also run while the
        // connection waits for its next request, so the two limits could not
        // differ.
        .header_read_timeout(None)
        .serve_connection(io, hyper_service);
    tokio::pin!(conn);
    let closed = async move {
        let _ = closing.wait_for(|closing| *closing).await;
    };
    let result = tokio::select! {
        result = conn.as_mut() => result,
        () = closed => {
            // Finishes the request in flight, if any, then closes.
            conn.as_mut().graceful_shutdown();
            conn.await
        }
    };
    if let Err(e) = result {
        tracing::debug!(error = %e, "connection closed with an error");
    }
}

/// Answers a connection over the limit with a `503` and closes it, in a task
/// of its own so that a slow client cannot hold up the accept loop.
fn refuse(mut stream: TcpStream, refusing: &Arc<Semaphore>) {
    let Ok(permit) = refusing.clone().try_acquire_owned() else {
        return;
    };
    tokio::spawn(async move {
        let _permit = permit;
        let _ = tokio::time::timeout(REFUSAL_LINGER, async {
            stream.write_all(&REFUSAL).await?;
            stream.shutdown().await?;
            let mut sink = [0u8; 1024];
            while stream.read(&mut sink).await? > 0 {}
            io::Result::Ok(())
        })
        .await;
    });
}

/// The requests of one connection: the service counts them, and the socket
/// below hyper reads the counts to know which deadline applies (hyper does not
/// always read from the socket while a request is handled, so the socket
/// cannot see that for itself).
#[derive(Default)]
struct Requests {
    started: AtomicUsize,
    finished: AtomicUsize,
}

/// Counts a request as being handled until dropped (when its answer is ready,
/// or it was abandoned).
struct Handling(Arc<Requests>);

impl Handling {
    fn start(requests: &Arc<Requests>) -> Handling {
        requests.started.fetch_add(1, Ordering::Relaxed);
        Handling(requests.clone())
    }
}

impl Drop for Handling {
    fn drop(&mut self) {
        self.0.finished.fetch_add(1, Ordering::Relaxed);
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Phase {
    /// Reading a request's line and headers: the deadline is
    /// `header_read_timeout` after it began.
    Head,
    /// A request is being handled: no deadline of ours (handlers bound their
    /// own work).
    Busy,
    /// Waiting for the next request, or for the client to take the answer:
    /// the deadline is `idle_timeout` after the last byte went either way.
    Idle,
}

/// The socket, with the deadlines of the phase the connection is in. A read
/// that would wait past the deadline fails instead, and hyper closes the
/// connection.
struct Deadlines {
    stream: TcpStream,
    requests: Arc<Requests>,
    /// `requests.finished` when the phase was last worked out.
    finished: usize,
    limits: Limits,
    phase: Phase,
    deadline: Instant,
    /// Fires no later than `deadline`, and never more than the shortest limit
    /// after it was set: a deadline set later (a new request's head) then never
    /// falls before it, so the timer need not move on every request, which
    /// cost a measurable share of the cheapest requests (docs/benchmarks.md).
    /// When it fires early, it is set again.
    timer: Pin<Box<Sleep>>,
}

impl Deadlines {
    fn new(stream: TcpStream, requests: Arc<Requests>, limits: Limits) -> Deadlines {
        let deadline = Instant::now() + limits.header_read;
        Deadlines {
            stream,
            requests,
            finished: 0,
            limits,
            phase: Phase::Head,
            deadline,
            timer: Box::pin(tokio::time::sleep_until(
                deadline.min(Instant::now() + limits.shortest()),
            )),
        }
    }

    /// Works out the phase from the requests' counts; true when a request
    /// finished since the last time, and the connection is now idle.
    fn update(&mut self) -> bool {
        let started = self.requests.started.load(Ordering::Relaxed);
        let finished = self.requests.finished.load(Ordering::Relaxed);
        if started != finished {
            self.phase = Phase::Busy;
            false
        } else if finished != self.finished {
            self.finished = finished;
            self.phase = Phase::Idle;
            self.deadline = Instant::now() + self.limits.idle;
            true
        } else {
            false
        }
    }

    fn poll_deadline(&mut self, cx: &mut Context<'_>) -> Poll<io::Error> {
        loop {
            ready!(self.timer.as_mut().poll(cx));
            let now = Instant::now();
            if now >= self.deadline {
                break;
            }
            let next = self.deadline.min(now + self.limits.shortest());
            self.timer.as_mut().reset(next);
        }
        let what = match self.phase {
            Phase::Head => "the request's headers took too long",
            _ => "the connection was idle too long",
        };
        Poll::Ready(io::Error::new(io::ErrorKind::TimedOut, what))
    }

    fn wrote(&mut self, cx: &mut Context<'_>, n: usize) {
        if self.update() {
            // The answer is being written. Once it is, hyper may not read
            // again until the socket has something to read, so the timer
            // must be set now, to wake it at the deadline.
            let _ = self.poll_deadline(cx);
        } else if self.phase == Phase::Idle && n > 0 {
            self.deadline = Instant::now() + self.limits.idle;
        }
    }
}

impl AsyncRead for Deadlines {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.update();
        if this.phase == Phase::Busy {
            return Pin::new(&mut this.stream).poll_read(cx, buf);
        }
        let before = buf.filled().len();
        match Pin::new(&mut this.stream).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                if this.phase == Phase::Idle && buf.filled().len() > before {
                    this.phase = Phase::Head;
                    this.deadline = Instant::now() + this.limits.header_read;
                }
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => this.poll_deadline(cx).map(Err),
        }
    }
}

impl AsyncWrite for Deadlines {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let n = ready!(Pin::new(&mut this.stream).poll_write(cx, buf))?;
        this.wrote(cx, n);
        Poll::Ready(Ok(n))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let n = ready!(Pin::new(&mut this.stream).poll_write_vectored(cx, bufs))?;
        this.wrote(cx, n);
        Poll::Ready(Ok(n))
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}
