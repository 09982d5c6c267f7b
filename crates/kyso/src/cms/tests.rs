//! CMS tests against signatures made and verified by the `openssl` command line.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature as sig;

use super::*;
use crate::crypto::{digest, DigestAlgorithm, SignatureScheme};
use crate::pki::testutil::{openssl, standard_chain, Issued, Key, Pki};

const CONTENT: &[u8] = b"%PDF-1.7 noi dung van ban \xe1\xba\xa1 \x00\x01\x02 end";

fn write_content(pki: &Pki) -> String {
    let p = pki.path("content.bin");
    std::fs::write(&p, CONTENT).unwrap();
    p.to_str().unwrap().to_string()
}

fn openssl_sign(pki: &Pki, leaf: &Issued, int: &Issued, md: &str, extra: &[&str]) -> Vec<u8> {
    let content = write_content(pki);
    let out = pki.path("sig.der");
    let mut args = vec![
        "cms",
        "-sign",
        "-binary",
        "-md",
        md,
        "-in",
        &content,
        "-signer",
        leaf.pem.to_str().unwrap(),
        "-inkey",
        leaf.key.to_str().unwrap(),
        "-certfile",
        int.pem.to_str().unwrap(),
        "-outform",
        "DER",
        "-out",
        out.to_str().unwrap(),
    ];
    args.extend(extra);
    openssl(pki.dir.path(), &args);
    std::fs::read(out).unwrap()
}

fn check(sd: &SignedData, content: &[u8]) -> SignerCheck {
    let si = &sd.signer_infos[0];
    let alg = DigestAlgorithm::from_oid(&si.digest_algorithm.oid).unwrap();
    check_signer_info(sd, si, &digest(alg, content), Some(content))
}

fn check_openssl_signature(
    key: Key,
    md: &str,
    extra: &[&str],
    scheme: SignatureScheme,
    ess: EssStatus,
) {
    let pki = Pki::new();
    let (_, int, leaf) = standard_chain(&pki, key);
    let der = openssl_sign(&pki, &leaf, &int, md, extra);
    let sd = SignedData::parse(&der).unwrap();
    assert_eq!(sd.encoded_len, der.len());
    assert_eq!(sd.encap_content_type, crate::asn1::oid::DATA);
    if extra.contains(&"-stream") {
        // openssl -stream embeds the content (BER, constructed OCTET STRING).
        assert_eq!(sd.encap_content.as_deref(), Some(CONTENT));
        let si = &sd.signer_infos[0];
        let alg = DigestAlgorithm::from_oid(&si.digest_algorithm.oid).unwrap();
        assert!(check_signer_info(&sd, si, &digest(alg, CONTENT), None).is_ok());
    } else {
        assert!(!sd.encap_content_present);
    }
    assert_eq!(sd.certificates.len(), 2);
    assert_eq!(sd.unparsed_certificates, 0);
    assert_eq!(sd.signer_infos.len(), 1);
    let si = &sd.signer_infos[0];
    assert_eq!(sd.signer_certificate(si).unwrap().der, leaf.cert.der);
    assert!(!si.has_signature_timestamp());
    let c = check(&sd, CONTENT);
    assert!(c.is_ok(), "{extra:?}: {:?}", c.problems);
    assert_eq!(c.scheme, Some(scheme));
    assert_eq!(c.ess, ess);
    let noattr = si.signed_attrs.is_none();
    if !noattr {
        assert_eq!(c.message_digest_matches, Some(true));
        let sa = si.signed_attrs.as_ref().unwrap();
        assert!(sa.signing_time.is_some());
        assert_eq!(sa.content_type.as_deref(), Some(crate::asn1::oid::DATA));
    }

    // Changed content: digest mismatch (or, without attributes, a bad signature).
    let mut other = CONTENT.to_vec();
    other[3] ^= 0x20;
    let c = check(&sd, &other);
    assert!(!c.is_ok());
    if noattr {
        assert!(!c.signature_valid);
    } else {
        assert_eq!(c.message_digest_matches, Some(false));
    }

    // Changed signature value.
    let mut bad = sd.clone();
    let n = bad.signer_infos[0].signature.len() / 2;
    bad.signer_infos[0].signature[n] ^= 1;
    let c = check(&bad, CONTENT);
    assert!(!c.signature_valid && c.signature_error.is_some());

    // Zero padding after the ContentInfo, as in a PDF /Contents.
    let mut padded = der.clone();
    padded.extend(std::iter::repeat_n(0u8, 4000));
    let sd2 = SignedData::parse(&padded).unwrap();
    assert_eq!(sd2.encoded_len, der.len());
    assert!(check(&sd2, CONTENT).is_ok());
    // Truncations never panic.
    for cut in (0..der.len()).step_by(7) {
        assert!(SignedData::parse(&der[..cut]).is_err());
    }
}

