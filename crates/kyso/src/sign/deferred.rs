//! Deferred (two-step) signing, for remote signing services that sign only a hash and for
//! callers with their own key access (ETSI EN 319 142-1 leaves where the signature value comes
//! from open).
//!
//! 1. [`prepare_file`] writes the document with its signature field and a /Contents holding a
//!    CMS SignedData whose signature value is still empty — but whose signed attributes, signer
//!    certificate and chain are final — and returns what must be signed.
//! 2. Minutes or processes later, [`complete_file`] takes the signature value (or a whole CMS),
//!    checks it against the certificate and the prepared data, and writes the signed document.
//!    The prepared file carries everything needed; nothing is kept elsewhere.
//!
//! The CLI's `kyso prepare` / `kyso complete` and the C ABI's two-step calls use it; a
//! [`csc`](super::csc) service or an HSM behind the caller's own API are typical signers.
//!
//! # Examples
//!
//! The signature value made by a key the library never sees (here the test `.p12`, standing in
//! for a remote service):
//!
//! ```
//! use kyso::crypto::{DigestAlgorithm, SignatureScheme};
//! use kyso::sign::deferred::{complete_file, prepare_file, SignatureInput};
//! use kyso::sign::{load_p12, SignOptions, Signer};
//!
//! let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/");
//! let key = load_p12(&std::fs::read(format!("{root}pki/leader.p12"))?, "12345678")?;
//! let dir = tempfile::tempdir()?;
//! let (prepared_pdf, signed_pdf) = (dir.path().join("prepared.pdf"), dir.path().join("signed.pdf"));
//!
//! // Step 1: only the certificate and chain are needed.
//! let input = std::path::PathBuf::from(format!("{root}docs/congvan.pdf"));
//! let (prepared, _) = prepare_file(
//!     &input, &prepared_pdf, &key.certificate, &key.chain, &SignOptions::default(), false,
//! )?;
//! assert_eq!((prepared.digest_algorithm.as_str(), prepared.digest.len()), ("SHA-256", 32));
//!
//! // Elsewhere: the key signs the DER of the signed attributes.
//! let value = key.sign(&prepared.to_be_signed, DigestAlgorithm::Sha256, SignatureScheme::RsaPkcs1v15)?;
//!
//! // A value that does not verify is refused, and nothing is written.
//! let mut forged = value.clone();
//! forged[10] ^= 1;
//! assert!(complete_file(&prepared_pdf, &signed_pdf, SignatureInput::Raw(forged), false).is_err());
//! assert!(!signed_pdf.exists());
//!
//! // Step 2.
//! let outcome = complete_file(&prepared_pdf, &signed_pdf, SignatureInput::Raw(value), false)?;
//! assert_eq!(outcome.field, prepared.field);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::path::Path;
use std::sync::Arc;

use serde::Serialize;

use super::{same_file_guard, sign_with, Identity, KeyKind, SignOptions, SignOutcome};
use crate::asn1::AlgorithmIdentifier;
use crate::cms::{self, SignedData};
use crate::crypto::{self, DigestAlgorithm, Hasher, SignatureScheme};
use crate::error::{Error, Result};
use crate::output::AtomicOutput;
use crate::pdf::signatures::{find_signatures, stream_range};
use crate::pdf::{Document, FileSource};
use crate::pki::{Certificate, Curve, PublicKeyKind};

/// What a prepared document asks to be signed.
#[derive(Clone, Debug, Serialize)]
pub struct Prepared {
    /// The DER of the signed attributes: what a signer signs (RFC 5652 §5.4).
    pub to_be_signed_base64: String,
    /// Its hash, for services that sign a hash.
    pub digest_base64: String,
    /// e.g. `SHA-256`.
    pub digest_algorithm: String,
    /// e.g. `RSASSA-PKCS1-v1_5`, `RSASSA-PSS`, `ECDSA`.
    pub signature_algorithm: String,
    /// The OID of the digest algorithm, for CSC-style APIs.
    pub digest_algorithm_oid: String,
    /// The name of the signature field the prepared document holds (/T).
    pub field: String,
    /// The signer certificate's subject (RFC 4514).
    pub signer: String,
    /// `to_be_signed_base64` as bytes (not serialised).
    #[serde(skip)]
    pub to_be_signed: Vec<u8>,
    /// `digest_base64` as bytes (not serialised).
    #[serde(skip)]
    pub digest: Vec<u8>,
}

