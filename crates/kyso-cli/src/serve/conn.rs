//! Connections, workers and the deadlines that hold.
//!
//! Design (issue 21: four idle connections once kept the service from answering for 64 s, a
//! slow reader held a worker for 124 s):
//! - The acceptor never waits on a client. It counts the connection and gives it a thread of
//!   its own (small stack); over `--max-connections` it hands it to the refuser thread, which
//!   answers 503 (and when even that is backed up, the connection is dropped).
//! - The connection's thread does all of its input and output, under one deadline that starts
//!   at accept (`--timeout`, 60 s): the head must arrive within [`HEAD_TIME`] (10 s, or the
//!   deadline if sooner), the body by the deadline (RFC 9112 §9.5 lets a server close an idle
//!   connection; the client gets 408).
//! - What needs no worker — the page, `/v1/health`, CORS preflights and every refusal — is
//!   answered right there. An idle or slow connection holds only its own thread, so it never
//!   delays `/v1/health`.
//! - Verification and signing go to the worker pool through a bounded queue (`--queue`; full →
//!   503), and are waited for until the deadline: time spent queued counts, a job whose
//!   deadline passed while it waited is dropped unstarted, and a late answer is a 503
//!   `timeout`. Workers only compute, never touch a socket: no client can hold one.
//! - The answer must be read at [`http::MIN_ANSWER_RATE`] (64 KiB/s) plus 2 s, and by the
//!   deadline (a 408/503 at the deadline still gets the 2 s).
//! - Request bodies held in memory at once are bounded: `--max-body` × (workers + 2);
//!   beyond that, 503.

use std::net::{TcpListener, TcpStream};
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::http::{self, ReadError, Request, Response};
use super::{log, Service};

/// How long a client may take to send the request head, counted from accept.
pub const HEAD_TIME: Duration = Duration::from_secs(10);

/// How long unread request data is drained after an answer (so that the client sees it).
const DRAIN_TIME: Duration = Duration::from_secs(1);

/// The same for a connection refused as busy (503), shorter: the refuser waits for it.
const BUSY_DRAIN: Duration = Duration::from_millis(200);

/// Stack of a connection thread: it parses a head and formats small answers, nothing deep.
const CONNECTION_STACK: usize = 256 << 10;

/// The service's limits.
pub struct Limits {
    pub workers: usize,
    pub queue: usize,
    pub max_connections: usize,
    /// The whole-connection deadline, from accept.
    pub timeout: Duration,
}

/// A verification or signing for a worker.
struct Job {
    req: Request,
    deadline: Instant,
    reply: SyncSender<Response>,
    /// The body's share of the memory budget, released when the job is done.
    _body: Reservation,
}

/// What the connection threads share.
struct Shared {
    service: Arc<Service>,
    jobs: SyncSender<Job>,
    connections: AtomicUsize,
    bodies: Arc<AtomicU64>,
    body_budget: u64,
    timeout: Duration,
}

