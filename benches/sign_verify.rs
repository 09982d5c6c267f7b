//! Criterion benches: sign and verify a 1-page and a 100-page document, in memory.
//! `cargo bench -p kyso` (see also benches/compare.sh for kyso vs pyHanko end to end).

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion};
use kyso::pki::Certificate;
use kyso::sign::{load_p12, sign_bytes, SignOptions};
use kyso::verify::{verify_bytes, VerifyOptions};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

fn bench(c: &mut Criterion) {
    let key = std::fs::read(fixtures().join("pki/agency.p12")).unwrap();
    let identity = load_p12(&key, "").unwrap();
    let root = std::fs::read(fixtures().join("pki/root.pem")).unwrap();
    let opts = VerifyOptions {
        trust: Certificate::parse_pem_or_der(&root).unwrap(),
        crls: vec![
            std::fs::read(fixtures().join("pki/intermediate.crl")).unwrap(),
            std::fs::read(fixtures().join("pki/root.crl")).unwrap(),
        ],
        ..VerifyOptions::default()
    };
    for (name, file) in [
        ("1 page", "docs/congvan.pdf"),
        ("100 pages", "docs/baocao-100pages.pdf"),
    ] {
        let pdf = std::fs::read(fixtures().join(file)).unwrap();
        c.bench_function(&format!("sign {name}"), |b| {
            b.iter(|| sign_bytes(&pdf, &identity, &SignOptions::default()).unwrap())
        });
        let (signed, _) = sign_bytes(&pdf, &identity, &SignOptions::default()).unwrap();
        c.bench_function(&format!("verify {name}"), |b| {
            b.iter(|| {
                let r = verify_bytes(&signed, &opts).unwrap();
                assert_eq!(r.exit_code(), 0);
            })
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
