use super::*;
use crate::pki::testutil::{openssl, standard_chain, Issued, Key, Pki};

#[test]
fn standard_chain_validates() {
    let pki = Pki::new();
    let (root, int, leaf) = standard_chain(&pki, Key::P256);
    let anchors = [root.cert.clone()];
    let inters = [int.cert.clone()];
    let mut inputs = ValidationInputs::new(&anchors, OffsetDateTime::now_utc());
    inputs.intermediates = &inters;
    inputs.end_entity_usage = EndEntityUsage::Signing;
    let v = validate_path(&leaf.cert, &inputs).unwrap();
    assert_eq!(v.certificates.len(), 3);
    assert_eq!(v.revocation[0], RevocationStatus::NotChecked);
    assert_eq!(v.revocation[2], RevocationStatus::TrustAnchor);

    inputs.revocation = RevocationMode::Required;
    assert!(matches!(
        validate_path(&leaf.cert, &inputs),
        Err(PathError::RevocationUnknown { index: 1, .. })
    ));

    inputs.revocation = RevocationMode::Off;
    inputs.time = OffsetDateTime::now_utc() + time::Duration::days(4000);
    assert!(matches!(
        validate_path(&leaf.cert, &inputs),
        Err(PathError::Expired { .. })
    ));
    inputs.time = OffsetDateTime::now_utc();
    inputs.intermediates = &[];
    assert_eq!(
        validate_path(&leaf.cert, &inputs).unwrap_err(),
        PathError::NoPathToTrustAnchor
    );
}

/// A CRL of `issuer` (a P-384 key) with thisUpdate `this_update` and no nextUpdate,
/// signed with openssl.
fn crl_without_next_update(pki: &Pki, issuer: &Issued, this_update: OffsetDateTime) -> Crl {
    crl_signed(pki, issuer, this_update, false)
}

/// As [`crl_without_next_update`], signed with ECDSA/SHA-384 or (`rsa`) RSA/SHA-256.
fn crl_signed(pki: &Pki, issuer: &Issued, this_update: OffsetDateTime, rsa: bool) -> Crl {
    crl_signed_with(pki, issuer, this_update, rsa, &[])
}

/// As [`crl_signed`], with `rest` (revokedCertificates, [0] crlExtensions) after thisUpdate.
fn crl_signed_with(
    pki: &Pki,
    issuer: &Issued,
    this_update: OffsetDateTime,
    rsa: bool,
    rest: &[&[u8]],
) -> Crl {
    use crate::asn1::writer as w;
    let t = this_update.to_offset(time::UtcOffset::UTC);
    let gt = format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    );
    let alg = if rsa {
        w::sequence(&[&w::oid("1.2.840.113549.1.1.11").unwrap(), &w::null()])
    } else {
        w::sequence(&[&w::oid("1.2.840.10045.4.3.3").unwrap()])
    };
    let (version, this) = (w::integer_u64(1), w::tlv(0x18, gt.as_bytes()));
    let mut parts: Vec<&[u8]> = vec![
        version.as_slice(),
        alg.as_slice(),
        issuer.cert.subject.der.as_slice(),
        this.as_slice(),
    ];
    parts.extend_from_slice(rest);
    let tbs = w::sequence(&parts);
    std::fs::write(pki.path("tbs.der"), &tbs).unwrap();
    let key = issuer.key.to_str().unwrap();
    let md = if rsa { "-sha256" } else { "-sha384" };
    let args = ["dgst", md, "-sign", key, "-out", "sig.der", "tbs.der"];
    openssl(pki.dir.path(), &args);
    let sig = std::fs::read(pki.path("sig.der")).unwrap();
    Crl::from_der(&w::sequence(&[&tbs, &alg, &w::bit_string(&sig)])).unwrap()
}

/// Issue 20 item 2: a CRL without nextUpdate counts only within the maximum age and when
/// issued after the signing time.
#[test]
fn crl_without_next_update_is_fresh_only_for_a_while() {
    let pki = Pki::new();
    let (root, int, leaf) = standard_chain(&pki, Key::P256);
    let now = OffsetDateTime::now_utc();
    let crls = [crl_without_next_update(&pki, &int, now)];
    assert_eq!(crls[0].next_update, None);
    let anchors = [root.cert.clone()];
    let inters = [int.cert.clone()];
    let mut inputs = ValidationInputs::new(&anchors, now + time::Duration::hours(1));
    inputs.intermediates = &inters;
    inputs.crls = &crls;
    let v = validate_path(&leaf.cert, &inputs).unwrap();
    assert!(matches!(v.revocation[0], RevocationStatus::Good { .. }));
    // Older than the maximum age at the validation time.
    inputs.time = now + DEFAULT_MAX_REVOCATION_AGE + time::Duration::hours(1);
    assert_eq!(
        validate_path(&leaf.cert, &inputs).unwrap_err(),
        PathError::StaleRevocationInfo { index: 0 }
    );
    // Issued before the signing time.
    inputs.time = now + time::Duration::hours(2);
    inputs.freshness.issued_after = Some(now + time::Duration::hours(1));
    assert_eq!(
        validate_path(&leaf.cert, &inputs).unwrap_err(),
        PathError::StaleRevocationInfo { index: 0 }
    );
}

