//! A minimal HTTP/1.1 server side (RFC 9112): one request per connection (`Connection: close`),
//! bodies by Content-Length only, limits on the header and body sizes. Enough for a loopback
//! service; no keep-alive, no chunked request bodies (answered 411).
//!
//! Request heads are parsed strictly with `httparse`: obsolete line folding, bare CR, NUL,
//! whitespace before a colon and a malformed request line are refused with 400, and so are
//! duplicate Content-Length, Host, Origin or Transfer-Encoding fields (no "first one wins").

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// Longest request line plus headers accepted (bytes).
const MAX_HEAD: usize = 16 * 1024;

/// Most header fields accepted in a request.
const MAX_HEADERS: usize = 64;

/// Fields that must appear at most once: a second one is an attempt at confusion (request
/// smuggling, a second Host or Origin to slip past a check), refused with 400.
const SINGLE_FIELDS: [&str; 4] = ["content-length", "host", "origin", "transfer-encoding"];

/// Slowest an answer may be read: below this rate the connection is dropped (RFC 9112 §9.5
/// lets a server close a connection at any time), so that a slow reader cannot hold it.
pub const MIN_ANSWER_RATE: u64 = 64 * 1024;

/// Time every answer gets on top of its size at [`MIN_ANSWER_RATE`].
pub const ANSWER_SLACK: Duration = Duration::from_secs(2);

pub struct Request {
    pub method: String,
    /// The path without the query.
    pub path: String,
    /// Decoded query parameters, in order.
    pub query: Vec<(String, String)>,
    /// The authority the request names: Host, or the target's for an absolute-form target.
    pub authority: String,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// An API error message in English and in Vietnamese.
pub trait ApiText {
    fn english(&self) -> String;
    /// Vietnamese: the library's words for its errors; for the service's own messages, the
    /// sentence when it is a fixed one, else the kind of `code` followed by the English
    /// detail.
    fn vietnamese(&self, code: &str) -> String;
}

impl ApiText for kyso::Error {
    fn english(&self) -> String {
        self.to_string()
    }
    fn vietnamese(&self, _code: &str) -> String {
        kyso::text::errors::error_text(self, kyso::text::Lang::Vi)
    }
}

impl ApiText for &str {
    fn english(&self) -> String {
        self.to_string()
    }
    fn vietnamese(&self, code: &str) -> String {
        match FIXED_VI.iter().find(|(en, _)| en == self) {
            Some((_, vi)) => vi.to_string(),
            None => format!("{}: {self}", code_vi(code)),
        }
    }
}

impl ApiText for String {
    fn english(&self) -> String {
        self.clone()
    }
    fn vietnamese(&self, code: &str) -> String {
        self.as_str().vietnamese(code)
    }
}

/// The service's fixed messages in Vietnamese.
const FIXED_VI: &[(&str, &str)] = &[
    ("internal error", "lỗi nội bộ của dịch vụ"),
    (
        "too many requests at once; try again",
        "quá nhiều yêu cầu cùng lúc; hãy thử lại",
    ),
    ("request headers too large", "phần đầu của yêu cầu quá lớn"),
    (
        "too many header fields",
        "phần đầu của yêu cầu có quá nhiều trường",
    ),
    (
        "send the body with a Content-Length (chunked bodies are not accepted)",
        "hãy gửi nội dung kèm Content-Length (không nhận nội dung gửi từng khúc)",
    ),
    ("no such endpoint", "không có địa chỉ API này"),
    (
        "send the PDF as the body, with a Content-Length",
        "hãy gửi tệp PDF làm nội dung yêu cầu, kèm Content-Length",
    ),
    (
        "method not allowed here",
        "phương thức này không dùng được ở đây",
    ),
    (
        "send the PDF as the request body",
        "hãy gửi tệp PDF làm nội dung yêu cầu",
    ),
    ("signature must be a number", "signature phải là một số"),
    (
        "give exactly one of signature=N (1 = the first) or field=NAME",
        "hãy cho đúng một trong signature=N (1 = chữ ký đầu tiên) hoặc field=TÊN",
    ),
    (
        "this service has no key: start it with --p12 FILE or --pkcs11 MODULE",
        "dịch vụ chưa có khóa ký: hãy khởi động với --p12 TỆP hoặc --pkcs11 THƯ_VIỆN",
    ),
    (
        "send the PDF as the request body (or as the part \"pdf\" of multipart/form-data)",
        "hãy gửi tệp PDF làm nội dung yêu cầu (hoặc phần \"pdf\" của multipart/form-data)",
    ),
    (
        "give the picture either as image=NAME or as an uploaded part, not both",
        "hãy cho hình bằng image=TÊN hoặc tải lên, không cả hai",
    ),
];

/// What an error `code` means, in Vietnamese.
fn code_vi(code: &str) -> &'static str {
    match code {
        "bad_request" => "yêu cầu không hợp lệ",
        "timeout" => "hết thời gian chờ",
        "header_too_large" => "phần đầu của yêu cầu quá lớn",
        "length_required" => "thiếu Content-Length",
        "payload_too_large" => "nội dung quá lớn",
        "host_not_allowed" => "tên máy (Host) không được phép",
        "origin_not_allowed" => "trang gọi (Origin) không được phép",
        "not_found" => "không có địa chỉ API này",
        "method_not_allowed" => "phương thức không được phép",
        "empty_body" => "thiếu nội dung",
        "unreadable_pdf" => "không đọc được tệp PDF",
        "bad_parameter" => "tham số không hợp lệ",
        "bad_body" => "nội dung yêu cầu không hợp lệ",
        "image_too_large" => "hình quá lớn",
        "unknown_part" => "phần không được biết",
        "signing_not_configured" => "dịch vụ chưa có khóa ký",
        "sign_failed" => "không ký được",
        "not_confirmed" => "không được xác nhận ký",
        "busy" => "dịch vụ đang bận",
        "internal_error" => "lỗi nội bộ của dịch vụ",
        _ => "lỗi",
    }
}

