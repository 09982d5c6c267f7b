//! Signing: keys ([`Signer`] and its back-ends), the checks Circular 15/2025 asks for before
//! signing, and the flow placeholder → hash ranges → CMS → patch /Contents → atomic output.
//!
//! A signature is an incremental update (ISO 32000-1 §7.5.6) adding a signature field and its
//! dictionary (§12.8.1, [`placeholder`]); /Contents holds a detached CMS SignedData (RFC 5652
//! §5, built by `cms`) over the /ByteRange, with the PAdES signed attributes of ETSI EN
//! 319 142-1 §5.3 (/SubFilter `ETSI.CAdES.detached`). The key is behind [`Signer`]: a `.p12`
//! ([`p12`], [`software_key`]), a token ([`pkcs11`]), the Windows store (`cng`) or a remote
//! service ([`csc`]); [`deferred`] splits the flow in two for keys kyso cannot call.
//!
//! [`sign_file`] and [`sign_bytes`] reach PAdES B-B or B-T (with a TSA, `timestamp`); the
//! long-term levels are built on top by `ltv` (`kyso::ltv::sign_file`). Before signing,
//! [`checks`] refuses a certificate that is expired, not yet valid or not for signing, unless
//! `force` is set. The crate-level example signs and verifies a document.

pub mod checks;
#[cfg(windows)]
#[allow(unsafe_code)] // C calls into CryptoAPI/NCrypt
pub mod cng;
#[cfg(feature = "net")]
pub mod csc;
pub mod deferred;
pub mod p12;
#[cfg(feature = "pkcs11")]
pub mod pkcs11;
pub mod placeholder;
pub mod signer;
mod sink;
pub mod warning;
pub use sink::sign_file_staged;
pub use warning::{CertificateProblem, SignWarning, SignWarnings};
pub mod software_key;

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use time::OffsetDateTime;

pub use p12::{load_p12, SoftwareIdentity};
#[cfg(feature = "pkcs11")]
pub use pkcs11::{list_tokens, KeySelector, Pkcs11Signer, TokenSelector};
pub use placeholder::SignatureFields;
pub use signer::{KeyKind, Signer};
pub use software_key::SoftwareKey;

pub(crate) use sink::{Recording, Sink};

use crate::cms;
use crate::crypto::{self, DigestAlgorithm, Hasher, SignatureScheme};
use crate::error::{Error, Result};
use crate::output::{same_file, AtomicOutput};
use crate::pdf::{ByteSource, Document, FileSource, MemorySource};
use crate::pki::Certificate;

/// Room kept in /Contents beyond the CMS itself, for unsigned attributes added later (an RFC 3161
/// signature time-stamp token with its TSA chain is typically 4–7 KB).
pub const DEFAULT_RESERVE: usize = 8 * 1024;

/// What a signature should look like and how it is made.
///
/// `#[non_exhaustive]`: fields may be added in a minor release. Outside kyso, start from
/// [`Default`] and set the fields you need (`let mut o = SignOptions::default(); o.field = …;`).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SignOptions {
    /// The signature field's name (/T); None picks a free `Signature1`, `Signature2`…
    pub field_name: Option<String>,
    /// /Reason of the signature dictionary (ISO 32000-1 §12.8.1), e.g. "Phê duyệt"; None omits it.
    pub reason: Option<String>,
    /// /Location, e.g. "Hà Nội"; None omits it.
    pub location: Option<String>,
    /// /ContactInfo (phone, e-mail); None omits it.
    pub contact_info: Option<String>,
    /// /Name; None omits it (viewers then show the certificate's subject).
    pub name: Option<String>,
    /// The digest; None picks the key's natural one (SHA-256, or SHA-384 for P-384).
    pub digest: Option<DigestAlgorithm>,
    /// RSASSA-PSS instead of PKCS#1 v1.5 (RSA keys only).
    pub pss: bool,
    /// Sign even when the certificate checks fail (each failure becomes a warning).
    pub force: bool,
    /// Claimed signing time; now when None.
    pub signing_time: Option<OffsetDateTime>,
    /// 1-based page for the widget.
    pub page: usize,
    /// Extra room in /Contents, in bytes.
    pub reserve: usize,
    /// A certification signature with DocMDP /P (1 no changes, 2 form filling and signing,
    /// 3 also annotations). Only as the document's first signature.
    pub certify: Option<u8>,
    /// Where to get time-stamps: needed from PAdES B-T up.
    pub timestamp: Option<crate::timestamp::TsaClient>,
    /// The PAdES baseline level to reach (ETSI EN 319 142-1 §6): B-B by default; B-T adds a
    /// signature time-stamp, B-LT a DSS with validation data, B-LTA a document time-stamp.
    pub level: crate::pades::PadesLevel,
    /// Validation data gathering for B-LT and B-LTA (network, extra certificates and CRLs).
    pub ltv: crate::pades::LtvOptions,
    /// A visible signature (Decree 30/2020 layouts); None signs invisibly.
    pub appearance: Option<crate::appearance::AppearanceRequest>,
    /// The password of an encrypted document (the empty user password when not given).
    pub pdf_password: crate::pdf::Password,
}

