//! Long-term validation (ETSI EN 319 142-1 §6, PAdES baseline): signature time-stamps (B-T),
//! the Document Security Store with the validation data of every signature and time-stamp
//! (B-LT), and document time-stamps over it (B-LTA). [`extend_file`] brings any signed
//! document, whoever signed it, to B-LT or B-LTA, and renews the archive time-stamp when the
//! last one nears the end of its TSA certificate's validity. [`sign_file`] and [`sign_bytes`]
//! sign at any level: `sign` makes the B-B or B-T signature, this module builds B-LT and B-LTA
//! on it (`sign` knows nothing of LTV; the levels themselves are data in `crate::pades`).
//!
//! The validation data (certificates, OCSP responses, CRLs) comes from the document, from
//! [`LtvOptions`] and, when allowed, from the network (OCSP responders and CRL distribution
//! points named by the certificates); the time-stamps come from an RFC 3161 TSA
//! (`crate::timestamp`). Each step is an incremental update, so every earlier signature stays
//! intact.
//!
//! # Examples
//!
//! Signing at B-LTA with a TSA (needs the network, so not run here):
//!
//! ```no_run
//! use kyso::ltv::{sign_file, PadesLevel};
//! use kyso::sign::{load_p12, SignOptions};
//! use kyso::timestamp::TsaClient;
//!
//! let signer = load_p12(&std::fs::read("chu-ky.p12")?, &std::env::var("KYSO_PIN")?)?;
//! let mut opts = SignOptions::default();
//! opts.level = PadesLevel::BLTA;
//! opts.timestamp = Some(TsaClient::new(vec!["http://tsa.example.vn".into()]));
//! // Revocation data given by the caller (else only what the document already holds).
//! opts.ltv.crls.push(std::fs::read("ca.crl")?);
//! let (input, output) = ("quyet-dinh.pdf".as_ref(), "quyet-dinh-ky.pdf".as_ref());
//! let outcome = sign_file(input, output, &signer, &opts, false)?;
//! assert_eq!(outcome.level, "PAdES-B-LTA");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! B-LT needs a time-stamp under the signature: without a TSA, a B-B signature is not extended
//! (and nothing claims a level it does not have):
//!
//! ```
//! use kyso::ltv::{extend_bytes, LtvOptions};
//! use kyso::sign::{load_p12, sign_bytes, SignOptions};
//!
//! let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/");
//! let signer = load_p12(&std::fs::read(format!("{root}pki/leader.p12"))?, "12345678")?;
//! let pdf = std::fs::read(format!("{root}docs/congvan.pdf"))?;
//! let (signed, _) = sign_bytes(&pdf, &signer, &SignOptions::default())?;
//!
//! let err = extend_bytes(&signed, &LtvOptions::default()).unwrap_err();
//! assert!(err.to_string().contains("time-stamp"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod doc_timestamp;
mod dss_update;
mod gather;
mod source;

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use serde::Serialize;
use time::OffsetDateTime;

use crate::asn1::oid;
use crate::cms::SignedData;
use crate::error::{Error, Result};
use crate::output::AtomicOutput;
use crate::pdf::signatures::{find_signatures, SignatureEntry};
use crate::pdf::{ByteSource, Document, FileSource, MemorySource};
use crate::sign::{SignOptions, SignOutcome, SignWarning, Signer};
use crate::timestamp::TimestampToken;

pub use crate::pades::{LtvOptions, PadesLevel};
pub use crate::timestamp::{signature_timestamp, tsa_certificate};
pub use gather::signature_vri_key;
use source::Appended;

impl SignOptions {
    /// The extension options for this signing request's level and TSA.
    pub fn ltv_request(&self) -> LtvOptions {
        let mut o = self.ltv.clone();
        o.level = self.level;
        if o.timestamp.is_none() {
            o.timestamp = self.timestamp.clone();
        }
        if o.pdf_password.is_empty() {
            o.pdf_password = self.pdf_password.clone();
        }
        o
    }
}