impl Response {
    pub fn new(status: u16, content_type: &str, body: Vec<u8>) -> Response {
        Response {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body,
        }
    }

    pub fn json(status: u16, value: &serde_json::Value) -> Response {
        let body = serde_json::to_vec(value).unwrap_or_default();
        Response::new(status, "application/json; charset=utf-8", body)
    }

    /// `{"error": message, "error_vi": the message in Vietnamese, "code": code, "status":
    /// status}`: `error` stays English (scripts match on it and on `code`); the page shows
    /// `error_vi` in Vietnamese.
    pub fn error(status: u16, code: &str, message: impl ApiText) -> Response {
        Response::json(
            status,
            &serde_json::json!({
                "error": message.english(),
                "error_vi": message.vietnamese(code),
                "code": code,
                "status": status,
            }),
        )
    }

    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Response {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn write_to(&self, out: &mut impl Write) -> std::io::Result<()> {
        let mut head = format!("HTTP/1.1 {} {}\r\n", self.status, reason(self.status));
        for (n, v) in &self.headers {
            // Header values come from this program; still, never let a newline through.
            let v: String = v.chars().filter(|c| !c.is_control()).collect();
            head.push_str(&format!("{n}: {v}\r\n"));
        }
        head.push_str(&format!(
            "Content-Length: {}\r\nConnection: close\r\nX-Content-Type-Options: nosniff\r\n\
             Cache-Control: no-store\r\n\r\n",
            self.body.len()
        ));
        out.write_all(head.as_bytes())?;
        out.write_all(&self.body)?;
        out.flush()
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        204 => "No Content",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        411 => "Length Required",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Content",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        _ => "",
    }
}

/// Why a request could not be read: an answer to send (or nothing, when the peer went away).
pub enum ReadError {
    Respond(Response),
    Gone,
}

fn bad(message: impl ApiText) -> ReadError {
    ReadError::Respond(Response::error(400, "bad_request", message))
}

fn timed_out(what: &str) -> ReadError {
    ReadError::Respond(Response::error(
        408,
        "timeout",
        format!("the {what} was not received in time"),
    ))
}

fn is_timeout(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
    )
}

/// Reads from a socket until a deadline, however slowly the peer sends (no slowloris: each
/// read waits only for the time left).
pub struct DeadlineReader {
    stream: TcpStream,
    deadline: Instant,
}

impl DeadlineReader {
    pub fn new(stream: &TcpStream, deadline: Instant) -> std::io::Result<DeadlineReader> {
        Ok(DeadlineReader {
            stream: stream.try_clone()?,
            deadline,
        })
    }
}