#[test]
fn openssl_rsa_default_attributes() {
    check_openssl_signature(
        Key::Rsa2048,
        "sha256",
        &[],
        SignatureScheme::RsaPkcs1v15,
        EssStatus::Absent,
    );
}

#[test]
fn openssl_rsa_nosmimecap_cades() {
    check_openssl_signature(
        Key::Rsa2048,
        "sha384",
        &["-nosmimecap", "-cades"],
        SignatureScheme::RsaPkcs1v15,
        EssStatus::MatchV2,
    );
}

#[test]
fn openssl_rsa_noattr() {
    check_openssl_signature(
        Key::Rsa2048,
        "sha256",
        &["-noattr"],
        SignatureScheme::RsaPkcs1v15,
        EssStatus::Absent,
    );
}

#[test]
fn openssl_rsa_stream_ber() {
    let pki = Pki::new();
    let (_, int, leaf) = standard_chain(&pki, Key::Rsa2048);
    let der = openssl_sign(&pki, &leaf, &int, "sha256", &["-stream"]);
    assert_eq!(der[1], 0x80, "expected BER indefinite length");
    check_openssl_signature(
        Key::Rsa2048,
        "sha256",
        &["-stream"],
        SignatureScheme::RsaPkcs1v15,
        EssStatus::Absent,
    );
}

#[test]
fn openssl_rsa_pss() {
    check_openssl_signature(
        Key::Rsa2048,
        "sha256",
        &[
            "-keyopt",
            "rsa_padding_mode:pss",
            "-keyopt",
            "rsa_pss_saltlen:digest",
        ],
        SignatureScheme::RsaPss,
        EssStatus::Absent,
    );
    // A maximal salt is reported as unsupported, not as a crash.
    let pki = Pki::new();
    let (_, int, leaf) = standard_chain(&pki, Key::Rsa2048);
    let der = openssl_sign(
        &pki,
        &leaf,
        &int,
        "sha256",
        &[
            "-keyopt",
            "rsa_padding_mode:pss",
            "-keyopt",
            "rsa_pss_saltlen:max",
        ],
    );
    let sd = SignedData::parse(&der).unwrap();
    let c = check(&sd, CONTENT);
    assert!(!c.signature_valid);
    assert!(c.signature_error.unwrap().contains("salt length"));
}

#[test]
fn openssl_ecdsa_and_ed25519() {
    check_openssl_signature(
        Key::P256,
        "sha256",
        &["-cades"],
        SignatureScheme::Ecdsa,
        EssStatus::MatchV2,
    );
    check_openssl_signature(
        Key::P384,
        "sha512",
        &["-stream"],
        SignatureScheme::Ecdsa,
        EssStatus::Absent,
    );
    // OpenSSL 3.0 cannot sign CMS with Ed25519 ("invalid digest"); see the build test.
}