/// What an extension added.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ExtendReport {
    /// The PAdES level the document's signatures reach now ("PAdES-B-LTA" ...).
    pub level: String,
    /// Signatures in the document (document time-stamps not counted).
    pub signatures: usize,
    /// Certificates added to the DSS /Certs (ones already there are not counted).
    pub certificates_added: usize,
    /// OCSP responses added to the DSS /OCSPs.
    pub ocsp_responses_added: usize,
    /// CRLs added to the DSS /CRLs.
    pub crls_added: usize,
    /// genTime of the document time-stamp added (RFC 3339, +07:00).
    pub document_timestamp: Option<String>,
    /// Subject (RFC 4514) of the TSA that made the document time-stamp; None when none was added.
    pub timestamp_authority: Option<String>,
    /// True when nothing needed adding (the output is a copy of the input).
    pub unchanged: bool,
    /// Certificates for which no revocation data could be found.
    pub missing_revocation: Vec<String>,
    /// Remarks on data that was found but not used (stale, unverifiable, unreachable
    /// responder); in JSON `warnings` (English) and `warning_codes`, in the same order.
    #[serde(flatten)]
    pub warnings: crate::sign::SignWarnings,
    /// Size of the extended document in bytes.
    pub output_size: u64,
}

/// Extends the signed PDF at `input` into `output` (atomically). `in_place` allows `output`
/// to be the input; its bytes stay an exact prefix either way.
///
/// # Errors
///
/// The input cannot be read or holds no signature; `opts.level` is below B-LT; a time-stamp is
/// needed (a signature without one, or B-LTA) and `opts.timestamp` is None or the TSA fails;
/// the output cannot be written. Revocation data that cannot be found is not an error: it is
/// listed in [`ExtendReport::missing_revocation`].
pub fn extend_file(
    input: &Path,
    output: &Path,
    opts: &LtvOptions,
    in_place: bool,
) -> Result<ExtendReport> {
    let source: Arc<dyn ByteSource> = Arc::new(FileSource::open(input)?);
    crate::sign::same_file_guard(input, output, in_place)?;
    let mut out = AtomicOutput::create(output)?;
    let report = extend_to(source, out.writer(), opts).map_err(|e| match e {
        Error::Io { source, .. } => Error::io(output, source),
        other => other,
    })?;
    out.commit()?;
    Ok(report)
}

/// Extends a signed PDF held in memory.
///
/// # Errors
///
/// As [`extend_file`], without the file errors.
pub fn extend_bytes(input: &[u8], opts: &LtvOptions) -> Result<(Vec<u8>, ExtendReport)> {
    let source: Arc<dyn ByteSource> = Arc::new(MemorySource::new(input.to_vec()));
    let mut out = Vec::with_capacity(input.len() + 64 * 1024);
    let report = extend_to(source, &mut out, opts)?;
    Ok((out, report))
}

/// Signs `input` into `output` (a new file, written atomically) at any PAdES level: B-B and B-T
/// by [`crate::sign::sign_file`], B-LT and B-LTA by signing then extending in one pass over the
/// input. `in_place` allows `output` to be the input; its bytes stay an exact prefix.
///
/// # Errors
///
/// As [`crate::sign::sign_file`], and for B-LT/B-LTA as [`extend_file`] (a TSA is needed:
/// `opts.timestamp`). On any error nothing is written: signing and extension are one output.
pub fn sign_file(
    input: &Path,
    output: &Path,
    signer: &dyn Signer,
    opts: &SignOptions,
    in_place: bool,
) -> Result<SignOutcome> {
    if opts.level < PadesLevel::BLT {
        return crate::sign::sign_file(input, output, signer, opts, in_place);
    }
    let source = Arc::new(FileSource::open(input)?);
    crate::sign::same_file_guard(input, output, in_place)?;
    sign_long_term(source, output, signer, opts)
}