impl Read for DeadlineReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(std::io::ErrorKind::TimedOut.into());
        }
        self.stream.set_read_timeout(Some(left))?;
        self.stream.read(buf)
    }
}

/// Writes to a socket until a deadline, however slowly the peer reads.
pub struct DeadlineWriter {
    stream: TcpStream,
    deadline: Instant,
}

impl DeadlineWriter {
    pub fn new(stream: &TcpStream, deadline: Instant) -> std::io::Result<DeadlineWriter> {
        Ok(DeadlineWriter {
            stream: stream.try_clone()?,
            deadline,
        })
    }
}

impl Write for DeadlineWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(std::io::ErrorKind::TimedOut.into());
        }
        self.stream.set_write_timeout(Some(left))?;
        // At most 64 KiB a call, so that the deadline is looked at as the answer goes.
        self.stream.write(&buf[..buf.len().min(64 << 10)])
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.stream.flush()
    }
}

/// When an answer of `size` bytes must have been written: at [`MIN_ANSWER_RATE`] plus
/// [`ANSWER_SLACK`], and by the connection's deadline — though an answer that is ready only at
/// the deadline (a 408 or 503 saying so) still gets the slack.
pub fn answer_deadline(size: usize, now: Instant, connection_deadline: Instant) -> Instant {
    let by_rate = now + ANSWER_SLACK + Duration::from_millis(size as u64 * 1000 / MIN_ANSWER_RATE);
    by_rate.min(connection_deadline.max(now + ANSWER_SLACK))
}

/// Writes `resp` by [`answer_deadline`].
pub fn write_answer(
    stream: &TcpStream,
    resp: &Response,
    connection_deadline: Instant,
) -> std::io::Result<()> {
    let deadline = answer_deadline(resp.body.len(), Instant::now(), connection_deadline);
    resp.write_to(&mut DeadlineWriter::new(stream, deadline)?)
}

/// After an answer: stop sending and read (and drop) for `time` at most `max` bytes the client
/// still sends, so that unread request data does not reset the connection before the client
/// has read the answer.
pub fn linger(stream: &TcpStream, time: Duration, max: u64) {
    let _ = stream.shutdown(std::net::Shutdown::Write);
    if let Ok(rest) = DeadlineReader::new(stream, Instant::now() + time) {
        let _ = std::io::copy(&mut rest.take(max), &mut std::io::sink());
    }
}

/// A request head read and checked, its body not yet read.
pub struct Head {
    pub req: Request,
    /// The Content-Length, when given.
    pub length: Option<u64>,
    /// Body bytes read with the head.
    rest: Vec<u8>,
}

/// Reads the request head, all of it before `deadline`, and parses it strictly.
pub fn read_head(stream: &TcpStream, deadline: Instant) -> Result<Head, ReadError> {
    let mut reader = DeadlineReader::new(stream, deadline).map_err(|_| ReadError::Gone)?;
    let mut buf = Vec::with_capacity(2048);
    let mut chunk = [0u8; 4096];
    loop {
        let room = MAX_HEAD - buf.len();
        if room == 0 {
            return Err(ReadError::Respond(Response::error(
                431,
                "header_too_large",
                "request headers too large",
            )));
        }
        let want = room.min(chunk.len());
        let n = match reader.read(&mut chunk[..want]) {
            Ok(0) => return Err(ReadError::Gone),
            Ok(n) => n,
            Err(e) if is_timeout(&e) => return Err(timed_out("request")),
            Err(_) => return Err(ReadError::Gone),
        };
        // Parse only once the end of a head may have arrived: a blank line (RFC 9112 §2.1),
        // looked for in the new bytes, so that a head sent byte by byte costs linear time.
        let from = buf.len().saturating_sub(2);
        buf.extend_from_slice(&chunk[..n]);
        let window = &buf[from..];
        if !(contains(window, b"\n\r\n") || contains(window, b"\n\n")) {
            continue;
        }
        if let Some((req, length, used)) = parse_head(&buf)? {
            let rest = buf[used..].to_vec();
            return Ok(Head { req, length, rest });
        }
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// The head in `buf`, if complete: the request (no body), its Content-Length and the head's
/// length. httparse refuses what RFC 9112 forbids: obsolete line folding (§5.2), a bare CR
/// (§2.2), NUL and other controls in a field value (RFC 9110 §5.5), whitespace between a field
/// name and its colon (§5.1), a malformed request line (§3).
fn parse_head(buf: &[u8]) -> Result<Option<(Request, Option<u64>, usize)>, ReadError> {
    let mut fields = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut parsed = httparse::Request::new(&mut fields);
    let used = match parsed.parse(buf) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(httparse::Error::TooManyHeaders) => {
            return Err(ReadError::Respond(Response::error(
                431,
                "header_too_large",
                "too many header fields",
            )))
        }
        Err(e) => return Err(bad(format!("malformed request head: {e}"))),
    };
    let headers: Vec<(String, String)> = parsed
        .headers
        .iter()
        .map(|h| {
            let value = String::from_utf8_lossy(h.value).trim().to_string();
            (h.name.to_ascii_lowercase(), value)
        })
        .collect();
    check_single_fields(&headers)?;
    let method = parsed.method.unwrap_or_default().to_string();
    let target = parsed.path.unwrap_or_default();
    let (authority, target) = split_target(target, &headers)?;
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p, parse_query(q)),
        None => (target, Vec::new()),
    };
    let length = content_length(&headers)?;
    let req = Request {
        method,
        path: path.to_string(),
        query,
        authority,
        headers,
        body: Vec::new(),
    };
    Ok(Some((req, length, used)))
}