/// What completes a prepared document.
pub enum SignatureInput {
    /// A raw signature value: RSA (PKCS#1 v1.5 or PSS) bytes, or ECDSA as DER or raw r‖s.
    Raw(Vec<u8>),
    /// A whole CMS SignedData made elsewhere over the prepared document's byte ranges.
    Cms(Vec<u8>),
}

/// The kind of key a certificate holds, for choosing the scheme.
pub fn key_kind_of(cert: &Certificate) -> Result<KeyKind> {
    match &cert.public_key {
        PublicKeyKind::Rsa { bits } => Ok(KeyKind::Rsa { bits: *bits }),
        PublicKeyKind::Ec { curve: Curve::P256 } => Ok(KeyKind::EcP256),
        PublicKeyKind::Ec { curve: Curve::P384 } => Ok(KeyKind::EcP384),
        other => Err(Error::UnsupportedAlgorithm(format!(
            "signing with a {other:?} key"
        ))),
    }
}

/// Step 1: writes `output` (never over `input` unless `in_place`) with a signature awaiting its
/// value, made for `certificate_der` with `chain_der`; returns what must be signed.
///
/// # Errors
///
/// As [`sign_file`](crate::sign::sign_file) (the certificate checks included), and
/// [`Error::UnsupportedAlgorithm`] for a certificate whose key kyso cannot sign with (not RSA,
/// P-256 or P-384).
pub fn prepare_file(
    input: &Path,
    output: &Path,
    certificate_der: &[u8],
    chain_der: &[Vec<u8>],
    opts: &SignOptions,
    in_place: bool,
) -> Result<(Prepared, SignOutcome)> {
    let certificate = Certificate::from_der(certificate_der)?;
    let identity = Identity {
        certificate_der,
        chain_der,
        kind: key_kind_of(&certificate)?,
    };
    let source = Arc::new(FileSource::open(input)?);
    same_file_guard(input, output, in_place)?;
    let mut out = AtomicOutput::create(output)?;
    let (outcome, part) = sign_with(source, out.writer(), &identity, opts, &mut |_, _, _| {
        Ok(None)
    })?;
    out.commit()?;
    let digest = crypto::digest(part.digest, &part.attributes);
    let prepared = Prepared {
        to_be_signed_base64: crate::base64::encode(&part.attributes),
        digest_base64: crate::base64::encode(&digest),
        digest_algorithm: part.digest.name().into(),
        signature_algorithm: scheme_name(part.scheme).into(),
        digest_algorithm_oid: part.digest.oid().into(),
        field: outcome.field.clone(),
        signer: outcome.signer.clone(),
        to_be_signed: part.attributes,
        digest,
    };
    Ok((prepared, outcome))
}

fn scheme_name(s: SignatureScheme) -> &'static str {
    match s {
        SignatureScheme::RsaPkcs1v15 => "RSASSA-PKCS1-v1_5",
        SignatureScheme::RsaPss => "RSASSA-PSS",
        SignatureScheme::Ecdsa | SignatureScheme::EcdsaPlain => "ECDSA",
        SignatureScheme::Ed25519 => "Ed25519",
        _ => "unsupported",
    }
}

/// Step 2: completes `prepared` into `output`. The signature must verify against the
/// certificate and the prepared data, or nothing is written.
///
/// # Errors
///
/// `prepared`'s last signature is not a prepared kyso signature, or is already complete; the
/// value does not verify with the certificate over the prepared signed attributes (or a given
/// CMS is not over this document's byte ranges); the value does not fit the reserved
/// /Contents; the output cannot be written.
pub fn complete_file(
    prepared: &Path,
    output: &Path,
    signature: SignatureInput,
    in_place: bool,
) -> Result<SignOutcome> {
    complete_file_with(prepared, output, signature, in_place, None)
}

/// As [`complete_file`]; with a TSA, the signature gets a signature time-stamp (PAdES B-T).
pub fn complete_file_with(
    prepared: &Path,
    output: &Path,
    signature: SignatureInput,
    in_place: bool,
    tsa: Option<&crate::timestamp::TsaClient>,
) -> Result<SignOutcome> {
    complete_file_with_password(
        prepared,
        output,
        signature,
        in_place,
        tsa,
        &crate::pdf::Password::default(),
    )
}

