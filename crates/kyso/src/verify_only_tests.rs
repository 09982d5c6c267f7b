//! The verify-only build (`--no-default-features`): verification is complete offline and fails
//! closed where the network or the renderer would be needed (README, "Using the library").

use crate::pki::Certificate;
use crate::sign::{load_p12, sign_bytes, SignOptions};
use crate::verify::{verify_bytes, Indication, VerifyOptions};
use crate::visual::VisualStatus;

fn read(rel: &str) -> Vec<u8> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn signed(pdf: &[u8], p12: &str, pass: &str) -> Vec<u8> {
    let identity = load_p12(&read(&format!("pki/{p12}")), pass).unwrap();
    sign_bytes(pdf, &identity, &SignOptions::default())
        .unwrap()
        .0
}

fn options(crls: bool) -> VerifyOptions {
    VerifyOptions {
        trust: Certificate::parse_pem_or_der(&read("pki/root.pem")).unwrap(),
        crls: if crls {
            vec![read("pki/intermediate.crl"), read("pki/root.crl")]
        } else {
            Vec::new()
        },
        // Asked for, but there is no network in this build.
        online: true,
        ..VerifyOptions::default()
    }
}

#[cfg(not(feature = "net"))]
#[test]
fn without_net_revocation_comes_from_the_caller_or_is_indeterminate() {
    let pdf = signed(&read("docs/congvan.pdf"), "leader.p12", "12345678");
    let with_crls = verify_bytes(&pdf, &options(true)).unwrap();
    assert_eq!(with_crls.signatures.len(), 1);
    assert_eq!(
        with_crls.signatures[0].indication,
        Indication::TotalPassed,
        "{:?}",
        with_crls.signatures[0].kyso_reason
    );
    let without = verify_bytes(&pdf, &options(false)).unwrap();
    assert_eq!(without.signatures[0].indication, Indication::Indeterminate);
    assert!(without.contacted.is_empty(), "{:?}", without.contacted);
    // The reason is revocation, as with `kyso verify --offline`.
    assert_eq!(
        without.signatures[0].kyso_reason.as_deref(),
        Some("SIGNER_REVOCATION_UNKNOWN")
    );
}

#[cfg(not(feature = "visual"))]
#[test]
fn without_visual_the_check_is_off_and_asking_for_it_is_indeterminate() {
    assert!(!VerifyOptions::default().visual.enabled);
    // A later signature makes a revision after the first one: the check would run.
    let pdf = signed(
        &signed(&read("docs/congvan.pdf"), "leader.p12", "12345678"),
        "agency.p12",
        "",
    );
    let report = verify_bytes(&pdf, &options(true)).unwrap();
    assert!(report.signatures[0].visual.is_none());
    let mut opts = options(true);
    opts.visual.enabled = true;
    let report = verify_bytes(&pdf, &opts).unwrap();
    let first = &report.signatures[0];
    assert_eq!(first.indication, Indication::Indeterminate);
    let visual = first.visual.as_ref().expect("the check was asked for");
    assert_eq!(visual.status, VisualStatus::Error);
    assert!(visual.error.as_deref().unwrap_or("").contains("visual"));
}

#[cfg(not(feature = "appearance"))]
#[test]
fn without_appearance_a_visible_signature_is_refused_and_an_invisible_one_verifies() {
    use crate::appearance::{AppearanceRequest, Role};
    let pdf = read("docs/congvan.pdf");
    let identity = load_p12(&read("pki/leader.p12"), "12345678").unwrap();
    let image = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/images/signature-blue.png");
    // A picture (leader) and text only (copy): both need this build's missing part.
    for (role, image) in [(Role::Leader, Some(image)), (Role::Copy, None)] {
        let opts = SignOptions {
            appearance: Some(AppearanceRequest {
                role,
                image,
                ..AppearanceRequest::default()
            }),
            ..SignOptions::default()
        };
        let e = sign_bytes(&pdf, &identity, &opts).unwrap_err();
        assert!(
            matches!(&e, crate::Error::InvalidArgument(m) if m.contains("`appearance`")),
            "{role:?}: {e}"
        );
    }
    // Invisible: signed, and the Decree 30 checks (page text through layout/) still run.
    let signed = sign_bytes(&pdf, &identity, &SignOptions::default())
        .unwrap()
        .0;
    let report = verify_bytes(&signed, &options(true)).unwrap();
    assert_eq!(report.signatures.len(), 1);
    assert_eq!(
        report.signatures[0].indication,
        Indication::TotalPassed,
        "{:?}",
        report.signatures[0].kyso_reason
    );
    // The kind of document is read from its first page's text.
    assert!(report.decree30.kind.is_some(), "{:?}", report.decree30);
    assert!(!report.decree30.points.is_empty());
}