/// Accepts connections for ever.
pub fn serve(listener: TcpListener, service: Arc<Service>, limits: Limits) {
    let jobs = start_workers(&service, limits.workers, limits.queue);
    let refuse = start_refuser();
    let shared = Arc::new(Shared {
        body_budget: service.max_body.saturating_mul(limits.workers as u64 + 2),
        service,
        jobs,
        connections: AtomicUsize::new(0),
        bodies: Arc::new(AtomicU64::new(0)),
        timeout: limits.timeout,
    });
    for stream in listener.incoming() {
        let Ok(stream) = stream else {
            // Out of file descriptors, say: wait a little rather than spin.
            std::thread::sleep(Duration::from_millis(10));
            continue;
        };
        let accepted = Instant::now();
        if shared.connections.fetch_add(1, Ordering::SeqCst) >= limits.max_connections {
            shared.connections.fetch_sub(1, Ordering::SeqCst);
            let _ = refuse.try_send(stream); // full: dropped
            continue;
        }
        let mine = Arc::clone(&shared);
        let spawned = std::thread::Builder::new()
            .stack_size(CONNECTION_STACK)
            .spawn(move || {
                let _count = Counted(&mine.connections);
                connection(stream, &mine, accepted);
            });
        if spawned.is_err() {
            shared.connections.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

/// Decrements the connection count when the connection's thread ends, even by a panic.
struct Counted<'a>(&'a AtomicUsize);

impl Drop for Counted<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A fixed pool of workers behind a queue of `queue` jobs.
fn start_workers(service: &Arc<Service>, workers: usize, queue: usize) -> SyncSender<Job> {
    let (tx, rx) = mpsc::sync_channel::<Job>(queue);
    let rx = Arc::new(Mutex::new(rx));
    for _ in 0..workers {
        let rx = Arc::clone(&rx);
        let service = Arc::clone(service);
        std::thread::spawn(move || loop {
            let next = rx.lock().map(|r| r.recv());
            let Ok(Ok(job)) = next else { break };
            work(&service, job);
        });
    }
    tx
}

fn work(service: &Service, job: Job) {
    if Instant::now() >= job.deadline {
        return; // waited past its deadline: its connection has had its 503 already
    }
    // A panic in the library on a crafted file costs that request a 500, not the worker.
    let resp = std::panic::catch_unwind(AssertUnwindSafe(|| {
        super::route(service, &job.req, job.deadline)
    }))
    .unwrap_or_else(|_| Response::error(500, "internal_error", "internal error"));
    let _ = job.reply.send(resp);
}

/// The thread that answers 503 to connections over `--max-connections`.
fn start_refuser() -> SyncSender<TcpStream> {
    let (tx, rx) = mpsc::sync_channel::<TcpStream>(16);
    std::thread::spawn(move || {
        for stream in rx {
            let resp = busy();
            let _ = http::write_answer(&stream, &resp, Instant::now());
            log("-", "-", 503, resp.body.len(), Duration::ZERO);
            http::linger(&stream, BUSY_DRAIN, 64 << 10);
        }
    });
    tx
}

fn busy() -> Response {
    Response::error(503, "busy", "too many requests at once; try again")
        .with_header("Retry-After", "1")
}

/// One connection, from accept to close.
fn connection(stream: TcpStream, shared: &Shared, accepted: Instant) {
    let deadline = accepted + shared.timeout;
    let Some((method, path, resp)) = exchange(&stream, shared, accepted, deadline) else {
        return; // the client went away
    };
    let _ = http::write_answer(&stream, &resp, deadline);
    log(
        &method,
        &path,
        resp.status,
        resp.body.len(),
        accepted.elapsed(),
    );
    http::linger(&stream, DRAIN_TIME, 1 << 20);
}

/// Reads the request and makes the answer: (method, path, answer), None when the client left.
fn exchange(
    stream: &TcpStream,
    shared: &Shared,
    accepted: Instant,
    deadline: Instant,
) -> Option<(String, String, Response)> {
    let unknown = |resp| Some(("?".to_string(), "?".to_string(), resp));
    let head = match http::read_head(stream, accepted + HEAD_TIME.min(shared.timeout)) {
        Ok(head) => head,
        Err(ReadError::Gone) => return None,
        Err(ReadError::Respond(resp)) => return unknown(resp),
    };
    let (method, path) = (head.req.method.clone(), head.req.path.clone());
    let service = &shared.service;
    let own = super::origin::own_names(stream.local_addr().ok()?, &service.public_names);
    if let Some(resp) = super::check_head(service, &head.req, head.length, &own) {
        return Some((method, path, resp));
    }
    let Some(reservation) =
        Reservation::take(&shared.bodies, head.length.unwrap_or(0), shared.body_budget)
    else {
        return Some((method, path, busy()));
    };
    let req = match http::read_body(stream, head, deadline, service.max_body) {
        Ok(req) => req,
        Err(ReadError::Gone) => return None,
        Err(ReadError::Respond(resp)) => return Some((method, path, resp)),
    };
    let origin = req.header("origin").map(str::to_string);
    let resp = if needs_worker(&req) {
        dispatch(shared, req, deadline, reservation)
    } else {
        super::route(service, &req, deadline)
    };
    Some((
        method,
        path,
        super::cors(service, origin.as_deref(), &own, resp),
    ))
}

/// Verification and signing take a worker; everything else is answered at once.
fn needs_worker(req: &Request) -> bool {
    req.method == "POST" && matches!(req.path.as_str(), "/v1/verify" | "/v1/sign")
}

/// Queues the job and waits for its answer until the deadline.
fn dispatch(shared: &Shared, req: Request, deadline: Instant, body: Reservation) -> Response {
    let (reply, answer) = mpsc::sync_channel(1);
    let job = Job {
        req,
        deadline,
        reply,
        _body: body,
    };
    match shared.jobs.try_send(job) {
        Ok(()) => {}
        Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => return busy(),
    }
    match answer.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        Ok(resp) => resp,
        Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => Response::error(
            503,
            "timeout",
            format!(
                "no answer within {} s of the connection; try again",
                shared.timeout.as_secs()
            ),
        )
        .with_header("Retry-After", "5"),
    }
}

/// Bytes of request bodies in memory, counted against a budget.
struct Reservation {
    total: Arc<AtomicU64>,
    bytes: u64,
}

impl Reservation {
    /// Reserves `bytes` unless the budget would be exceeded.
    fn take(total: &Arc<AtomicU64>, bytes: u64, budget: u64) -> Option<Reservation> {
        total
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |held| {
                held.checked_add(bytes).filter(|&n| n <= budget)
            })
            .ok()?;
        Some(Reservation {
            total: Arc::clone(total),
            bytes,
        })
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        self.total.fetch_sub(self.bytes, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_budget() {
        let total = Arc::new(AtomicU64::new(0));
        let a = Reservation::take(&total, 60, 100).unwrap();
        assert!(Reservation::take(&total, 50, 100).is_none());
        let b = Reservation::take(&total, 40, 100).unwrap();
        drop(a);
        assert_eq!(total.load(Ordering::SeqCst), 40);
        drop(b);
        assert_eq!(total.load(Ordering::SeqCst), 0);
    }
}