fn build_and_verify(key: Key, digest_alg: DigestAlgorithm, scheme: SignatureScheme) {
    let pki = Pki::new();
    let (root, int, leaf) = standard_chain(&pki, key);
    let content = write_content(&pki);
    let p8 = pki.pkcs8(&leaf.key);
    let cd = digest(digest_alg, CONTENT);
    let attrs = build::signed_attributes(&leaf.cert, digest_alg, &cd);
    let rng = SystemRandom::new();
    let signature = match (key, scheme) {
        (Key::Rsa2048 | Key::Rsa1024, _) => {
            let kp = sig::RsaKeyPair::from_pkcs8(&p8).unwrap();
            let pad: &dyn sig::RsaEncoding = match (scheme, digest_alg) {
                (SignatureScheme::RsaPss, DigestAlgorithm::Sha256) => &sig::RSA_PSS_SHA256,
                (SignatureScheme::RsaPss, DigestAlgorithm::Sha512) => &sig::RSA_PSS_SHA512,
                (_, DigestAlgorithm::Sha384) => &sig::RSA_PKCS1_SHA384,
                _ => &sig::RSA_PKCS1_SHA256,
            };
            let mut s = vec![0; kp.public_modulus_len()];
            kp.sign(pad, &rng, &attrs, &mut s).unwrap();
            s
        }
        (Key::P256, _) => {
            let kp =
                sig::EcdsaKeyPair::from_pkcs8(&sig::ECDSA_P256_SHA256_ASN1_SIGNING, &p8).unwrap();
            kp.sign(&rng, &attrs).unwrap().as_ref().to_vec()
        }
        (Key::P384, _) => {
            let kp =
                sig::EcdsaKeyPair::from_pkcs8(&sig::ECDSA_P384_SHA384_ASN1_SIGNING, &p8).unwrap();
            kp.sign(&rng, &attrs).unwrap().as_ref().to_vec()
        }
        (Key::Ed25519, _) => {
            let kp = sig::Ed25519KeyPair::from_pkcs8_maybe_unchecked(&p8).unwrap();
            kp.sign(&attrs).as_ref().to_vec()
        }
        (Key::P224, _) => unreachable!("P-224 keys are only used to test their refusal"),
    };
    let unsigned = [Attribute {
        oid: "1.2.3.4.5".into(),
        values: vec![vec![0x05, 0x00]],
    }];
    let der = build::signed_data(
        &leaf.cert,
        &[int.cert.clone(), leaf.cert.clone()],
        digest_alg,
        scheme,
        &attrs,
        &signature,
        &unsigned,
    )
    .unwrap();
    let out = pki.path("built.der");
    std::fs::write(&out, &der).unwrap();
    // OpenSSL 3.0 cannot verify CMS Ed25519 with signed attributes ("invalid digest").
    if !matches!(key, Key::Ed25519) {
        openssl(
            pki.dir.path(),
            &[
                "cms",
                "-verify",
                "-binary",
                "-inform",
                "DER",
                "-in",
                out.to_str().unwrap(),
                "-content",
                &content,
                "-CAfile",
                root.pem.to_str().unwrap(),
                "-purpose",
                "any",
                "-out",
                "/dev/null",
            ],
        );
    }
    let sd = SignedData::parse(&der).unwrap();
    assert_eq!(sd.certificates.len(), 2);
    let si = &sd.signer_infos[0];
    assert_eq!(si.signed_attrs.as_ref().unwrap().der, attrs);
    assert!(si.signed_attrs.as_ref().unwrap().signing_time.is_none());
    assert_eq!(si.unsigned_attrs, unsigned);
    let c = check(&sd, CONTENT);
    assert!(c.is_ok(), "{:?}", c.problems);
    assert_eq!(c.ess, EssStatus::MatchV2);
    assert_eq!(c.scheme, Some(scheme));
    assert_eq!(c.digest, Some(digest_alg));
    let anchors = [
        crate::pki::Certificate::parse_pem_or_der(&std::fs::read(&root.pem).unwrap())
            .unwrap()
            .remove(0),
    ];
    let chain = crate::pki::build_chain(
        &sd.certificates[c.signer_certificate.unwrap()],
        &sd.certificates,
        &anchors,
    );
    assert_eq!(chain.trusted_anchor, Some(0));
    assert_eq!(chain.path.len(), 3);
}

#[test]
fn build_rsa_pkcs1() {
    build_and_verify(
        Key::Rsa2048,
        DigestAlgorithm::Sha256,
        SignatureScheme::RsaPkcs1v15,
    );
    build_and_verify(
        Key::Rsa2048,
        DigestAlgorithm::Sha384,
        SignatureScheme::RsaPkcs1v15,
    );
}

#[test]
fn build_rsa_pss() {
    build_and_verify(
        Key::Rsa2048,
        DigestAlgorithm::Sha256,
        SignatureScheme::RsaPss,
    );
    build_and_verify(
        Key::Rsa2048,
        DigestAlgorithm::Sha512,
        SignatureScheme::RsaPss,
    );
}

#[test]
fn build_ecdsa_and_ed25519() {
    build_and_verify(Key::P256, DigestAlgorithm::Sha256, SignatureScheme::Ecdsa);
    build_and_verify(Key::P384, DigestAlgorithm::Sha384, SignatureScheme::Ecdsa);
    build_and_verify(
        Key::Ed25519,
        DigestAlgorithm::Sha512,
        SignatureScheme::Ed25519,
    );
}