impl Default for SignOptions {
    fn default() -> Self {
        SignOptions {
            field_name: None,
            reason: None,
            location: None,
            contact_info: None,
            name: None,
            digest: None,
            pss: false,
            force: false,
            signing_time: None,
            page: 1,
            reserve: DEFAULT_RESERVE,
            certify: None,
            timestamp: None,
            level: crate::pades::PadesLevel::BB,
            ltv: crate::pades::LtvOptions::default(),
            appearance: None,
            pdf_password: crate::pdf::Password::default(),
        }
    }
}

/// What signing did.
#[derive(Clone, Debug, serde::Serialize)]
pub struct SignOutcome {
    /// The name of the signature field that was signed.
    pub field: String,
    /// The signer certificate's subject (RFC 4514).
    pub signer: String,
    /// The claimed signing time written to /M (PAdES puts no signingTime attribute in the
    /// CMS, ETSI EN 319 142-1 §5.3), RFC 3339 in +07:00.
    pub signing_time: String,
    /// /ByteRange: offset and length of the two signed ranges around /Contents.
    pub byte_range: [u64; 4],
    /// Size of the CMS SignedData in bytes (time-stamp token included from B-T up).
    pub cms_size: usize,
    /// Size of the /Contents placeholder in bytes (binary, half its hex length).
    pub reserved_size: usize,
    /// Size of the signed document in bytes (after the B-LT/B-LTA revisions, if any).
    pub output_size: u64,
    /// The PAdES level reached ("PAdES-B-B" ... "PAdES-B-LTA").
    pub level: String,
    /// genTime of the signature time-stamp (RFC 3339, +07:00), from B-T up.
    pub timestamp_time: Option<String>,
    /// The TSA certificate's subject (RFC 4514), from B-T up.
    pub timestamp_authority: Option<String>,
    /// Checks overridden with `force`, and other remarks: in JSON `warnings` (English) and
    /// `warning_codes` (stable codes), in the same order.
    #[serde(flatten)]
    pub warnings: SignWarnings,
    /// Decree 30/2020 guards overridden with `force` (also in `warnings`).
    pub decree30_guards: Vec<crate::decree30::Guard>,
}

impl SignOutcome {
    /// Sets the level (B-T with a signature time-stamp, else B-B) and the time-stamp's facts.
    pub(crate) fn with_signature_timestamp(
        mut self,
        stamp: Option<&crate::timestamp::TimestampToken>,
    ) -> Self {
        self.level = if stamp.is_some() {
            "PAdES-B-T"
        } else {
            "PAdES-B-B"
        }
        .into();
        self.timestamp_time = stamp.map(|t| crate::vntime::rfc3339(t.info.gen_time));
        self.timestamp_authority = stamp
            .and_then(crate::timestamp::tsa_certificate)
            .map(|c| c.subject.to_rfc4514());
        self
    }
}