/// Signs a document held in memory at any PAdES level and returns the signed bytes: B-B and
/// B-T by [`crate::sign::sign_bytes`], B-LT and B-LTA by extending the B-T signature.
///
/// # Errors
///
/// As [`sign_file`], without the file errors.
pub fn sign_bytes(
    input: &[u8],
    signer: &dyn Signer,
    opts: &SignOptions,
) -> Result<(Vec<u8>, SignOutcome)> {
    if opts.level < PadesLevel::BLT {
        return crate::sign::sign_bytes(input, signer, opts);
    }
    let source = Arc::new(MemorySource::new(input.to_vec()));
    let mut out = Vec::with_capacity(input.len() + 32 * 1024);
    let mut outcome = crate::sign::sign_to(source, &mut out, signer, opts)?;
    let (extended, report) = extend_bytes(&out, &opts.ltv_request())?;
    outcome.level = report.level.clone();
    outcome.output_size = extended.len() as u64;
    outcome.warnings.extend(report.warnings);
    Ok((extended, outcome))
}

/// Signs at B-LT or B-LTA in one pass over the input: the B-T signature goes into `output`
/// (the input copied once, hashed for the signature and for the document time-stamp alike),
/// its revision is kept in memory, and the extension appends to the same output.
fn sign_long_term(
    source: Arc<dyn ByteSource>,
    output: &Path,
    signer: &dyn Signer,
    opts: &SignOptions,
) -> Result<SignOutcome> {
    let ltv = opts.ltv_request();
    let mut out = AtomicOutput::create(output)?;
    let named = |e| match e {
        Error::Io { source, .. } => Error::io(output, source),
        other => other,
    };
    let hasher = ltv
        .timestamp
        .as_ref()
        .map(|t| crate::crypto::Hasher::new(t.digest));
    let mut recording = crate::sign::Recording::new(out.writer(), hasher);
    let mut outcome =
        crate::sign::sign_into(source.clone(), &mut recording, signer, opts).map_err(named)?;
    let (tail, hashed) = recording.finish();
    let appended = Appended::continuing(source, tail, hashed, ltv.pdf_password.clone());
    let report = extend_appended(appended, out.writer(), &ltv).map_err(named)?;
    out.commit()?;
    outcome.level = report.level.clone();
    outcome.output_size = report.output_size;
    outcome.warnings.extend(report.warnings);
    for certificate in report.missing_revocation {
        outcome
            .warnings
            .push(SignWarning::NoRevocationData { certificate });
    }
    Ok(outcome)
}

/// One signature or time-stamp of the document, as the extension sees it.
pub(crate) struct Item {
    pub entry: SignatureEntry,
    pub signed_data: Option<SignedData>,
    /// The TSA token: the document time-stamp itself, or the signature's time-stamp.
    pub timestamp: Option<TimestampToken>,
    /// Why the CMS or a time-stamp token could not be read: the item then gets no validation
    /// data, and the report says so (never a silent skip).
    pub problem: Option<String>,
}

impl Item {
    fn is_document_timestamp(&self) -> bool {
        self.entry.is_document_timestamp()
    }
}

fn items(doc: &Document) -> Result<Vec<Item>> {
    let entries = find_signatures(doc)?;
    Ok(entries
        .into_iter()
        .map(|entry| {
            let mut problem = None;
            let signed_data = match SignedData::parse(&entry.contents) {
                Ok(sd) => Some(sd),
                Err(e) => {
                    problem = Some(format!("its CMS (/Contents) cannot be read: {e}"));
                    None
                }
            };
            let token = if entry.is_document_timestamp() {
                Some(TimestampToken::parse(&entry.contents))
            } else {
                // ETSI EN 319 142-1 §5.3: the signature time-stamp, an unsigned attribute.
                signed_data.as_ref().and_then(|sd| {
                    sd.signer_infos.first().and_then(|si| {
                        si.unsigned_attrs
                            .iter()
                            .find(|a| a.oid == oid::SIGNATURE_TIMESTAMP_TOKEN)
                            .and_then(|a| a.values.first())
                            .map(|v| TimestampToken::parse(v))
                    })
                })
            };
            let timestamp = match token {
                Some(Ok(t)) => Some(t),
                Some(Err(e)) => {
                    problem.get_or_insert(format!("its time-stamp token cannot be read: {e}"));
                    None
                }
                None => None,
            };
            Item {
                entry,
                signed_data,
                timestamp,
                problem,
            }
        })
        .collect())
}