/// RFC 9112 §3.2: exactly one Host; RFC 9110 §8.6 and RFC 9112 §6.3: one Content-Length;
/// RFC 6454 §7.3: one Origin; and one Transfer-Encoding. Anything else is 400.
fn check_single_fields(headers: &[(String, String)]) -> Result<(), ReadError> {
    for name in SINGLE_FIELDS {
        if headers.iter().filter(|(n, _)| n == name).count() > 1 {
            return Err(bad(format!("more than one {name} header field")));
        }
    }
    if !headers.iter().any(|(n, _)| n == "host") {
        return Err(bad("a Host header field is required (RFC 9112 §3.2)"));
    }
    Ok(())
}

/// The target's authority and its origin-form. Origin-form (`/path?query`) takes the
/// authority from Host; absolute-form (`http://host/path`, RFC 9112 §3.2.2) from the target,
/// Host then being ignored. Other forms are refused.
fn split_target<'a>(
    target: &'a str,
    headers: &[(String, String)],
) -> Result<(String, &'a str), ReadError> {
    if target.starts_with('/') {
        let host = headers.iter().find(|(n, _)| n == "host");
        return Ok((host.map(|(_, v)| v.clone()).unwrap_or_default(), target));
    }
    let lower = target.get(..7).map(str::to_ascii_lowercase);
    if lower.as_deref() == Some("http://") {
        let rest = &target[7..];
        let end = rest.find(['/', '?']).unwrap_or(rest.len());
        let path = &rest[end..];
        if path.starts_with('?') {
            return Err(bad("malformed request target"));
        }
        return Ok((
            rest[..end].to_string(),
            if path.is_empty() { "/" } else { path },
        ));
    }
    Err(bad(
        "the request target must be a path (origin-form, RFC 9112 §3.2.1)",
    ))
}

/// Content-Length = 1*DIGIT (RFC 9110 §8.6); a Transfer-Encoding is answered 411 (no
/// chunked request bodies here).
fn content_length(headers: &[(String, String)]) -> Result<Option<u64>, ReadError> {
    if headers.iter().any(|(n, _)| n == "transfer-encoding") {
        return Err(ReadError::Respond(Response::error(
            411,
            "length_required",
            "send the body with a Content-Length (chunked bodies are not accepted)",
        )));
    }
    let Some((_, v)) = headers.iter().find(|(n, _)| n == "content-length") else {
        return Ok(None);
    };
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad("invalid Content-Length"));
    }
    v.parse::<u64>()
        .map(Some)
        .map_err(|_| bad("invalid Content-Length"))
}