/// Signs `input` into `output` (a new file, written atomically) at PAdES B-B or B-T. `in_place`
/// allows `output` to be the input itself; the input's bytes stay an exact prefix either way.
/// Every level, B-LT and B-LTA included: `kyso::ltv::sign_file`.
///
/// # Errors
///
/// `output` is the input and `in_place` is false; the input cannot be read or parsed; the
/// signer's certificate fails the checks before signing (unless `opts.force`); the key refuses
/// to sign; a level above B-T is asked for; the time-stamp authority fails (B-T). On any error
/// the output is left as it was: it is written to a temporary file renamed into place.
///
/// # Examples
///
/// ```
/// use kyso::sign::{load_p12, sign_file, SignOptions};
///
/// let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/");
/// let signer = load_p12(&std::fs::read(format!("{root}pki/leader.p12"))?, "12345678")?;
/// let dir = tempfile::tempdir()?;
/// let input = dir.path().join("congvan.pdf");
/// std::fs::copy(format!("{root}docs/congvan.pdf"), &input)?;
/// let mut opts = SignOptions::default();
/// opts.location = Some("Hà Nội".into());
///
/// // Never over the input unless asked.
/// assert!(sign_file(&input, &input, &signer, &opts, false).is_err());
///
/// let output = dir.path().join("congvan-signed.pdf");
/// let outcome = sign_file(&input, &output, &signer, &opts, false)?;
/// assert_eq!(outcome.output_size, std::fs::metadata(&output)?.len());
/// assert_eq!(outcome.byte_range[0], 0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn sign_file(
    input: &Path,
    output: &Path,
    signer: &dyn Signer,
    opts: &SignOptions,
    in_place: bool,
) -> Result<SignOutcome> {
    refuse_long_term(opts)?;
    let source = Arc::new(FileSource::open(input)?);
    same_file_guard(input, output, in_place)?;
    let mut out = AtomicOutput::create(output)?;
    let outcome = sign_into(source, out.writer(), signer, opts).map_err(|e| match e {
        Error::Io { source, .. } => Error::io(output, source),
        other => other,
    })?;
    out.commit()?;
    Ok(outcome)
}

/// Refuses to write over the input unless asked to.
pub(crate) fn same_file_guard(input: &Path, output: &Path, in_place: bool) -> Result<()> {
    if !in_place && same_file(input, output) {
        return Err(Error::Needs {
            need: crate::error::Need::DistinctOutput,
            detail: format!(
                "the output {} is the input file; another output is needed, or the permission to write over the input",
                output.display()
            ),
        });
    }
    Ok(())
}

/// Signs a document held in memory at PAdES B-B or B-T and returns the signed bytes. Every
/// level: `kyso::ltv::sign_bytes`.
///
/// # Errors
///
/// As [`sign_file`], without the file errors.
pub fn sign_bytes(
    input: &[u8],
    signer: &dyn Signer,
    opts: &SignOptions,
) -> Result<(Vec<u8>, SignOutcome)> {
    refuse_long_term(opts)?;
    let source = Arc::new(MemorySource::new(input.to_vec()));
    let mut out = Vec::with_capacity(input.len() + 32 * 1024);
    let outcome = sign_to(source, &mut out, signer, opts)?;
    Ok((out, outcome))
}

/// Signing makes B-B and B-T; B-LT and B-LTA are built on the signature by `ltv`
/// (`kyso::ltv::sign_file`, `kyso::ltv::sign_bytes`). Asked for more here, refuse rather than
/// return a lower level than asked.
fn refuse_long_term(opts: &SignOptions) -> Result<()> {
    if opts.level > crate::pades::PadesLevel::BT {
        return Err(Error::InvalidArgument(format!(
            "{} is reached by signing then extending (kyso::ltv::sign_file or sign_bytes)",
            opts.level.name()
        )));
    }
    Ok(())
}

/// The signing flow, writing sequentially to `out`: the input copied once (and hashed while
/// copied), then the update with the finished signature. Reaches B-T at most (a level above
/// signs at B-T; `ltv` extends from there).
pub fn sign_to(
    source: Arc<dyn ByteSource>,
    out: &mut dyn Write,
    signer: &dyn Signer,
    opts: &SignOptions,
) -> Result<SignOutcome> {
    sign_into(source, &mut sink::AnyWriter(out), signer, opts)
}

/// [`sign_to`] into a [`Sink`] (a file output takes the kernel's copy).
pub(crate) fn sign_into(
    source: Arc<dyn ByteSource>,
    out: &mut dyn Sink,
    signer: &dyn Signer,
    opts: &SignOptions,
) -> Result<SignOutcome> {
    let identity = Identity {
        certificate_der: signer.certificate_der(),
        chain_der: signer.chain_der(),
        kind: signer.key_kind(),
    };
    let (outcome, _) = sign_with(
        source,
        out,
        &identity,
        opts,
        &mut |attrs, digest, scheme| signer.sign(attrs, digest, scheme).map(Some),
    )?;
    Ok(outcome)
}