/// RFC 5280 §5.3.3: in an indirect CRL, an entry for the certificate's serial whose
/// certificateIssuer holds no directoryName might be about this certificate: the CRL does not
/// say it is good. The same entry naming another CA by directoryName does not concern it.
#[test]
fn indirect_crl_entry_with_an_uncomparable_issuer_does_not_clear() {
    use crate::asn1::{oid, writer as w};
    let pki = Pki::new();
    let (root, int, leaf) = standard_chain(&pki, Key::P256);
    let now = OffsetDateTime::now_utc();
    let ext = |o: &str, critical: bool, v: &[u8]| {
        let (o, v) = (w::oid(o).unwrap(), w::octet_string(v));
        if critical {
            w::sequence(&[&o, &w::boolean(true), &v])
        } else {
            w::sequence(&[&o, &v])
        }
    };
    // IssuingDistributionPoint { indirectCRL [4] TRUE }, critical (RFC 5280 §5.2.5).
    let idp = w::sequence(&[&w::context(4, false, &[0xFF])]);
    let crl_exts = w::explicit(
        0,
        &w::sequence(&[&ext(oid::EXT_ISSUING_DISTRIBUTION_POINT, true, &idp)]),
    );
    let crl_for = |issuer_names: &[u8]| {
        let entry = w::sequence(&[
            &w::tlv(0x02, &leaf.cert.serial),
            &w::tlv(0x17, b"250101000000Z"),
            &w::sequence(&[&ext(oid::EXT_CERTIFICATE_ISSUER, true, issuer_names)]),
        ]);
        crl_signed_with(
            &pki,
            &int,
            now,
            false,
            &[&w::sequence(&[&entry]), &crl_exts],
        )
    };
    let anchors = [root.cert.clone()];
    let inters = [int.cert.clone()];
    let mut inputs = ValidationInputs::new(&anchors, now + time::Duration::hours(1));
    inputs.intermediates = &inters;

    // certificateIssuer = { uniformResourceIdentifier }: cannot be compared with a DN.
    let uri = w::sequence(&[&w::tlv(0x86, b"http://ca.example/")]);
    let crls = [crl_for(&uri)];
    inputs.crls = &crls;
    assert!(crls[0].is_indirect() && crls[0].has_unresolvable_entry(&leaf.cert.serial));
    let e = validate_path(&leaf.cert, &inputs).unwrap_err();
    assert!(
        matches!(&e, PathError::RevocationUnknown { index: 0, detail } if detail.contains("cannot be compared")),
        "{e}"
    );

    // certificateIssuer = { directoryName: another CA }: the entry is not about the leaf.
    let other = w::sequence(&[&w::context(4, true, &root.cert.subject.der)]);
    let crls = [crl_for(&other)];
    inputs.crls = &crls;
    let v = validate_path(&leaf.cert, &inputs).unwrap();
    assert!(matches!(v.revocation[0], RevocationStatus::Good { .. }));
}

/// Issue 20 items 3 and 4: short keys anywhere, and the document-signing EKU allow-list.
#[test]
fn short_keys_and_signer_purposes() {
    let pki = Pki::new();
    let (root, int, _) = standard_chain(&pki, Key::P256);
    let weak = pki.issue("weak", Key::Rsa1024, "/CN=Khóa Ngắn", &int, false, 9);
    let anchors = [root.cert.clone()];
    let inters = [int.cert.clone()];
    // An hour ahead: the certificates issued below are valid by then.
    let later = OffsetDateTime::now_utc() + time::Duration::hours(1);
    let mut inputs = ValidationInputs::new(&anchors, later);
    inputs.intermediates = &inters;
    inputs.end_entity_usage = EndEntityUsage::Signing;
    let e = validate_path(&weak.cert, &inputs).unwrap_err();
    assert!(is_weak_key(&e), "{e}");
    assert!(e.to_string().contains("Khóa Ngắn"), "{e}");
    let p224 = pki.issue("p224", Key::P224, "/CN=Đường Cong Nhỏ", &int, false, 12);
    let e = validate_path(&p224.cert, &inputs).unwrap_err();
    assert!(is_weak_key(&e), "{e}");
    assert!(e.to_string().contains("224-bit EC key"), "{e}");
    // An OCSP-signing-only certificate cannot sign documents; emailProtection can.
    let ocsp = pki.ocsp_responder("ocsp-only", Key::P256, &int, 10);
    let e = validate_path(&ocsp.cert, &inputs).unwrap_err();
    assert!(
        matches!(&e, PathError::KeyUsage { index: 0, detail } if detail.contains("OCSPSigning")),
        "{e}"
    );
    let leaf = pki.issue("email", Key::P256, "/CN=Thư", &int, false, 11);
    assert!(validate_path(&leaf.cert, &inputs).is_ok());
    inputs.end_entity_usage = EndEntityUsage::Any;
    assert!(validate_path(&ocsp.cert, &inputs).is_ok());

    // A CRL signed by another key of the same CA name, a 1024-bit one (key rollover).
    let crl_key = pki.issue(
        "int-crl",
        Key::Rsa1024,
        "/C=VN/O=Bộ Thử Nghiệm/CN=Intermediate CA",
        &root,
        true,
        13,
    );
    let crls = [crl_signed(&pki, &crl_key, later, true)];
    let inters = [int.cert.clone(), crl_key.cert.clone()];
    inputs.intermediates = &inters;
    inputs.crls = &crls;
    let e = validate_path(&leaf.cert, &inputs).unwrap_err();
    assert!(is_weak_key(&e), "{e}");
    assert!(e.to_string().contains("1024-bit RSA key"), "{e}");
}

#[test]
fn uri_hosts_and_domains() {
    assert_eq!(
        host_of_uri("http://user@Host.Example.com:80/x").as_deref(),
        Some("host.example.com")
    );
    assert_eq!(host_of_uri("urn:x"), None);
    assert!(domain_within("a.example.com", "example.com"));
    assert!(!domain_within("badexample.com", "example.com"));
    assert!(domain_within("a.example.com", ".example.com"));
    assert!(!domain_within("example.com", ".example.com"));
}
