//! Hostile input: damaged copies of real signed files must give an error or a report — never a
//! panic, a hang or an unbounded allocation.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use kyso::verify::{verify_bytes, VerifyOptions};

fn fixture(rel: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(rel);
    std::fs::read(p).unwrap()
}

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn check(bytes: &[u8], what: &str) {
    let t = Instant::now();
    let result = std::panic::catch_unwind(|| verify_bytes(bytes, &VerifyOptions::default()));
    assert!(result.is_ok(), "panic on {what}");
    assert!(t.elapsed() < Duration::from_secs(2), "too slow on {what}");
}

#[test]
fn mutated_signed_files_never_panic() {
    let original = fixture("docs/congvan-signed-pyhanko.pdf");
    let mut rng = Rng(0x6b79_736f);
    // Structural bytes are where parsers break: aim at the tail (xref, trailer) and the
    // signature dictionary as often as at random places.
    let tail_start = original.len().saturating_sub(4096);
    for i in 0..300 {
        let mut bytes = original.clone();
        let edits = 1 + rng.below(8);
        for _ in 0..edits {
            let at = if i % 2 == 0 {
                tail_start + rng.below(original.len() - tail_start)
            } else {
                rng.below(original.len())
            };
            let choice = rng.below(4);
            let value = match choice {
                0 => b"0123456789"[rng.below(10)],
                1 => b"<>[]()/ R\n"[rng.below(10)],
                _ => rng.next() as u8,
            };
            bytes[at] = value;
        }
        check(&bytes, &format!("mutation {i}"));
    }
}

#[test]
fn truncated_files_never_panic() {
    let original = fixture("docs/congvan-signed-pyhanko.pdf");
    let mut cut = original.len();
    while cut > 0 {
        check(&original[..cut], &format!("truncation at {cut}"));
        cut = cut * 9 / 10;
    }
    // Every cut in the last 2 KiB, where the structure lives.
    for cut in original.len().saturating_sub(2048)..original.len() {
        check(&original[..cut], &format!("truncation at {cut}"));
    }
}

#[test]
fn structural_nonsense_is_an_error() {
    for (what, bytes) in [
        ("empty", b"".to_vec()),
        ("header only", b"%PDF-1.7\n".to_vec()),
        ("startxref past the end", b"%PDF-1.7\nstartxref\n999999\n%%EOF\n".to_vec()),
        ("startxref loops", b"%PDF-1.7\nxref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size 1 /Prev 9 >>\nstartxref\n9\n%%EOF\n".to_vec()),
        ("deep nesting", [b"%PDF-1.7\n1 0 obj\n".to_vec(), vec![b'['; 100_000]].concat()),
    ] {
        let r = verify_bytes(&bytes, &VerifyOptions::default());
        assert!(r.is_err(), "{what}: expected an error");
    }
}