/// The extension flow, writing the input then the new revisions to `out`.
pub fn extend_to(
    source: Arc<dyn ByteSource>,
    out: &mut dyn Write,
    opts: &LtvOptions,
) -> Result<ExtendReport> {
    extend_appended(Appended::new(source, opts.pdf_password.clone()), out, opts)
}

/// The extension flow on top of what `appended` holds; writes what the output lacks.
fn extend_appended(
    mut appended: Appended,
    out: &mut dyn Write,
    opts: &LtvOptions,
) -> Result<ExtendReport> {
    if opts.level < PadesLevel::BLT {
        return Err(Error::InvalidArgument(
            "extension targets B-LT or B-LTA (B-T is reached when signing, with a time-stamp authority)".into(),
        ));
    }
    // New revisions of an encrypted document are encrypted with its key (pdf::writer).
    let mut doc = appended.document()?;
    let mut list = items(&doc)?;
    if list.iter().all(|i| i.is_document_timestamp()) {
        return Err(Error::InvalidArgument(
            "the document has no signature to extend".into(),
        ));
    }
    let mut report = ExtendReport {
        signatures: list.iter().filter(|i| !i.is_document_timestamp()).count(),
        ..ExtendReport::default()
    };
    let now = OffsetDateTime::now_utc();

    // B-LT needs each signature to be at B-T first (ETSI EN 319 142-1 §6.3): a document
    // time-stamp stands in for missing signature time-stamps.
    // Never the default: a document of document time-stamps only was refused above.
    let last_signature = list
        .iter()
        .rposition(|i| !i.is_document_timestamp())
        .unwrap_or(0);
    let untimed = list.iter().enumerate().any(|(n, i)| {
        !i.is_document_timestamp()
            && i.timestamp.is_none()
            && !list[n..].iter().any(|d| d.is_document_timestamp())
    });
    if untimed && opts.level == PadesLevel::BLT {
        let tsa = opts.timestamp.as_ref().ok_or_else(|| Error::Needs {
            need: crate::error::Need::TimestampAuthority,
            detail: "a signature has no time-stamp: B-LT needs one first".into(),
        })?;
        let token = appended.append_doc_timestamp(&doc, tsa)?;
        note_timestamp(&mut report, &token);
        doc = appended.document()?;
        list = items(&doc)?;
    }

    // The DSS with everything the signatures and time-stamps need.
    let data = gather::gather(&doc, &list, opts, now);
    report
        .missing_revocation
        .extend(data.missing.iter().cloned());
    report.warnings.extend(data.warnings.iter().cloned());
    if !data.is_empty() {
        count(&mut report, &data);
        appended.append_dss(&doc, &data)?;
        doc = appended.document()?;
    }

    if opts.level == PadesLevel::BLTA {
        let latest_archive = list
            .iter()
            .enumerate()
            .filter(|(n, i)| i.is_document_timestamp() && *n > last_signature)
            // An unreadable archive time-stamp (reported by gather) does not count: a new one
            // is then added rather than trusting an expiry that cannot be read.
            .filter_map(|(_, i)| i.timestamp.as_ref())
            .next_back()
            .map(tsa_expiry);
        let renew = match latest_archive {
            None => true,
            Some(None) => true,
            Some(Some(expiry)) => expiry - now < opts.renew_within,
        };
        if renew || untimed {
            let tsa = opts.timestamp.as_ref().ok_or_else(|| Error::Needs {
                need: crate::error::Need::TimestampAuthority,
                detail: "B-LTA needs a time-stamp authority".into(),
            })?;
            let token = appended.append_doc_timestamp(&doc, tsa)?;
            note_timestamp(&mut report, &token);
            doc = appended.document()?;
            // The new time-stamp's own validation data, so that it verifies offline later.
            let list = items(&doc)?;
            let data = gather::gather(&doc, &list, opts, now);
            report.warnings.extend(data.warnings.iter().cloned());
            if !data.is_empty() {
                count(&mut report, &data);
                appended.append_dss(&doc, &data)?;
            }
        } else if let Some(Some(expiry)) = latest_archive {
            report
                .warnings
                .push(SignWarning::ArchiveTimestampStillValid {
                    until: crate::vntime::rfc3339(expiry),
                });
        }
    }

    report.unchanged = appended.is_empty();
    report.level = format!("PAdES-{}", opts.level.name());
    report.output_size = appended.write_to(out)?;
    Ok(report)
}