/// As [`complete_file_with`], for an encrypted document whose password is not empty.
pub fn complete_file_with_password(
    prepared: &Path,
    output: &Path,
    signature: SignatureInput,
    in_place: bool,
    tsa: Option<&crate::timestamp::TsaClient>,
    password: &crate::pdf::Password,
) -> Result<SignOutcome> {
    let mut stamp = None;
    let source = Arc::new(FileSource::open(prepared)?);
    let doc = Document::open_with_password(source.clone(), password)?;
    let entry = find_signatures(&doc)?
        .into_iter()
        .max_by_key(|e| e.contents_span.map(|s| s.0).unwrap_or(0))
        .ok_or_else(|| Error::InvalidArgument("the file has no prepared signature".into()))?;
    let (Some((start, end)), Some(br)) = (entry.contents_span, entry.byte_range.clone()) else {
        return Err(Error::InvalidArgument(
            "the file's last signature is not a prepared kyso signature".into(),
        ));
    };
    let pending = SignedData::parse(&entry.contents)?;
    let [si] = pending.signer_infos.as_slice() else {
        return Err(Error::Cms(
            "a prepared signature has exactly one SignerInfo".into(),
        ));
    };
    if !si.signature.is_empty() {
        return Err(Error::InvalidArgument(
            "the file's last signature is already complete; nothing to do".into(),
        ));
    }
    let attrs = si
        .signed_attrs
        .as_ref()
        .ok_or_else(|| Error::Cms("the prepared signature has no signed attributes".into()))?;
    let digest = DigestAlgorithm::from_oid(&si.digest_algorithm.oid).ok_or_else(|| {
        Error::UnsupportedAlgorithm(format!("digest {}", si.digest_algorithm.oid))
    })?;
    let certificate = pending
        .signer_certificate(si)
        .ok_or_else(|| Error::Cms("the prepared signature lacks its certificate".into()))?
        .clone();
    // The prepared bytes must still be what the attributes commit to.
    if br.len() != 4 || br[1] as u64 != start || br[2] as u64 != end {
        return Err(Error::InvalidArgument(
            "the prepared file's ByteRange does not frame its /Contents".into(),
        ));
    }
    let mut hasher = Hasher::new(digest);
    stream_range(&doc, 0, start, |c| hasher.update(c))?;
    stream_range(&doc, end, doc.len() - end, |c| hasher.update(c))?;
    let content_digest = hasher.finish();
    if attrs.message_digest.as_deref() != Some(content_digest.as_slice()) {
        return Err(Error::InvalidArgument(
            "the prepared file was changed after preparation (its hash no longer matches)".into(),
        ));
    }

    let der = match signature {
        SignatureInput::Raw(value) => {
            let scheme = scheme_of(&si.signature_algorithm)?;
            let value = normalise_ecdsa(&certificate, scheme, value)?;
            crypto::verify_signature(
                &certificate.spki_der,
                &si.signature_algorithm,
                digest,
                &attrs.der,
                &value,
            )
            .map_err(|e| {
                Error::Crypto(format!(
                    "the signature does not match the certificate and the prepared data ({e}); nothing was written"
                ))
            })?;
            let chain: Vec<Certificate> = pending
                .certificates
                .iter()
                .filter(|c| c.der != certificate.der)
                .cloned()
                .collect();
            let mut unsigned = Vec::new();
            if let Some(tsa) = tsa {
                let (attribute, token) = crate::timestamp::signature_timestamp(tsa, &value)?;
                unsigned.push(attribute);
                stamp = Some(token);
            }
            cms::build::signed_data(
                &certificate,
                &chain,
                digest,
                scheme,
                &attrs.der,
                &value,
                &unsigned,
            )?
        }
        SignatureInput::Cms(_) if tsa.is_some() => return Err(Error::InvalidArgument(
            "a time-stamp can be added to a raw signature value only; put it in your CMS instead"
                .into(),
        )),
        SignatureInput::Cms(bytes) => {
            let sd = SignedData::parse(&bytes)?;
            let [si] = sd.signer_infos.as_slice() else {
                return Err(Error::Cms(
                    "the CMS must have exactly one SignerInfo".into(),
                ));
            };
            let d = DigestAlgorithm::from_oid(&si.digest_algorithm.oid).ok_or_else(|| {
                Error::UnsupportedAlgorithm(format!("digest {}", si.digest_algorithm.oid))
            })?;
            let mut h = Hasher::new(d);
            stream_range(&doc, 0, start, |c| h.update(c))?;
            stream_range(&doc, end, doc.len() - end, |c| h.update(c))?;
            let check = cms::check_signer_info(&sd, si, &h.finish(), None);
            if !(check.signature_valid && check.message_digest_matches == Some(true)) {
                return Err(Error::Crypto(
                    "the CMS does not sign the prepared document; nothing was written".into(),
                ));
            }
            bytes[..sd.encoded_len].to_vec()
        }
    };
    let capacity = ((end - start - 2) / 2) as usize;
    if der.len() > capacity {
        return Err(Error::Crypto(format!(
            "the signature ({} bytes) does not fit the space prepared for it ({capacity} bytes)",
            der.len()
        )));
    }

    same_file_guard(prepared, output, in_place)?;
    let mut out = AtomicOutput::create(output)?;
    let w = out.writer();
    let write = |w: &mut std::fs::File, b: &[u8]| {
        std::io::Write::write_all(w, b).map_err(|e| Error::io(output, e))
    };
    stream_range(&doc, 0, start + 1, |c| {
        let _ = std::io::Write::write_all(w, c);
    })?;
    let mut hex = String::with_capacity(capacity * 2);
    for b in &der {
        hex.push_str(&format!("{b:02X}"));
    }
    hex.extend(std::iter::repeat_n('0', capacity * 2 - hex.len()));
    write(w, hex.as_bytes())?;
    stream_range(&doc, end - 1, doc.len() - end + 1, |c| {
        let _ = std::io::Write::write_all(w, c);
    })?;
    out.commit()?;
    Ok(SignOutcome {
        field: entry.field_names.first().cloned().unwrap_or_default(),
        signer: certificate.subject.to_rfc4514(),
        signing_time: entry
            .signing_time_raw()
            .and_then(|m| crate::vntime::parse_pdf_date(&m))
            .map(crate::vntime::rfc3339)
            .unwrap_or_default(),
        byte_range: [0, start, end, doc.len() - end],
        cms_size: der.len(),
        reserved_size: capacity,
        output_size: doc.len(),
        level: String::new(),
        timestamp_time: None,
        timestamp_authority: None,
        warnings: Default::default(),
        decree30_guards: Vec::new(),
    }
    .with_signature_timestamp(stamp.as_ref()))
}

