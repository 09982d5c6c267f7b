//! `kyso serve` for the tests: started on 127.0.0.1 with a port the system picks, waited for
//! (bounded), killed on drop; and a small HTTP/1.1 client for its answers.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// How long `kyso serve` may take to print its address.
const READY_LIMIT: Duration = Duration::from_secs(60);

/// A running `kyso serve`, stopped when dropped.
pub struct Serve {
    pub child: Child,
    /// `127.0.0.1:PORT`.
    pub addr: String,
}

impl Serve {
    /// Runs `cmd serve --listen 127.0.0.1:0 ARGS` (`cmd` carries the environment: KYSO_PIN,
    /// locale, ...), its stderr into `log` (or nowhere), and waits (60 s at most) for the first
    /// line it prints, `kyso serve: http://ADDR/`.
    pub fn spawn<I, S>(mut cmd: Command, args: I, log: Option<&Path>) -> Serve
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let stderr = match log {
            Some(p) => Stdio::from(std::fs::File::create(p).unwrap()),
            None => Stdio::null(),
        };
        let mut child = cmd
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("start kyso serve");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let read = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(read.map(|_| line));
        });
        let line = match rx.recv_timeout(READY_LIMIT) {
            Ok(Ok(line)) => line,
            other => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("kyso serve printed no address within {READY_LIMIT:?}: {other:?}");
            }
        };
        let addr = line
            .trim()
            .strip_prefix("kyso serve: http://")
            .and_then(|a| a.strip_suffix('/'))
            .map(str::to_string);
        let mut serve = Serve {
            child,
            addr: String::new(),
        };
        match addr {
            Some(a) => serve.addr = a,
            // (`serve` drops here: the child is killed.)
            None => panic!("unexpected first line {line:?}"),
        }
        serve
    }

    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    pub fn port(&self) -> &str {
        self.addr.rsplit_once(':').unwrap().1
    }

    /// One request; `headers` are added after Host. Returns (status, headers, body).
    pub fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> (u16, Vec<(String, String)>, Vec<u8>) {
        request_to(&self.addr, method, path, headers, body)
    }

    /// Sends `raw` as it is (a whole request) and reads the answer.
    pub fn raw(&self, raw: &[u8]) -> (u16, Vec<(String, String)>, Vec<u8>) {
        let mut s = TcpStream::connect(&self.addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        s.write_all(raw).unwrap();
        read_response(&mut s)
    }

    /// A request whose answer must be JSON: (status, JSON).
    pub fn json(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> (u16, serde_json::Value) {
        let (status, h, body) = self.request(method, path, headers, body);
        let ct = header(&h, "content-type").unwrap_or_default();
        assert!(ct.starts_with("application/json"), "{status} {ct}");
        (status, serde_json::from_slice(&body).unwrap())
    }

    /// POST `path` with `body` of `content_type` (connection closed after): (status, body).
    pub fn post_as(&self, path: &str, content_type: &str, body: &[u8]) -> (u16, Vec<u8>) {
        let headers = [("Content-Type", content_type), ("Connection", "close")];
        let (status, _, body) = self.request("POST", path, &headers, body);
        (status, body)
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One request to the service at `addr`; `headers` are added after Host (and a Content-Length
/// for a POST or a body, unless given).
pub fn request_to(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut head = format!("{method} {path} HTTP/1.1\r\n");
    if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
        head.push_str(&format!("Host: {addr}\r\n"));
    }
    for (n, v) in headers {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    if !headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        && (method == "POST" || !body.is_empty())
    {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    read_response(&mut s)
}

/// Reads an answer to its end: (status, headers with lower-case names, body); the body's
/// length must be its Content-Length.
pub fn read_response(s: &mut TcpStream) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("end of the head");
    let head = String::from_utf8(raw[..end].to_vec()).unwrap();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .map(|l| {
            let (n, v) = l.split_once(':').unwrap();
            (n.trim().to_ascii_lowercase(), v.trim().to_string())
        })
        .collect();
    let body = raw[end + 4..].to_vec();
    if let Some(len) = header(&headers, "content-length") {
        assert_eq!(body.len(), len.parse::<usize>().unwrap());
    }
    (status, headers, body)
}

/// The value of header `name` (lower case).
pub fn header(h: &[(String, String)], name: &str) -> Option<String> {
    h.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone())
}
