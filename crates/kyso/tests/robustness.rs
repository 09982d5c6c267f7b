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

/// Builds a one-revision PDF with a classic xref from object bodies (object i+1 = bodies[i]).
fn build_pdf(bodies: &[Vec<u8>], root: u32) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in bodies.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f\r\n", bodies.len() + 1).as_bytes(),
    );
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n\r\n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root {root} 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            bodies.len() + 1
        )
        .as_bytes(),
    );
    out
}

fn quick(bytes: &[u8], what: &str) -> Result<kyso::verify::Report, kyso::Error> {
    let t = Instant::now();
    let r = verify_bytes(bytes, &VerifyOptions::default());
    assert!(
        t.elapsed() < Duration::from_millis(900),
        "{what} took {:?}",
        t.elapsed()
    );
    r
}

#[test]
fn cyclic_structures_finish_fast() {
    // A page tree whose kid is its own parent, and an AcroForm whose field is its own kid.
    let cyclic_pages = build_pdf(
        &[
            b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [3 0 R] >> >>".to_vec(),
            b"<< /Type /Pages /Kids [2 0 R] /Count 1 >>".to_vec(),
            b"<< /FT /Sig /T (a) /Kids [3 0 R] >>".to_vec(),
        ],
        1,
    );
    let r = quick(&cyclic_pages, "cyclic page tree");
    assert!(r.is_err() || r.unwrap().signatures.is_empty());
    // A reference chain that loops: 4 -> 5 -> 4.
    let cyclic_refs = build_pdf(
        &[
            b"<< /Type /Catalog /Pages 2 0 R /AcroForm 4 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
            b"<< /Type /Page /Parent 2 0 R >>".to_vec(),
            b"5 0 R".to_vec(),
            b"4 0 R".to_vec(),
        ],
        1,
    );
    let r = quick(&cyclic_refs, "cyclic references");
    assert!(r.is_err() || r.unwrap().signatures.is_empty());
}

#[test]
fn huge_lengths_and_bombs_are_refused_fast() {
    // A stream claiming 2^60 bytes.
    let huge = build_pdf(
        &[
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
            b"<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>".to_vec(),
            b"<< /Length 1152921504606846976 >>\nstream\nabc\nendstream".to_vec(),
        ],
        1,
    );
    let doc = kyso::pdf::Document::open(std::sync::Arc::new(kyso::pdf::MemorySource::new(
        huge.clone(),
    )))
    .unwrap();
    assert!(doc.get(kyso::pdf::ObjRef::new(4, 0)).is_err());
    let _ = quick(&huge, "huge /Length");

    // An object stream that inflates to far more than the file could hold.
    use std::io::Write;
    let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(&vec![b' '; 64 << 20]).unwrap();
    let bomb = enc.finish().unwrap();
    let mut body = format!(
        "<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length {} >>\nstream\n",
        bomb.len()
    )
    .into_bytes();
    body.extend_from_slice(&bomb);
    body.extend_from_slice(b"\nendstream");
    let mut pdf = build_pdf(
        &[
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [] /Count 0 >>".to_vec(),
            body,
        ],
        1,
    );
    // Point an extra revision's object 4 into the bomb stream (xref stream, type 2 entry).
    let prev = pdf.windows(9).rposition(|w| w == b"startxref").unwrap();
    let prev_off: usize = String::from_utf8_lossy(&pdf[prev + 10..])
        .lines()
        .next()
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let xref_at = pdf.len();
    let rows: Vec<u8> = [vec![2u8, 0, 0, 0, 3, 0, 0], vec![1u8, 0, 0, 0, 0, 0, 0]].concat();
    let mut rows_fixed = rows.clone();
    rows_fixed[8..12].copy_from_slice(&(xref_at as u32).to_be_bytes());
    pdf.extend_from_slice(
        format!(
            "5 0 obj\n<< /Type /XRef /Size 6 /Root 1 0 R /Prev {prev_off} /W [1 4 2] /Index [4 2] /Length {} >>\nstream\n",
            rows_fixed.len()
        )
        .as_bytes(),
    );
    pdf.extend_from_slice(&rows_fixed);
    pdf.extend_from_slice(format!("\nendstream\nendobj\nstartxref\n{xref_at}\n%%EOF\n").as_bytes());
    let doc = kyso::pdf::Document::open(std::sync::Arc::new(kyso::pdf::MemorySource::new(
        pdf.clone(),
    )))
    .unwrap();
    let t = Instant::now();
    let r = doc.get(kyso::pdf::ObjRef::new(4, 0));
    assert!(r.is_err(), "the bomb must be refused");
    assert!(
        t.elapsed() < Duration::from_millis(900),
        "bomb took {:?}",
        t.elapsed()
    );
}

/// Found by fuzzing (verify target): an update whose xref entry points just before the update's
/// first byte made the "objects without xref" scan underflow.
#[test]
fn xref_entry_before_the_update_does_not_panic() {
    let base = build_pdf(
        &[
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
            b"<< /Type /Page /Parent 2 0 R >>".to_vec(),
        ],
        1,
    );
    let start = base.len();
    let prev = base.windows(9).rposition(|w| w == b"startxref").unwrap();
    let prev_off: String = String::from_utf8_lossy(&base[prev + 10..])
        .lines()
        .next()
        .unwrap()
        .trim()
        .to_string();
    let mut pdf = base.clone();
    pdf.extend_from_slice(b"4 0 obj\n(x)\nendobj\n");
    let xref = pdf.len();
    // Object 4's entry points two bytes before the update (inside the previous %%EOF line).
    pdf.extend_from_slice(
        format!(
            "xref\n4 1\n{:010} 00000 n\r\ntrailer\n<< /Size 5 /Root 1 0 R /Prev {prev_off} >>\nstartxref\n{xref}\n%%EOF\n",
            start - 2
        )
        .as_bytes(),
    );
    let doc =
        kyso::pdf::Document::open(std::sync::Arc::new(kyso::pdf::MemorySource::new(pdf))).unwrap();
    assert_eq!(doc.revisions.len(), 2);
    let mut analyser = kyso::diff::Analyser::new(&doc);
    let changes = analyser
        .changes_after(0, &kyso::diff::Permissions::default())
        .unwrap();
    assert!(
        changes
            .iter()
            .any(|c| c.kind == kyso::diff::ChangeKind::ObjectWithoutXref),
        "{changes:?}"
    );
}