fn note_timestamp(report: &mut ExtendReport, token: &TimestampToken) {
    report.document_timestamp = Some(crate::vntime::rfc3339(token.info.gen_time));
    report.timestamp_authority = tsa_certificate(token).map(|c| c.subject.to_rfc4514());
}

fn count(report: &mut ExtendReport, data: &gather::Gathered) {
    report.certificates_added += data.certs.len();
    report.ocsp_responses_added += data.ocsps.len();
    report.crls_added += data.crls.len();
}

/// When a time-stamp stops being verifiable without renewal: its TSA certificate's notAfter.
fn tsa_expiry(token: &TimestampToken) -> Option<OffsetDateTime> {
    tsa_certificate(token).map(|c| c.not_after)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_parse_and_order() {
        assert_eq!(PadesLevel::parse("B-LTA").unwrap(), PadesLevel::BLTA);
        assert_eq!(PadesLevel::parse("pades-b-lt").unwrap(), PadesLevel::BLT);
        assert_eq!(PadesLevel::parse(" t ").unwrap(), PadesLevel::BT);
        assert_eq!(PadesLevel::parse("B-B").unwrap(), PadesLevel::BB);
        assert!(PadesLevel::parse("B-X").is_err());
        assert!(PadesLevel::BB < PadesLevel::BT && PadesLevel::BLT < PadesLevel::BLTA);
    }

    #[test]
    fn vri_key_is_upper_case_sha1() {
        assert_eq!(
            signature_vri_key(b"abc"),
            "A9993E364706816ABA3E25717850C26C9CD0D89D"
        );
    }

    /// A signature whose CMS cannot be read gets no validation data, and the report says
    /// so instead of skipping it silently.
    #[test]
    fn unreadable_cms_is_reported_not_skipped() {
        let mut pdf = std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../fixtures/docs/congvan-signed-pyhanko.pdf"),
        )
        .unwrap();
        let doc = Document::open(Arc::new(MemorySource::new(pdf.clone()))).unwrap();
        let good = items(&doc).unwrap();
        assert!(good[0].signed_data.is_some() && good[0].problem.is_none());

        // Overwrite the start of /Contents (the SignedData's SEQUENCE header) with zeros.
        let at = pdf
            .windows(11)
            .position(|w| w == b"/Contents <")
            .expect("a /Contents hex string")
            + 11;
        pdf[at..at + 16].copy_from_slice(b"0000000000000000");
        let doc = Document::open(Arc::new(MemorySource::new(pdf))).unwrap();
        let list = items(&doc).unwrap();
        assert!(list[0].signed_data.is_none());
        let problem = list[0].problem.as_deref().expect("the problem is kept");
        assert!(problem.contains("cannot be read"), "{problem}");
        let data = gather::gather(
            &doc,
            &list,
            &LtvOptions::default(),
            OffsetDateTime::now_utc(),
        );
        assert!(
            data.missing.iter().any(|m| m.contains("cannot be read")),
            "{:?}",
            data.missing
        );
    }

    #[test]
    fn extension_needs_a_signature_and_a_level() {
        let unsigned = std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../fixtures/docs/congvan.pdf"),
        )
        .unwrap();
        let e = extend_bytes(&unsigned, &LtvOptions::default()).unwrap_err();
        assert!(e.to_string().contains("no signature"), "{e}");
        let opts = LtvOptions {
            level: PadesLevel::BT,
            ..LtvOptions::default()
        };
        assert!(extend_bytes(&unsigned, &opts).is_err());
    }
}
