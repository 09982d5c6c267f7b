//! HTTPS through rustls: a real TLS server on 127.0.0.1 (`openssl s_server`) whose certificate
//! no public root vouches for must be refused — the handshake happens and verification holds.

use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use kyso::request::{HttpClient, UreqClient};

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn untrusted_https_server_is_refused() {
    let have = Command::new("sh")
        .args(["-c", "command -v openssl"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !have {
        assert_ne!(
            std::env::var("KYSO_REQUIRE_TOOLS").as_deref(),
            Ok("1"),
            "openssl is required"
        );
        eprintln!("SKIP: openssl not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ok = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        ])
        .args([
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ])
        .args(["-keyout", "k.pem", "-out", "c.pem"])
        .current_dir(d)
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let _server = Server(
        Command::new("openssl")
            .args(["s_server", "-accept", &format!("127.0.0.1:{port}")])
            .args(["-cert", "c.pem", "-key", "k.pem", "-www", "-quiet"])
            .current_dir(d)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let t = Instant::now();
    while TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_err() {
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "s_server did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let client = UreqClient::with_limits(Duration::from_secs(5), 1 << 20).without_proxy();
    let err = client
        .get(&format!("https://127.0.0.1:{port}/"))
        .expect_err("a self-signed server certificate must not be trusted")
        .to_string()
        .to_lowercase();
    eprintln!("refused as expected: {err}");
    assert!(err.contains("certificate"), "{err}");
}
