//! A minimal HTTP/1.1 server side (RFC 9112): one request per connection (`Connection: close`),
//! bodies by Content-Length only, limits on the header and body sizes. Enough for a loopback
//! service; no keep-alive, no chunked request bodies (answered 411).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Instant;

/// Longest request line plus headers accepted (bytes).
const MAX_HEAD: usize = 16 * 1024;

pub struct Request {
    pub method: String,
    /// The path without the query.
    pub path: String,
    /// Decoded query parameters, in order.
    pub query: Vec<(String, String)>,
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

    /// `{"error": message, "code": code, "status": status}`.
    pub fn error(status: u16, code: &str, message: impl std::fmt::Display) -> Response {
        Response::json(
            status,
            &serde_json::json!({ "error": message.to_string(), "code": code, "status": status }),
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
    /// Refused on its head: method, path and the answer.
    Refused(String, String, Response),
    Gone,
}

/// What to check once the head is read, before the body is: the answer when the request must
/// be refused without reading its body (Origin, size, route).
pub type HeadCheck<'a> = &'a dyn Fn(&Request, Option<u64>) -> Option<Response>;

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

/// Reads one request, all of it before `deadline`. `check` sees the head (body still empty)
/// and the announced length; an answer from it is sent without reading the body.
/// `Expect: 100-continue` is honoured.
pub fn read_request(
    stream: &mut TcpStream,
    deadline: Instant,
    max_body: u64,
    check: HeadCheck,
) -> Result<Request, ReadError> {
    let mut reader =
        BufReader::new(DeadlineReader::new(stream, deadline).map_err(|_| ReadError::Gone)?);
    let mut lines = Vec::new();
    let mut total = 0;
    loop {
        let mut line = Vec::new();
        let n = (&mut reader)
            .take((MAX_HEAD - total + 1) as u64)
            .read_until(b'\n', &mut line)
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => {
                    ReadError::Respond(Response::error(
                        408,
                        "timeout",
                        "the request was not received in time",
                    ))
                }
                _ => ReadError::Gone,
            })?;
        if n == 0 {
            return Err(ReadError::Gone);
        }
        total += n;
        if total > MAX_HEAD {
            return Err(ReadError::Respond(Response::error(
                431,
                "header_too_large",
                "request headers too large",
            )));
        }
        let text = String::from_utf8_lossy(&line)
            .trim_end_matches(['\r', '\n'])
            .to_string();
        if text.is_empty() {
            if lines.is_empty() {
                continue; // RFC 9112 §2.2: ignore empty lines before the request line.
            }
            break;
        }
        lines.push(text);
    }
    let bad = |m: &str| ReadError::Respond(Response::error(400, "bad_request", m));
    let mut parts = lines[0].split(' ');
    let (Some(method), Some(target), Some(version)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(bad("malformed request line"));
    };
    if !version.starts_with("HTTP/1.") {
        return Err(bad("only HTTP/1.x is spoken here"));
    }
    let mut headers = Vec::new();
    for l in &lines[1..] {
        let Some((n, v)) = l.split_once(':') else {
            return Err(bad("malformed header line"));
        };
        headers.push((n.trim().to_ascii_lowercase(), v.trim().to_string()));
    }
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p, parse_query(q)),
        None => (target, Vec::new()),
    };
    let mut req = Request {
        method: method.to_string(),
        path: path.to_string(),
        query,
        headers,
        body: Vec::new(),
    };
    if req
        .header("transfer-encoding")
        .is_some_and(|t| !t.eq_ignore_ascii_case("identity"))
    {
        return Err(ReadError::Respond(Response::error(
            411,
            "length_required",
            "send the body with a Content-Length (chunked bodies are not accepted)",
        )));
    }
    let length = match req.header("content-length") {
        None => None,
        Some(v) => match v.parse::<u64>() {
            Ok(n) => Some(n),
            Err(_) => return Err(bad("invalid Content-Length")),
        },
    };
    if let Some(resp) = check(&req, length) {
        return Err(ReadError::Refused(req.method, req.path, resp));
    }
    let length = length.unwrap_or(0);
    if length > max_body {
        return Err(ReadError::Refused(
            req.method,
            req.path,
            Response::error(
                413,
                "payload_too_large",
                format!("the body is larger than the limit of {max_body} bytes"),
            ),
        ));
    }
    if length > 0
        && req
            .header("expect")
            .is_some_and(|e| e.eq_ignore_ascii_case("100-continue"))
    {
        stream
            .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
            .map_err(|_| ReadError::Gone)?;
    }
    let mut body = Vec::with_capacity(length.min(max_body) as usize);
    (&mut reader)
        .take(length)
        .read_to_end(&mut body)
        .map_err(|_| {
            ReadError::Respond(Response::error(
                408,
                "timeout",
                "the body was not received in time",
            ))
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
}