#[test]
fn duplicate_and_missing_attributes() {
    use crate::asn1::{oid, writer as w};
    let ct = w::sequence(&[
        &w::oid(oid::CONTENT_TYPE).unwrap(),
        &w::set(&[&w::oid(oid::DATA).unwrap()]),
    ]);
    let md = w::sequence(&[
        &w::oid(oid::MESSAGE_DIGEST).unwrap(),
        &w::set(&[&w::octet_string(&[1; 32])]),
    ]);
    let md2 = w::sequence(&[
        &w::oid(oid::MESSAGE_DIGEST).unwrap(),
        &w::set(&[&w::octet_string(&[2; 32])]),
    ]);
    assert!(SignedAttributes::from_der(&w::set_of(&[&ct, &md])).is_ok());
    assert!(matches!(
        SignedAttributes::from_der(&w::set_of(&[&ct, &md, &md2])),
        Err(crate::error::Error::Cms(_))
    ));
    let two_values = w::sequence(&[
        &w::oid(oid::MESSAGE_DIGEST).unwrap(),
        &w::set_of(&[&w::octet_string(&[1; 32]), &w::octet_string(&[2; 32])]),
    ]);
    assert!(SignedAttributes::from_der(&w::set_of(&[&ct, &two_values])).is_err());
    assert!(SignedData::parse(&[0x30, 0x03, 0x06, 0x01, 0x00]).is_err());
}

#[test]
fn ber_signed_attributes_are_re_encoded_to_der() {
    use crate::asn1::{oid, writer as w, Reader};
    let ct = w::sequence(&[
        &w::oid(oid::CONTENT_TYPE).unwrap(),
        &w::set(&[&w::oid(oid::DATA).unwrap()]),
    ]);
    let md = w::sequence(&[
        &w::oid(oid::MESSAGE_DIGEST).unwrap(),
        &w::set(&[&w::octet_string(&[7; 32])]),
    ]);
    let der = w::set_of(&[&ct, &md]);
    // [0] IMPLICIT, indefinite length, components in non-DER order.
    let mut ber = vec![0xA0, 0x80];
    ber.extend_from_slice(&md);
    ber.extend_from_slice(&ct);
    ber.extend_from_slice(&[0, 0]);
    let el = Reader::new(&ber).read_single().unwrap();
    let sa = SignedAttributes::from_element(&el).unwrap();
    assert_eq!(sa.der, der);
    assert_eq!(sa.message_digest.as_deref(), Some(&[7u8; 32][..]));
}

#[test]
fn algorithm_binding_and_message_digest() {
    use crate::asn1::{oid, AlgorithmIdentifier};
    let pki = Pki::new();
    let (_, int, leaf) = standard_chain(&pki, Key::Rsa2048);
    let pss = [
        "-keyopt",
        "rsa_padding_mode:pss",
        "-keyopt",
        "rsa_pss_saltlen:digest",
    ];
    let der = openssl_sign(&pki, &leaf, &int, "sha256", &pss);
    let sd = SignedData::parse(&der).unwrap();
    let c = check(&sd, CONTENT);
    assert!(c.is_ok() && c.digest_mismatch.is_none() && !c.uses_sha1);
    assert!(!c.message_digest_missing);

    // RFC 4056 §3: the hashAlgorithm of RSASSA-PSS-params (SHA-256) must be the digestAlgorithm.
    let mut other = sd.clone();
    other.signer_infos[0].digest_algorithm.oid = oid::SHA384.into();
    let c = check(&other, CONTENT);
    assert_eq!(c.digest_mismatch, Some(DigestAlgorithm::Sha256));
    assert!(!c.is_ok());

    // SHA-1 named only by the signature algorithm.
    let mut sha1 = sd.clone();
    sha1.signer_infos[0].signature_algorithm = AlgorithmIdentifier {
        oid: oid::SHA1_WITH_RSA.into(),
        params_der: None,
        der: Vec::new(),
    };
    assert!(verify::binding_uses_sha1(&sha1.signer_infos[0]));
    assert_eq!(
        verify::digest_mismatch(&sha1.signer_infos[0]),
        Some(DigestAlgorithm::Sha1)
    );

    // RFC 5652 §11.2: signed attributes without message-digest.
    let mut no_md = sd.clone();
    let sa = no_md.signer_infos[0].signed_attrs.as_mut().unwrap();
    sa.message_digest = None;
    let c = check(&no_md, CONTENT);
    assert!(c.message_digest_missing && !c.is_ok());
    assert_eq!(c.message_digest_matches, None);
}
