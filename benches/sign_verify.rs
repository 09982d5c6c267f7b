//! Criterion benches: sign and verify a 1-page and a 100-page document, in memory; verify the
//! 12-page letter signed by the leader then sealed, with and without the visual check.
//! `cargo bench -p kyso` (see also benches/compare.sh for kyso vs pyHanko end to end).

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion};
use kyso::appearance::{AppearanceRequest, Role};
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
    let mut opts = VerifyOptions::default();
    opts.trust = Certificate::parse_pem_or_der(&root).unwrap();
    opts.crls = vec![
        std::fs::read(fixtures().join("pki/intermediate.crl")).unwrap(),
        std::fs::read(fixtures().join("pki/root.crl")).unwrap(),
    ];
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

/// Issue 14: the 12-page letter, leader (signature picture) then seal, verified with the visual
/// check (default) and without it.
fn bench_visual(c: &mut Criterion) {
    let read = |rel: &str| std::fs::read(fixtures().join(rel)).unwrap();
    let leader = load_p12(&read("pki/leader.p12"), "12345678").unwrap();
    let agency = load_p12(&read("pki/agency.p12"), "").unwrap();
    let with = |role, image: &str| {
        let mut appearance = AppearanceRequest::default();
        appearance.role = role;
        appearance.image = Some(fixtures().join(image));
        let mut opts = SignOptions::default();
        opts.appearance = Some(appearance);
        opts
    };
    let pdf = read("docs/letter-12pages.pdf");
    let (signed, _) = sign_bytes(
        &pdf,
        &leader,
        &with(Role::Leader, "images/signature-blue.png"),
    )
    .unwrap();
    let (both, _) = sign_bytes(
        &signed,
        &agency,
        &with(Role::Organization, "images/seal-red.png"),
    )
    .unwrap();
    let mut opts = VerifyOptions::default();
    opts.trust = Certificate::parse_pem_or_der(&read("pki/root.pem")).unwrap();
    opts.crls = vec![read("pki/intermediate.crl"), read("pki/root.crl")];
    // What the shortcut saves: all 12 pages of both versions drawn at the check's 36 dpi and
    // compared (the cost per page that sets the default page budget).
    c.bench_function(
        "draw and compare 12 pages twice at 36 dpi (no shortcut)",
        |b| {
            use kyso::visual::{compare::compare, render::Renderer, DEFAULT_DPI};
            b.iter(|| {
                let old = Renderer::open(signed.clone()).unwrap();
                let new = Renderer::open(both.clone()).unwrap();
                let pages: Vec<usize> = (0..12).collect();
                let a = old.render(&pages, DEFAULT_DPI);
                let z = new.render(&pages, DEFAULT_DPI);
                for (x, y) in a.iter().zip(&z) {
                    let _ = compare(x.as_ref().unwrap(), y.as_ref().unwrap(), &[]);
                }
            })
        },
    );
    for (name, visual) in [("visual check", true), ("no visual check", false)] {
        opts.visual.enabled = visual;
        c.bench_function(
            &format!("verify 12-page letter, leader+seal, {name}"),
            |b| {
                b.iter(|| {
                    let r = verify_bytes(&both, &opts).unwrap();
                    assert_eq!(r.exit_code(), 0);
                    assert_eq!(r.signatures[0].visual.is_some(), visual);
                })
            },
        );
    }
}

criterion_group!(benches, bench, bench_visual);
criterion_main!(benches);