/// The scheme named by a SignerInfo's signatureAlgorithm.
fn scheme_of(alg: &AlgorithmIdentifier) -> Result<SignatureScheme> {
    use crate::asn1::oid;
    Ok(match alg.oid.as_str() {
        oid::RSA_ENCRYPTION
        | oid::SHA256_WITH_RSA
        | oid::SHA384_WITH_RSA
        | oid::SHA512_WITH_RSA => SignatureScheme::RsaPkcs1v15,
        oid::RSASSA_PSS => SignatureScheme::RsaPss,
        oid::ECDSA_WITH_SHA256 | oid::ECDSA_WITH_SHA384 | oid::ECDSA_WITH_SHA512 => {
            SignatureScheme::Ecdsa
        }
        other => {
            return Err(Error::UnsupportedAlgorithm(format!(
                "signature algorithm {other} in a prepared signature"
            )))
        }
    })
}

/// ECDSA values may come as raw r‖s (as PKCS#11 tokens and some services give them): convert
/// to the DER Ecdsa-Sig-Value that CMS carries (RFC 5480 §2.2 / RFC 5753).
fn normalise_ecdsa(cert: &Certificate, scheme: SignatureScheme, value: Vec<u8>) -> Result<Vec<u8>> {
    if scheme != SignatureScheme::Ecdsa {
        return Ok(value);
    }
    let n = match &cert.public_key {
        PublicKeyKind::Ec { curve } => curve.field_len(),
        _ => return Ok(value),
    };
    if value.len() != 2 * n || value.first() == Some(&0x30) && value.len() != 2 * n {
        return Ok(value);
    }
    if value.first() == Some(&0x30)
        && crate::asn1::reader::Reader::new(&value)
            .read_single()
            .is_ok()
    {
        return Ok(value);
    }
    let int = |b: &[u8]| {
        let mut v: Vec<u8> = b.iter().copied().skip_while(|&x| x == 0).collect();
        if v.first().is_none_or(|&x| x & 0x80 != 0) {
            v.insert(0, 0);
        }
        crate::asn1::writer::tlv(0x02, &v)
    };
    let body = [int(&value[..n]), int(&value[n..])].concat();
    Ok(crate::asn1::writer::tlv(0x30, &body))
}