/// Who signs: the certificate, its chain and the kind of key.
pub(crate) struct Identity<'a> {
    pub certificate_der: &'a [u8],
    pub chain_der: &'a [Vec<u8>],
    pub kind: KeyKind,
}

/// What a signature covers, for deferred signing: the DER of the signed attributes
/// (what a signer signs), the digest algorithm and the scheme.
pub(crate) struct SignedPart {
    pub attributes: Vec<u8>,
    pub digest: DigestAlgorithm,
    pub scheme: SignatureScheme,
}

/// A function that turns the signed attributes into a signature value, or None to leave the
/// value empty (deferred signing: the document is completed later).
pub(crate) type Produce<'a> =
    dyn FnMut(&[u8], DigestAlgorithm, SignatureScheme) -> Result<Option<Vec<u8>>> + 'a;

/// The signing flow shared by immediate and deferred signing.
pub(crate) fn sign_with(
    source: Arc<dyn ByteSource>,
    out: &mut dyn Sink,
    signer: &Identity,
    opts: &SignOptions,
    produce: &mut Produce,
) -> Result<(SignOutcome, SignedPart)> {
    // An encrypted document is signed with its own key: the update's strings and streams
    // are encrypted like the original's (ISO 32000-1 §7.6; see pdf::writer).
    let doc = Document::open_with_password(source.clone(), &opts.pdf_password)?;
    if let Some(w) = doc.warnings.first() {
        return Err(Error::MalformedPdf(format!(
            "the file's cross-reference data is damaged ({w}); repair it first (e.g. qpdf in.pdf out.pdf)"
        )));
    }

    // ISO 32000-1 §12.8.2.2: a certification with P=1 allows no change at all; a new
    // signature would break it.
    if crate::pdf::signatures::docmdp_permission(&doc)? == Some(1) {
        return Err(Error::UnsupportedPdf(
            "the document is certified with \"no changes allowed\" (DocMDP P=1); another signature would invalidate its certification".into(),
        ));
    }

    if let Some(p) = opts.certify {
        if !(1..=3).contains(&p) {
            return Err(Error::InvalidArgument(format!(
                "DocMDP permission must be 1, 2 or 3, not {p}"
            )));
        }
        // ISO 32000-1 §12.8.2.2: the certification signature is the document's first.
        if !crate::pdf::signatures::find_signatures(&doc)?.is_empty() {
            return Err(Error::InvalidArgument(
                "the document is already signed; a certification signature must be the first signature".into(),
            ));
        }
    }

    let certificate = Certificate::from_der(signer.certificate_der)?;
    let chain: Vec<Certificate> = signer
        .chain_der
        .iter()
        .filter_map(|c| Certificate::from_der(c).ok())
        .collect();
    let signing_time = opts.signing_time.unwrap_or_else(OffsetDateTime::now_utc);
    let kind = signer.kind;
    let digest = opts.digest.unwrap_or_else(|| kind.default_digest());
    let mut warnings: Vec<SignWarning> =
        checks::check_signer_certificate(&certificate, signing_time, digest, opts.force)?
            .into_iter()
            .map(SignWarning::CertificateOverridden)
            .collect();
    let scheme = kind.default_scheme(opts.pss);
    kind.check(digest, scheme)?;
    let sub_filter = "ETSI.CAdES.detached".to_string();

    // Size the placeholder from a CMS built with a dummy signature of the real length.
    let dummy_attrs =
        cms::build::signed_attributes(&certificate, digest, &vec![0; digest.output_len()]);
    let dummy_sig = vec![0xFFu8; kind.max_signature_len()];
    let estimate = cms::build::signed_data(
        &certificate,
        &chain,
        digest,
        scheme,
        &dummy_attrs,
        &dummy_sig,
        &[],
    )?
    .len();
    let capacity = estimate + 64 + opts.reserve;

    let appearance = match &opts.appearance {
        Some(req) => Some(crate::appearance::resolve(
            &doc,
            req,
            &crate::appearance::Context {
                certificate: &certificate,
                signing_time,
                force: opts.force,
            },
        )?),
        None => None,
    };
    let decree30_guards = appearance
        .as_ref()
        .map(|w| w.guards.clone())
        .unwrap_or_default();
    warnings.extend(decree30_guards.iter().cloned().map(SignWarning::Decree30));

    let base_len = doc.len();
    let leading_eol = !ends_with_eol(source.as_ref())?;
    let fields = SignatureFields {
        field_name: opts.field_name.clone(),
        reason: opts.reason.clone(),
        location: opts.location.clone(),
        contact_info: opts.contact_info.clone(),
        name: opts.name.clone(),
        sub_filter,
        signing_time: Some(signing_time),
        page: opts.page,
        certify: opts.certify,
        doc_timestamp: false,
        appearance,
    };
    let mut prepared = placeholder::prepare(&doc, &fields, capacity, base_len, leading_eol)?;

    // Hash the first range while copying the input, then the update around /Contents.
    let mut hasher = Hasher::new(digest);
    sink::copy_and_hash(source.as_ref(), out, &mut hasher)?;
    hasher.update(&prepared.bytes[..prepared.contents_start]);
    hasher.update(&prepared.bytes[prepared.contents_end..]);
    let content_digest = hasher.finish();

    let attrs = cms::build::signed_attributes(&certificate, digest, &content_digest);
    let signature = match produce(&attrs, digest, scheme)? {
        Some(signature) => {
            // Never embed a signature that does not verify against the certificate.
            let sig_alg = crate::asn1::AlgorithmIdentifier::from_der(
                &cms::build::signature_algorithm_der(scheme, digest)?,
            )?;
            crypto::verify_signature(&certificate.spki_der, &sig_alg, digest, &attrs, &signature)
                .map_err(|e| {
                    Error::Crypto(format!(
                        "the key produced a signature that does not verify against the certificate: {e}"
                    ))
                })?;
            signature
        }
        // Deferred: an empty value now, the real one at completion.
        None => Vec::new(),
    };
    // PAdES B-T (ETSI EN 319 142-1 §6.3): a signature time-stamp over the signature value.
    let mut unsigned = Vec::new();
    let mut stamp = None;
    if opts.level >= crate::pades::PadesLevel::BT && !signature.is_empty() {
        let tsa = opts.timestamp.as_ref().ok_or_else(|| Error::Needs {
            need: crate::error::Need::TimestampAuthority,
            detail: format!("{} needs a time-stamp authority", opts.level.name()),
        })?;
        let (attribute, token) = crate::timestamp::signature_timestamp(tsa, &signature)?;
        unsigned.push(attribute);
        stamp = Some(token);
    }
    let der = cms::build::signed_data(
        &certificate,
        &chain,
        digest,
        scheme,
        &attrs,
        &signature,
        &unsigned,
    )?;
    if der.len() > prepared.capacity() {
        if let Some(token) = &stamp {
            // The room was fixed before the TSA answered (it is part of what was signed).
            let at_least = opts.reserve + der.len() - prepared.capacity() + 1024;
            return Err(Error::Needs {
                need: crate::error::Need::LargerReserve { at_least },
                detail: format!(
                    "the TSA's token ({} bytes) does not fit the room kept for it; sign again with a reserve of at least {at_least} bytes",
                    token.der.len(),
                ),
            });
        }
    }
    prepared.fill_contents(&der)?;
    out.write_all(&prepared.bytes)
        .map_err(|e| Error::io("<output>", e))?;
    out.flush().map_err(|e| Error::io("<output>", e))?;

    if opts.pss && scheme != SignatureScheme::RsaPss {
        warnings.push(SignWarning::PssNotApplicable);
    }
    let outcome = SignOutcome {
        field: prepared.field_name.clone(),
        signer: certificate.subject.to_rfc4514(),
        signing_time: crate::vntime::rfc3339(signing_time),
        byte_range: prepared.byte_range,
        cms_size: der.len(),
        reserved_size: prepared.capacity(),
        output_size: base_len + prepared.bytes.len() as u64,
        level: String::new(),
        timestamp_time: None,
        timestamp_authority: None,
        warnings: warnings.into(),
        decree30_guards,
    }
    .with_signature_timestamp(stamp.as_ref());
    Ok((
        outcome,
        SignedPart {
            attributes: attrs,
            digest,
            scheme,
        },
    ))
}

pub(crate) fn ends_with_eol(src: &dyn ByteSource) -> Result<bool> {
    let len = src.len();
    let last = src.read_vec(len.saturating_sub(1), 1)?;
    Ok(matches!(last.first(), Some(b'\n' | b'\r')))
}