/// Reads the body the head announced, all of it before `deadline`. `Expect: 100-continue`
/// is honoured (RFC 9110 §10.1.1).
pub fn read_body(
    stream: &TcpStream,
    head: Head,
    deadline: Instant,
    max_body: u64,
) -> Result<Request, ReadError> {
    let Head {
        mut req,
        length,
        rest,
    } = head;
    let length = length.unwrap_or(0);
    if length > max_body {
        return Err(ReadError::Respond(Response::error(
            413,
            "payload_too_large",
            format!("the body is larger than the limit of {max_body} bytes"),
        )));
    }
    if length > rest.len() as u64
        && req
            .header("expect")
            .is_some_and(|e| e.eq_ignore_ascii_case("100-continue"))
    {
        let mut w = DeadlineWriter::new(stream, deadline).map_err(|_| ReadError::Gone)?;
        w.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
            .map_err(|_| ReadError::Gone)?;
    }
    let mut body = rest;
    // Bytes past the body are a pipelined request: not served (Connection: close).
    body.truncate(length as usize);
    body.reserve_exact(length as usize - body.len());
    let reader = DeadlineReader::new(stream, deadline).map_err(|_| ReadError::Gone)?;
    let missing = length - body.len() as u64;
    reader.take(missing).read_to_end(&mut body).map_err(|e| {
        if is_timeout(&e) {
            timed_out("body")
        } else {
            ReadError::Gone
        }
    })?;
    if (body.len() as u64) < length {
        return Err(bad("the body is shorter than its Content-Length"));
    }
    req.body = body;
    Ok(req)
}

/// `a=1&b=x%20y` → pairs, percent- and plus-decoded (UTF-8, lossy).
pub fn parse_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(v) => {
                        out.push(v);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_decoding() {
        assert_eq!(
            parse_query("reason=K%C3%BD+duy%E1%BB%87t&lang=en&x"),
            vec![
                ("reason".into(), "Ký duyệt".into()),
                ("lang".into(), "en".into()),
                ("x".into(), "".into())
            ]
        );
        assert_eq!(decode("100%"), "100%");
        assert_eq!(decode("%zz%4"), "%zz%4");
    }

    #[test]
    fn answer_deadlines() {
        let now = Instant::now();
        let far = now + Duration::from_secs(60);
        // Small answers: the slack; 1 MiB: 16 s more at 64 KiB/s.
        assert_eq!(answer_deadline(10, now, far), now + ANSWER_SLACK);
        assert_eq!(
            answer_deadline(1 << 20, now, far),
            now + ANSWER_SLACK + Duration::from_secs(16)
        );
        // Never past the connection's deadline, but an answer at the deadline gets the slack.
        assert_eq!(answer_deadline(50 << 20, now, far), far);
        assert_eq!(answer_deadline(10, now, now), now + ANSWER_SLACK);
    }

    /// A client that never reads: the writer gives up at its deadline.
    #[test]
    fn slow_reader_cut_off() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        let started = Instant::now();
        let mut w = DeadlineWriter::new(&server, started + Duration::from_millis(300)).unwrap();
        let err = w.write_all(&vec![0u8; 256 << 20]).unwrap_err();
        assert!(is_timeout(&err), "{err}");
        assert!(started.elapsed() < Duration::from_secs(2));
        drop(client);
    }

    fn parse(raw: &str) -> Result<Option<(Request, Option<u64>, usize)>, ReadError> {
        parse_head(raw.as_bytes())
    }

    fn status(r: Result<Option<(Request, Option<u64>, usize)>, ReadError>) -> u16 {
        match r {
            Ok(Some(_)) => 200,
            Ok(None) => 0,
            Err(ReadError::Respond(resp)) => resp.status,
            Err(ReadError::Gone) => 1,
        }
    }

    #[test]
    fn strict_heads() {
        let Ok(Some((req, len, used))) =
            parse("\r\nPOST http://a:1/v1/verify?x=1 HTTP/1.1\r\nHost: b\r\nContent-Length: 007\r\n\r\nbody")
        else {
            panic!("not parsed");
        };
        assert_eq!(
            (req.authority.as_str(), req.path.as_str(), len),
            ("a:1", "/v1/verify", Some(7))
        );
        assert_eq!(req.param("x"), Some("1"));
        assert_eq!(used, 74, "the body starts after the blank line");
        assert_eq!(status(parse("GET / HTTP/1.1\r\nHost: a\r\n")), 0);
        for bad in [
            "GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n",
            "GET / HTTP/1.1\r\nHost : a\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1e3\r\n\r\n",
            "GET https://a/ HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET * HTTP/1.1\r\nHost: a\r\n\r\n",
        ] {
            assert_eq!(status(parse(bad)), 400, "{bad:?}");
        }
        assert_eq!(
            status(parse(
                "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
            )),
            411
        );
    }
}
