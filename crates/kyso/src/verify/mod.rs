//! Verification: for every signature, the ByteRange rules, the CMS checks, the signer's chain,
//! folded into ETSI EN 319 102-1 indications. Nothing here prints or words anything: the report
//! holds facts, and the front doors fill its words with `crate::text::report::localise` in the
//! language they chose.
//!
//! For each signature dictionary of the PDF (ISO 32000-1 §12.8), in the order of the building
//! blocks of ETSI EN 319 102-1 §5.2: the ByteRange rules ([`byte_range`], ETSI EN 319 142-1
//! §5.3), the CMS SignedData (RFC 5652 §5, `crate::cms`) with its signed attributes and the
//! signing certificate's binding (RFC 5035), the signature value, the signer's chain and
//! revocation ([`trust`], RFC 5280 §6.1), the time-stamps (RFC 3161) and past signature
//! validation (§5.6.2.4), the changes made after it ([`crate::diff`], ISO 32000-1 §12.8.2) and
//! the visual comparison ([`crate::visual`]). Each step either passes or sets the signature's
//! indication with a [`Note`] as its reason; the most severe indication of all signatures is the
//! document's. Front doors (`kyso verify`, the local service, the C ABI) call [`verify_file`]
//! or [`verify_bytes`]; the PAdES level ([`SignatureReport::level`]) and the Decree 30/2020
//! check ([`crate::decree30`]) are in the same [`Report`].

mod binding;
pub mod byte_range;
mod level;
pub mod note;
pub mod own_certificate;
pub mod report;
mod timestamps;
pub mod trust;

use std::path::Path;
use std::sync::Arc;

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

pub use report::{
    Indication, Report, SignatureReport, SignerSummary, SubIndication, TimestampReport,
};

use crate::cms::{self, EssStatus, SignedData};
use crate::crypto::{DigestAlgorithm, Hasher, SignatureScheme};
use crate::diff::{Analyser, FieldLock, Permissions};
use crate::error::{Error, Result};
use crate::pdf::signatures::{find_signatures, stream_range, ContentsProblem, SignatureEntry};
use crate::pdf::{ByteSource, Document, FileSource, MemorySource};
use crate::pki::{Certificate, PublicKeyKind};
use crate::vntime;

use note::Note;

/// How to verify.
///
/// `#[non_exhaustive]`: fields may be added in a minor release. Outside kyso, start from
/// [`Default`] and set the fields you need (`let mut o = VerifyOptions::default(); o.field = …;`).
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct VerifyOptions {
    /// Trust anchors (trust store, `--trust`): a signer's chain must end at one. Empty: every
    /// intact signature is INDETERMINATE with [`Note::NoTrustAnchorConfigured`].
    pub trust: Vec<Certificate>,
    /// Extra certificates to build chains with (not trusted by themselves).
    pub extra_certs: Vec<Certificate>,
    /// Validate as of this time instead of now.
    pub validation_time: Option<OffsetDateTime>,
    /// Extra revocation data: CRLs (DER or PEM), e.g. from `--crl`.
    pub crls: Vec<Vec<u8>>,
    /// Fetch OCSP responses and CRLs over the network (the CLI's default; off in the library
    /// unless asked, so that embedding applications decide).
    pub online: bool,
    /// Whether the signer's certificate needs a revocation answer; [`trust::RevocationPolicy::Off`]
    /// skips revocation and says so in every signature's warnings.
    pub revocation: trust::RevocationPolicy,
    /// Accept CA certificates whose revocation status cannot be determined (a warning, and
    /// `accept_unknown_ca_status` in the report) instead of INDETERMINATE.
    pub accept_unknown_ca_status: bool,
    /// Requests and time verification of one document may spend on the network.
    pub network: crate::net::NetworkBudget,
    /// The password of an encrypted document (the empty user password when not given).
    pub pdf_password: crate::pdf::Password,
    /// The visual check (issue 14): on by default.
    pub visual: crate::visual::VisualOptions,
    /// Tests only: the change analysis's verdict is ignored (its list of allowed widgets still
    /// feeds the visual check), to show that the visual check alone catches visual attacks.
    #[doc(hidden)]
    pub change_analysis_off: bool,
}

/// Revocation data and network access shared by every signature of a document.
struct Evidence {
    crls: Vec<crate::pki::crl::Crl>,
    /// The CRLs that came from the document (DSS, CMS), a subset of `crls`.
    embedded_crls: Vec<crate::pki::crl::Crl>,
    ocsps: Vec<crate::pki::ocsp::OcspResponse>,
    http: Option<Arc<dyn crate::net::HttpClient>>,
}

/// Verifies the PDF at `path` (facts only: see [`verify_source`] for the words).
///
/// # Errors
///
/// As [`verify_source`], and when the file cannot be opened ([`Error::Io`]).
pub fn verify_file(path: &Path, opts: &VerifyOptions) -> Result<Report> {
    let src = FileSource::open(path)?;
    let mut report = verify_source(Arc::new(src), opts)?;
    report.file = Some(path.display().to_string());
    Ok(report)
}

/// Verifies a PDF held in memory (facts only: see [`verify_source`] for the words).
///
/// # Errors
///
/// As [`verify_source`]: only when the bytes cannot be read as a PDF at all.
///
/// # Examples
///
/// A PAdES signature made by pyHanko with the test PKI, checked against the test root (offline,
/// revocation turned off), then put into words in kyso's default language, Vietnamese:
///
/// ```
/// use kyso::pki::Certificate;
/// use kyso::text::report::localise;
/// use kyso::verify::{trust::RevocationPolicy, verify_bytes, Indication, VerifyOptions};
///
/// let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures");
/// let pdf = std::fs::read(format!("{fixtures}/docs/congvan-signed-pyhanko.pdf"))?;
/// let root = std::fs::read(format!("{fixtures}/pki/root.pem"))?;
/// let mut opts = VerifyOptions::default();
/// opts.trust = Certificate::parse_pem_or_der(&root)?;
/// opts.revocation = RevocationPolicy::Off;
/// let mut report = verify_bytes(&pdf, &opts)?;
/// let sig = &report.signatures[0];
/// assert_eq!(sig.indication, Indication::TotalPassed);
/// assert_eq!(sig.level, "PAdES-B-B");
/// assert!(sig.warning_codes.contains(&"REVOCATION_NOT_CHECKED"));
///
/// localise(&mut report, Default::default());
/// assert!(report.signatures[0].message.starts_with("Chữ ký hợp lệ"));
/// assert_eq!(report.exit_code(), 0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn verify_bytes(pdf: &[u8], opts: &VerifyOptions) -> Result<Report> {
    verify_source(Arc::new(MemorySource::new(pdf.to_vec())), opts)
}

/// `kyso compare`: for every signature (or only `signature`, 1-based) that does not cover the
/// whole file, its signed version compared with the final file at `dpi`. The change analysis
/// runs (it names the widgets allowed to appear), but the comparison is made whatever it found.
///
/// # Errors
///
/// As [`verify_source`], and [`Error::InvalidArgument`] when `signature` is 0 or larger than
/// the number of signatures.
pub fn compare_visual(
    source: Arc<dyn ByteSource>,
    signature: Option<usize>,
    dpi: f64,
    max_pages: usize,
) -> Result<Vec<crate::visual::Comparison>> {
    let opts = VerifyOptions {
        revocation: trust::RevocationPolicy::Off,
        visual: crate::visual::VisualOptions {
            enabled: true,
            dpi,
            max_pages,
        },
        change_analysis_off: true,
        ..Default::default()
    };
    let bytes = Arc::new(source.read_vec(0, source.len() as usize)?);
    let report = verify_source(source, &opts)?;
    if let Some(n) = signature {
        if n == 0 || n > report.signatures.len() {
            return Err(Error::InvalidArgument(format!(
                "there is no signature {n}: the file has {}",
                report.signatures.len()
            )));
        }
    }
    let chosen = report
        .signatures
        .iter()
        .enumerate()
        .filter(|(i, _)| signature.is_none_or(|n| n == i + 1))
        .filter_map(|(i, s)| {
            let (Some(v), Some(br)) = (&s.visual, &s.byte_range) else {
                return None;
            };
            Some(crate::visual::Compared {
                signature: i + 1,
                field: s.field.clone(),
                signed_len: br.get(2).zip(br.get(3)).map(|(c, d)| (c + d) as usize),
                visual: v,
            })
        });
    Ok(crate::visual::compare_signed(bytes, chosen, dpi))
}

/// Verifies the PDF read from `source`. Errors only when the file cannot be read as a PDF at
/// all; everything wrong with a signature is in the report.
///
/// # Errors
///
/// When the bytes are not a PDF kyso can parse (header, cross-reference table, trailer), an
/// encrypted document cannot be opened with [`VerifyOptions::pdf_password`], or a CRL in
/// [`VerifyOptions::crls`] is unreadable. Never for a bad signature: that is its indication.
///
/// The report holds facts (indications, notes with their codes, modifications); its words
/// (`message`, `warnings`, `verdict`, change descriptions) stay empty until the caller fills
/// them in a language with `kyso::text::report::localise`, as every front door does.
pub fn verify_source(source: Arc<dyn ByteSource>, opts: &VerifyOptions) -> Result<Report> {
    let doc = Document::open_with_password(source, &opts.pdf_password)?;
    let entries = find_signatures(&doc)?;
    // ISO 32000-1 §12.8.1: the /Contents gap is not signed; structure found there is an attack.
    doc.set_signature_gaps(entries.iter().filter_map(|e| e.contents_span).collect());
    let structure_problems = doc.gap_problems();
    let now = opts.validation_time.unwrap_or_else(OffsetDateTime::now_utc);
    let warnings = doc.warnings.clone();
    let notes: Vec<Note> = doc
        .repairs
        .iter()
        .map(|r| Note::FileRepaired { repair: r.clone() })
        .collect();
    // Certificates, CRLs and OCSP responses the document carries in its DSS
    // (ETSI EN 319 142-1 §5.4.2) help build chains and answer revocation offline.
    let mut opts = opts.clone();
    let given_crls = parse_given_crls(&opts.crls)?;
    // The caller's CRLs come first; the document's own (DSS, signed attributes) after them.
    let given = given_crls.len();
    let mut evidence = Evidence {
        crls: given_crls,
        embedded_crls: Vec::new(),
        ocsps: Vec::new(),
        http: None,
    };
    // Every request counts against the document's budget and is listed in the report.
    // Without the `net` feature there is no live client: as offline.
    let per_request = crate::net::DEFAULT_TIMEOUT.min(opts.network.deadline);
    let budgeted = opts
        .online
        .then(|| crate::net::live_client(per_request))
        .flatten()
        .map(|live| Arc::new(crate::net::BudgetedClient::new(live, opts.network)));
    if let Some(b) = &budgeted {
        evidence.http = Some(Arc::new(crate::net::CachingClient::new(b.clone())));
    }
    // Evidence only (here and below): an unreadable DSS, certificate, CRL or OCSP answer is
    // left out, which can only leave a chain unbuilt or a status unknown (INDETERMINATE),
    // never make a signature pass.
    if let Ok(dss) = crate::pdf::dss::read_dss(&doc) {
        opts.extra_certs.extend(
            dss.certs
                .iter()
                .filter_map(|c| Certificate::from_der(c).ok()),
        );
        evidence.crls.extend(
            dss.crls
                .iter()
                .filter_map(|c| crate::pki::crl::Crl::from_der(c).ok()),
        );
        evidence.ocsps.extend(
            dss.ocsps
                .iter()
                .filter_map(|o| crate::pki::ocsp::OcspResponse::parse(o).ok()),
        );
    }
    for entry in &entries {
        if let Ok(sd) = SignedData::parse(&entry.contents) {
            let (crls, ocsps) = revocation_archival(&sd);
            evidence.crls.extend(
                crls.iter()
                    .filter_map(|c| crate::pki::crl::Crl::from_der(c).ok()),
            );
            evidence.ocsps.extend(
                ocsps
                    .iter()
                    .filter_map(|o| crate::pki::ocsp::OcspResponse::parse(o).ok()),
            );
        }
    }
    evidence.embedded_crls = evidence.crls.iter().skip(given).cloned().collect();
    let evidence = &evidence;
    let opts = &opts;
    let mut analyser = Analyser::new(&doc);
    let visual = crate::visual::Session::new(&doc, opts.visual.clone());
    let coverages: Vec<byte_range::Coverage> =
        entries.iter().map(|e| byte_range::check(&doc, e)).collect();
    let certification = find_certification(&doc, &entries, &coverages);
    for (e, c) in entries.iter().zip(&coverages) {
        if let (Some(rev), Some(sig), None) = (c.revision, e.reference, &c.problem) {
            analyser.signature_of_revision(rev, sig);
        }
    }
    let doc_timestamps: Vec<usize> = entries
        .iter()
        .zip(&coverages)
        .filter(|(e, _)| e.is_document_timestamp())
        .filter_map(|(_, c)| c.revision)
        .collect();
    // Newest first, so that a document time-stamp that passes proves the existence of
    // everything in the revisions it covers (ETSI EN 319 102-1 §5.6.2.1) for the older ones.
    let mut proven: Vec<(usize, OffsetDateTime)> = Vec::new();
    let mut signatures: Vec<Option<SignatureReport>> = vec![None; entries.len()];
    for i in (0..entries.len()).rev() {
        let e = &entries[i];
        let ctx = SignatureContext {
            index: i,
            entries: &entries,
            certification: certification.as_ref(),
            structure_problems: &structure_problems,
            visual: &visual,
        };
        let signed_rev = coverages[i].revision;
        let archive_poe = signed_rev.and_then(|r| {
            proven
                .iter()
                .filter(|(pr, _)| *pr >= r)
                .map(|(_, t)| *t)
                .min()
        });
        let time = TimeContext {
            now,
            archive_poe,
            doc_timestamps: &doc_timestamps,
        };
        let report = verify_signature(
            &doc,
            e,
            coverages[i].clone(),
            opts,
            &time,
            &mut analyser,
            &ctx,
            evidence,
        );
        if e.is_document_timestamp() && report.indication == Indication::TotalPassed {
            if let (Some(r), Some(t)) = (
                signed_rev,
                report
                    .signing_time
                    .as_deref()
                    .and_then(|t| OffsetDateTime::parse(t, &Rfc3339).ok()),
            ) {
                proven.push((r, t));
            }
        }
        signatures[i] = Some(report);
    }
    let mut signatures: Vec<SignatureReport> = signatures.into_iter().flatten().collect();
    // Decree 30/2020: roles and layout, a verdict of its own (never the ETSI indication).
    let facts: Vec<crate::decree30::SignatureFacts> =
        signatures.iter().map(decree30_facts).collect();
    let (decree30, roles) = crate::decree30::assess(&doc, &entries, &facts, &opts.trust);
    for (s, role) in signatures.iter_mut().zip(roles) {
        s.role = role;
    }
    let indication = signatures
        .iter()
        .map(|s| s.indication)
        .max()
        .unwrap_or(Indication::Indeterminate);
    let report = Report {
        file: None,
        indication,
        signatures,
        revisions: doc.revisions.len(),
        warnings,
        warning_codes: notes.iter().map(Note::code).collect(),
        notes,
        validation_time: vntime::rfc3339(now),
        accept_unknown_ca_status: opts.accept_unknown_ca_status,
        contacted: budgeted.map(|b| b.contacts()).unwrap_or_default(),
        revocation_checked: opts.revocation != trust::RevocationPolicy::Off,
        verdict: String::new(),
        verdict_class: "",
        decree30,
        encryption: doc.security().map(|s| s.scheme()),
    };
    // No words here: each front door renders them (`text::report::localise`) in its language.
    Ok(report)
}

/// What the Decree 30 check reads of a signature's report.
fn decree30_facts(s: &SignatureReport) -> crate::decree30::SignatureFacts<'_> {
    let signer = s.signer.as_ref();
    crate::decree30::SignatureFacts {
        field: &s.field,
        document_timestamp: s.kind == "document-timestamp",
        common_name: signer.and_then(|x| x.common_name.as_deref()),
        title: signer.and_then(|x| x.title.as_deref()),
        organization: signer.and_then(|x| x.organization.as_deref()),
        signing_time: s.signing_time.as_deref(),
        covers_whole_document: s.covers_whole_document,
        revision: s.revision,
        revisions_after: s.revisions_after,
        modifications: &s.modifications,
        trust_anchor: s.trust_anchor.as_deref(),
        root_sha256: s.certificates.last().map(|c| c.sha256_fingerprint.as_str()),
    }
}

/// Verdict under construction: the first failure decides.
struct Verdict {
    indication: Indication,
    sub: Option<SubIndication>,
    message: Option<Note>,
    /// kyso's reason code of the deciding outcome, when it has one (`kyso_reason`).
    reason: Option<String>,
}

impl Verdict {
    fn new() -> Self {
        Verdict {
            indication: Indication::TotalPassed,
            sub: None,
            message: None,
            reason: None,
        }
    }

    /// Records an outcome unless a graver one is already recorded.
    fn set(&mut self, indication: Indication, sub: SubIndication, message: Note) {
        if indication > self.indication {
            self.indication = indication;
            self.sub = Some(sub);
            self.message = Some(message);
            self.reason = None;
        }
    }

    /// As [`Verdict::set`], with kyso's reason code for the report's `kyso_reason`.
    fn set_because(
        &mut self,
        reason: &'static str,
        indication: Indication,
        sub: SubIndication,
        message: Note,
    ) {
        if indication > self.indication {
            self.set(indication, sub, message);
            self.reason = Some(reason.to_string());
        }
    }

    /// As [`Verdict::set`], with kyso's reason code for the outcome.
    fn set_coded(&mut self, outcome: (Indication, SubIndication, Note), code: Option<&str>) {
        let before = self.indication;
        self.set(outcome.0, outcome.1, outcome.2);
        if self.indication != before {
            self.reason = code.map(str::to_string);
        }
    }
}

/// The document's certification signature (ISO 32000-1 §12.8.2.2).
struct Certification {
    /// Index into the signature list.
    index: usize,
    /// DocMDP /P (2 when absent; 1 when it cannot be read).
    permission: i64,
    /// Why /P could not be read, when it could not: the changes after it are then judged
    /// under P = 1 and, where only that makes them disallowed, INDETERMINATE.
    unreadable: Option<String>,
}

/// The certification signature and its DocMDP /P (ISO 32000-1 §12.8.2.2, Table 254): the
/// stricter of what the certifier signed (the signature dictionary's /Reference as its signed
/// revision defines it) and what a viewer reads (the catalog's /Perms /DocMDP in the last
/// revision). Either one unreadable gives P = 1 with the reason, never the default 2.
fn find_certification(
    doc: &Document,
    entries: &[SignatureEntry],
    coverages: &[byte_range::Coverage],
) -> Option<Certification> {
    use crate::pdf::signatures::{docmdp_permission, docmdp_permission_of};
    let signed_rev = |i: usize| {
        coverages
            .get(i)
            .and_then(|c| c.revision)
            .unwrap_or_else(|| doc.last_revision())
    };
    // A certification as the last revision reads it or as its signed revision defined it: a
    // later revision that redefines its /Reference does not make it an approval signature.
    let index = entries
        .iter()
        .enumerate()
        .position(|(i, e)| e.is_certification(doc) || certifies_at(doc, e, signed_rev(i)))?;
    let rev = signed_rev(index);
    let signed = signed_dict(doc, &entries[index], rev)
        .and_then(|d| docmdp_permission_of(doc, rev, &d))
        .map_err(|e| e.to_string());
    // A catalog without /Perms (Ok(None)) adds nothing: removing it after signing is a
    // disallowed change the diff reports (`PermsChanged`); the signed /P stands.
    let viewer = docmdp_permission(doc).map_err(|e| e.to_string());
    let (permission, unreadable) = match (signed, viewer) {
        (Ok(p), Ok(v)) => (v.map_or(p, |v| p.min(v)), None),
        (Err(e), _) | (_, Err(e)) => (1, Some(e)),
    };
    Some(Certification {
        index,
        permission,
        unreadable,
    })
}

/// Whether the signature dictionary, as revision `rev` defines it, has a DocMDP transform
/// (ISO 32000-1 §12.8.2.2). Unreadable: no, as [`SignatureEntry::is_certification`] reads it
/// (a /Reference unreadable in the signed revision was so when signed; redefined later, the
/// diff refuses the change).
fn certifies_at(doc: &Document, entry: &SignatureEntry, rev: usize) -> bool {
    let Ok(sig) = signed_dict(doc, entry, rev) else {
        return false;
    };
    let Some(Ok(refs)) = sig.get("Reference").map(|r| doc.resolve_at(rev, r)) else {
        return false;
    };
    refs.as_array().unwrap_or(&[]).iter().any(|r| {
        matches!(doc.resolve_dict_at(rev, r), Ok(Some(d)) if d.has_name("TransformMethod", "DocMDP"))
    })
}

/// The signature dictionary as revision `rev` (the one it signs) defines it.
fn signed_dict(doc: &Document, entry: &SignatureEntry, rev: usize) -> Result<crate::pdf::Dict> {
    match entry.reference {
        // A direct dictionary is part of the field, read with it.
        None => Ok(entry.dict.clone()),
        Some(r) => doc
            .resolve_dict_at(rev, &crate::pdf::Object::Ref(r))?
            .ok_or_else(|| {
                Error::MalformedPdf(format!(
                    "signature dictionary {} {} R is not a dictionary in the revision it signs",
                    r.num, r.gen
                ))
            }),
    }
}

/// Times for one signature: the validation time, and what document time-stamps prove.
struct TimeContext<'a> {
    now: OffsetDateTime,
    /// The earliest genTime of a passed document time-stamp covering this signature.
    archive_poe: Option<OffsetDateTime>,
    /// Signed revisions (0-based) of the document time-stamps.
    doc_timestamps: &'a [usize],
}

/// Where a signature stands among the document's signatures.
struct SignatureContext<'a> {
    index: usize,
    entries: &'a [SignatureEntry],
    certification: Option<&'a Certification>,
    /// Structure found where no structure may be (inside /Contents gaps).
    structure_problems: &'a [String],
    /// The document's visual checks.
    visual: &'a crate::visual::Session<'a>,
}

#[allow(clippy::too_many_arguments)]
fn verify_signature(
    doc: &Document,
    entry: &SignatureEntry,
    coverage: byte_range::Coverage,
    opts: &VerifyOptions,
    time: &TimeContext,
    analyser: &mut Analyser,
    ctx: &SignatureContext,
    evidence: &Evidence,
) -> SignatureReport {
    let is_timestamp = entry.is_document_timestamp();
    let mut verdict = Verdict::new();
    let mut warnings = Vec::new();
    let mut checks = report::Checks {
        byte_range_ok: coverage.problem.is_none(),
        ..report::Checks::default()
    };
    format_checking(&coverage, entry, ctx, &mut verdict);

    let mut report = new_report(doc, entry, &coverage);

    // The CMS: exactly one SignerInfo, content detached (except for time-stamp tokens).
    let sd = match SignedData::parse(&entry.contents) {
        Ok(sd) => Some(sd),
        Err(e) => {
            verdict.set(
                Indication::TotalFailed,
                SubIndication::FormatFailure,
                Note::CmsUnreadable {
                    error: e.to_string(),
                },
            );
            None
        }
    };
    if let Some(sd) = &sd {
        // Who signed is worth reporting even when the ByteRange is unacceptable.
        if let Some(si) = sd.signer_infos.first() {
            describe_signer(sd, si, &mut report);
            if report.signing_time.is_none() {
                // Without /M, the CMS signing-time attribute (legacy signers) is the claim.
                report.signing_time = si
                    .signed_attrs
                    .as_ref()
                    .and_then(|a| a.signing_time)
                    .map(vntime::rfc3339);
            }
        }
        if let Some(ranges) = coverage.ranges {
            check_cms(
                doc,
                entry,
                sd,
                ranges,
                opts,
                time,
                coverage.revision,
                &mut verdict,
                &mut checks,
                &mut report,
                &mut warnings,
                evidence,
            );
        }
    }

    if let Some(rev) = coverage.revision {
        // Tests only: the analysis's verdict goes to a scratch verdict.
        let mut scratch = Verdict::new();
        let reason_before = report.kyso_reason.clone();
        let judged = if opts.change_analysis_off {
            &mut scratch
        } else {
            &mut verdict
        };
        judge_changes(
            doc,
            entry,
            rev,
            analyser,
            ctx,
            judged,
            &mut report,
            &mut warnings,
        );
        if opts.change_analysis_off {
            report.kyso_reason = reason_before;
        }
    }
    if let (Some(rev), Some([_, (c, d)]), None) =
        (coverage.revision, coverage.ranges, &coverage.problem)
    {
        if opts.visual.enabled && !coverage.covers_whole_document {
            visual_check(
                doc,
                rev,
                c + d,
                analyser,
                ctx,
                &mut verdict,
                &mut report,
                &mut warnings,
            );
        }
    }

    // The code of the outcome that decided the verdict wins over one noted on the way.
    if let Some(reason) = verdict.reason.take() {
        report.kyso_reason = Some(reason);
    }
    if verdict.indication == Indication::TotalPassed {
        verdict.message = Some(if is_timestamp {
            Note::DocumentTimestampValid
        } else {
            Note::SignatureValid
        });
    }
    if !report.covers_whole_document && coverage.problem.is_none() {
        warnings.push(Note::NotWholeFile {
            revisions_after: report.revisions_after,
            bytes_after: report.bytes_after,
        });
    }
    report.indication = verdict.indication;
    report.sub_indication = verdict.sub;
    report.message_code = verdict.message.as_ref().map(Note::code);
    report.note = verdict.message;
    report.warning_codes = warnings.iter().map(Note::code).collect();
    report.notes = warnings;
    report.revocation_checked = signer_revocation_checked(&report);
    report.checks = checks;
    report
}

/// Format checking (ETSI EN 319 102-1 §5.2.2) of the signature in the file: the ByteRange rules
/// (ISO 32000-1 §12.8.1), no file structure in a /Contents gap, /Contents a hexadecimal string
/// holding nothing after the CMS.
fn format_checking(
    coverage: &byte_range::Coverage,
    entry: &SignatureEntry,
    ctx: &SignatureContext,
    verdict: &mut Verdict,
) {
    if let Some(p) = &coverage.problem {
        verdict.set(
            Indication::TotalFailed,
            SubIndication::FormatFailure,
            p.clone(),
        );
    }
    if let Some(p) = ctx.structure_problems.first() {
        verdict.set(
            Indication::TotalFailed,
            SubIndication::FormatFailure,
            Note::StructureInGap { detail: p.clone() },
        );
    }
    match entry.contents_problem() {
        Some(ContentsProblem::NotHex) => verdict.set(
            Indication::TotalFailed,
            SubIndication::FormatFailure,
            Note::ContentsNotHex,
        ),
        Some(ContentsProblem::DataAfterSignature { bytes }) => verdict.set(
            Indication::TotalFailed,
            SubIndication::FormatFailure,
            Note::DataAfterSignature { bytes },
        ),
        None => {}
    }
}

/// The report of one signature with what its dictionary and ByteRange say, before any check.
fn new_report(
    doc: &Document,
    entry: &SignatureEntry,
    coverage: &byte_range::Coverage,
) -> SignatureReport {
    let is_timestamp = entry.is_document_timestamp();
    SignatureReport {
        field: entry.field_names.first().cloned().unwrap_or_default(),
        fields: entry.field_names.clone(),
        kind: if is_timestamp {
            "document-timestamp"
        } else {
            "signature"
        },
        indication: Indication::TotalPassed,
        sub_indication: None,
        message: String::new(),
        message_code: None,
        verdict: String::new(),
        verdict_class: "",
        revocation_checked: false,
        note: None,
        signer: None,
        signing_time: entry
            .signing_time_raw()
            .and_then(|m| vntime::parse_pdf_date(&m))
            .map(vntime::rfc3339),
        covers_whole_document: coverage.covers_whole_document,
        algorithm: None,
        modifications: Vec::new(),
        kyso_reason: None,
        sub_filter: entry.sub_filter(),
        byte_range: entry.byte_range.clone(),
        revision: coverage.revision.map(|r| r + 1),
        revisions_after: coverage.revisions_after,
        bytes_after: coverage.bytes_after,
        reason: entry.reason(),
        location: entry.location(),
        contact_info: entry.contact_info(),
        certification: entry.is_certification(doc),
        chain: Vec::new(),
        certificates: Vec::new(),
        revocation: Vec::new(),
        trust_anchor: None,
        checks: report::Checks::default(),
        warnings: Vec::new(),
        warning_codes: Vec::new(),
        notes: Vec::new(),
        level: if is_timestamp {
            "RFC3161".into()
        } else {
            String::new()
        },
        timestamps: Vec::new(),
        proof_of_existence: None,
        validated_at: None,
        role: None,
        visual: None,
    }
}

/// Whether the signer's certificate got a revocation answer (good or revoked).
fn signer_revocation_checked(report: &SignatureReport) -> bool {
    let signer = report.certificates.first().map(|c| c.subject.as_str());
    report
        .revocation
        .iter()
        .find(|r| Some(r.subject.as_str()) == signer)
        .is_some_and(|r| r.status == "good" || r.status == "revoked")
}

/// Hashes the signed byte ranges with `alg`.
fn hash_ranges(doc: &Document, ranges: [(u64, u64); 2], alg: DigestAlgorithm) -> Result<Vec<u8>> {
    let mut h = Hasher::new(alg);
    let total = ranges[0].1.saturating_add(ranges[1].1);
    let mut pass = crate::progress::Pass::start(crate::progress::Stage::VerifyHashing, total);
    for (off, len) in ranges {
        stream_range(doc, off, len, |chunk| {
            h.update(chunk);
            pass.advance(chunk.len() as u64);
        })?;
    }
    Ok(h.finish())
}

/// Reads the signed byte ranges into memory (only for legacy signatures without signed attributes).
fn read_ranges(doc: &Document, ranges: [(u64, u64); 2]) -> Result<Vec<u8>> {
    let total = ranges[0].1 + ranges[1].1;
    if total > 1 << 30 {
        return Err(Error::UnsupportedPdf(
            "legacy signature without signed attributes over more than 1 GiB".into(),
        ));
    }
    let mut out = Vec::with_capacity(total as usize);
    for (off, len) in ranges {
        stream_range(doc, off, len, |chunk| out.extend_from_slice(chunk))?;
    }
    Ok(out)
}

/// The CMS of one signature, through the building blocks of ETSI EN 319 102-1 §5.2: format
/// checking (§5.2.2), cryptographic verification (§5.2.7), identification of the signing
/// certificate (§5.2.3, with the binding of ETSI EN 319 122-1 §5.2.2), and X.509 certificate
/// validation (§5.2.6) with past signature validation (§5.6.2.4).
#[allow(clippy::too_many_arguments)]
fn check_cms(
    doc: &Document,
    entry: &SignatureEntry,
    sd: &SignedData,
    ranges: [(u64, u64); 2],
    opts: &VerifyOptions,
    time: &TimeContext,
    signed_rev: Option<usize>,
    verdict: &mut Verdict,
    checks: &mut report::Checks,
    report: &mut SignatureReport,
    warnings: &mut Vec<Note>,
    evidence: &Evidence,
) {
    let Some((si, digest)) = signer_info(sd, entry, verdict) else {
        return;
    };
    let Some(signer_check) = cryptographic_verification(
        doc, entry, sd, si, digest, ranges, verdict, checks, report, warnings,
    ) else {
        return;
    };
    binding::check(sd, si, entry, &signer_check, opts, verdict);
    let Some(cert) = signing_certificate(sd, &signer_check, verdict, warnings) else {
        return;
    };
    validate_signer(
        doc, entry, sd, si, cert, opts, time, signed_rev, verdict, checks, report, warnings,
        evidence,
    );
}

/// Format checking (ETSI EN 319 102-1 §5.2.2) of the CMS: one SignerInfo, detached unless a
/// time-stamp or `adbe.pkcs7.sha1`, a digest algorithm kyso knows.
fn signer_info<'a>(
    sd: &'a SignedData,
    entry: &SignatureEntry,
    verdict: &mut Verdict,
) -> Option<(&'a cms::SignerInfo, DigestAlgorithm)> {
    let fail = |v: &mut Verdict, sub, note: Note| v.set(Indication::TotalFailed, sub, note);
    // ETSI EN 319 142-1 §6.3 / PAdES: exactly one SignerInfo.
    if sd.signer_infos.len() != 1 {
        fail(
            verdict,
            SubIndication::FormatFailure,
            Note::SignerInfoCount {
                count: sd.signer_infos.len(),
            },
        );
        return None;
    }
    let si = &sd.signer_infos[0];
    let is_timestamp = entry.is_document_timestamp();
    let sub_filter = entry.sub_filter().unwrap_or_default();

    // ISO 32000-1 §12.8.3 / ISO 32000-2 Table 255: the encodings kyso verifies. Anything else
    // (or none) is not understood, and so not judged valid whatever its CMS says.
    const KNOWN: [&str; 3] = [
        "adbe.pkcs7.detached",
        "adbe.pkcs7.sha1",
        "ETSI.CAdES.detached",
    ];
    if !is_timestamp && !KNOWN.contains(&sub_filter.as_str()) {
        verdict.set(
            Indication::Indeterminate,
            SubIndication::FormatFailure,
            Note::SubFilterNotUnderstood {
                sub_filter: entry.sub_filter(),
            },
        );
        return None;
    }
    if !is_timestamp && sub_filter != "adbe.pkcs7.sha1" && sd.encap_content_present {
        fail(
            verdict,
            SubIndication::FormatFailure,
            Note::DetachedWithContent,
        );
        return None;
    }
    let Some(digest) = DigestAlgorithm::from_oid(&si.digest_algorithm.oid) else {
        verdict.set(
            Indication::Indeterminate,
            SubIndication::CryptoConstraintsFailure,
            Note::UnsupportedDigest {
                oid: si.digest_algorithm.oid.to_string(),
            },
        );
        return None;
    };
    Some((si, digest))
}

/// Cryptographic verification (ETSI EN 319 102-1 §5.2.7): the signed bytes (or the time-stamp
/// imprint) against the message-digest, the signature value against the signer's key.
#[allow(clippy::too_many_arguments)]
fn cryptographic_verification(
    doc: &Document,
    entry: &SignatureEntry,
    sd: &SignedData,
    si: &cms::SignerInfo,
    digest: DigestAlgorithm,
    ranges: [(u64, u64); 2],
    verdict: &mut Verdict,
    checks: &mut report::Checks,
    report: &mut SignatureReport,
    warnings: &mut Vec<Note>,
) -> Option<cms::verify::SignerCheck> {
    let fail = |v: &mut Verdict, sub, note: Note| v.set(Indication::TotalFailed, sub, note);
    let is_timestamp = entry.is_document_timestamp();
    let sub_filter = entry.sub_filter().unwrap_or_default();
    // What the SignerInfo signs: the byte ranges (detached), or the encapsulated content
    // (a time-stamp token's TSTInfo, or adbe.pkcs7.sha1's digest of the ranges).
    let encapsulated = sd.encap_content.as_deref();
    let signer_check = match (
        is_timestamp || sub_filter == "adbe.pkcs7.sha1",
        encapsulated,
    ) {
        (true, Some(content)) => {
            // The ranges are bound through the imprint inside the content.
            let inner_ok = if is_timestamp {
                check_timestamp_imprint(doc, ranges, content, report)
            } else {
                hash_ranges(doc, ranges, DigestAlgorithm::Sha1)
                    .map(|d| d == content)
                    .map_err(|e| e.to_string())
            };
            match inner_ok {
                Ok(true) => {}
                Ok(false) => {
                    checks.digest_matches = Some(false);
                    fail(
                        verdict,
                        SubIndication::HashFailure,
                        Note::ContentHashMismatch,
                    );
                }
                Err(error) => fail(
                    verdict,
                    SubIndication::FormatFailure,
                    Note::SignedBytesUnreadable { error },
                ),
            }
            let content_digest = crate::crypto::digest(digest, content);
            cms::verify::check_signer_info(sd, si, &content_digest, Some(content))
        }
        (true, None) => {
            fail(
                verdict,
                SubIndication::FormatFailure,
                Note::TimestampWithoutTstInfo,
            );
            return None;
        }
        (false, _) => {
            let content_digest = match hash_ranges(doc, ranges, digest) {
                Ok(d) => d,
                Err(e) => {
                    fail(
                        verdict,
                        SubIndication::FormatFailure,
                        Note::SignedBytesUnreadable {
                            error: e.to_string(),
                        },
                    );
                    return None;
                }
            };
            // RFC 5652 §5.4: without signed attributes the signature is over the content itself;
            // bytes that cannot be read are SIGNED_BYTES_UNREADABLE, not "no content".
            let content = match si.signed_attrs {
                Some(_) => None,
                None => match read_ranges(doc, ranges) {
                    Ok(c) => Some(c),
                    Err(e) => {
                        fail(
                            verdict,
                            SubIndication::FormatFailure,
                            Note::SignedBytesUnreadable {
                                error: e.to_string(),
                            },
                        );
                        return None;
                    }
                },
            };
            cms::verify::check_signer_info(sd, si, &content_digest, content.as_deref())
        }
    };

    let signer_cert = signer_check
        .signer_certificate
        .and_then(|i| sd.certificates.get(i));
    if let (Some(cert), Some(scheme)) = (signer_cert, signer_check.scheme) {
        report.algorithm = Some(describe_algorithm(cert, scheme, digest));
    } else if let Some(cert) = signer_cert {
        report.algorithm = Some(format!("{}, {}", describe_key(cert), digest.name()));
    }

    if checks.digest_matches.is_none() {
        checks.digest_matches = match &si.signed_attrs {
            Some(_) => signer_check.message_digest_matches,
            // Without signed attributes the signature itself covers the content (RFC 5652 §5.4).
            None => signer_check.scheme.map(|_| signer_check.signature_valid),
        };
    }
    checks.signature_valid = Some(signer_check.signature_valid);
    checks.signing_certificate_attribute = Some(
        match &signer_check.ess {
            EssStatus::MatchV2 => "v2",
            EssStatus::MatchV1 => "v1",
            EssStatus::Absent => "absent",
            EssStatus::Mismatch(_) => "mismatch",
        }
        .to_string(),
    );
    for p in &signer_check.problems {
        warnings.push(Note::CmsProblem { detail: p.clone() });
    }

    if signer_check.message_digest_matches == Some(false) {
        fail(
            verdict,
            SubIndication::HashFailure,
            Note::MessageDigestMismatch,
        );
    }
    if !signer_check.content_type_ok {
        fail(
            verdict,
            SubIndication::FormatFailure,
            Note::ContentTypeWrong,
        );
    }
    Some(signer_check)
}

/// Identification of the signing certificate (ETSI EN 319 102-1 §5.2.3): present and
/// well-formed, the one the signature value verifies with and ESS signing-certificate names.
fn signing_certificate<'a>(
    sd: &'a SignedData,
    signer_check: &cms::verify::SignerCheck,
    verdict: &mut Verdict,
    warnings: &mut Vec<Note>,
) -> Option<&'a Certificate> {
    let fail = |v: &mut Verdict, sub, note: Note| v.set(Indication::TotalFailed, sub, note);
    let signer_cert = signer_check
        .signer_certificate
        .and_then(|i| sd.certificates.get(i));
    let Some(cert) = signer_cert else {
        if sd.unparsed_certificates > 0 {
            fail(
                verdict,
                SubIndication::FormatFailure,
                Note::MalformedCertificate,
            );
            return None;
        }
        verdict.set(
            Indication::Indeterminate,
            SubIndication::NoSigningCertificateFound,
            Note::SignerCertificateMissing,
        );
        return None;
    };
    if !signer_check.signature_valid {
        let why = signer_check.signature_error.clone().unwrap_or_default();
        if signer_check.scheme.is_none() && why.contains("unsupported") {
            verdict.set(
                Indication::Indeterminate,
                SubIndication::CryptoConstraintsFailure,
                Note::UnsupportedSignatureAlgorithm { detail: why },
            );
        } else {
            fail(
                verdict,
                SubIndication::SigCryptoFailure,
                Note::SignatureValueInvalid { detail: why },
            );
        }
    }
    if let EssStatus::Mismatch(m) = &signer_check.ess {
        verdict.set(
            Indication::Indeterminate,
            SubIndication::NoSigningCertificateFound,
            Note::SigningCertificateMismatch {
                detail: m.to_string(),
            },
        );
    }
    if let PublicKeyKind::Rsa { bits } = cert.public_key {
        if bits < 2048 {
            warnings.push(Note::WeakRsaKey { bits });
        }
    }

    Some(cert)
}

/// X.509 certificate validation (ETSI EN 319 102-1 §5.2.6: RFC 5280 §6 path and revocation) at
/// the validation time, or at the time a trusted time-stamp proves (past signature validation,
/// §5.6.2.4); the signature's time-stamps (§5.4) and PAdES level on the way.
#[allow(clippy::too_many_arguments)]
fn validate_signer(
    doc: &Document,
    entry: &SignatureEntry,
    sd: &SignedData,
    si: &cms::SignerInfo,
    cert: &Certificate,
    opts: &VerifyOptions,
    time: &TimeContext,
    signed_rev: Option<usize>,
    verdict: &mut Verdict,
    checks: &mut report::Checks,
    report: &mut SignatureReport,
    warnings: &mut Vec<Note>,
    evidence: &Evidence,
) {
    let is_timestamp = entry.is_document_timestamp();
    // The chain to a trust anchor (RFC 5280 §6) and revocation, at the validation time, or at
    // the time a trusted time-stamp proves (past signature validation).
    let now = time.now;
    let mut pool = sd.certificates.clone();
    pool.extend(opts.extra_certs.iter().cloned());
    let ctx = trust::TrustContext {
        anchors: &opts.trust,
        crls: &evidence.crls,
        embedded_crls: &evidence.embedded_crls,
        ocsps: &evidence.ocsps,
        http: evidence.http.clone(),
        revocation: opts.revocation,
        accept_unknown_ca_status: opts.accept_unknown_ca_status,
        time: now,
        past: false,
        usage: if is_timestamp {
            crate::pki::validate::EndEntityUsage::TimeStamping
        } else {
            crate::pki::validate::EndEntityUsage::Signing
        },
    };
    let mut poe = time.archive_poe;
    if !is_timestamp {
        let (stamps, proven) =
            timestamps::signature_timestamps(si, &ctx, &opts.extra_certs, time.archive_poe);
        for t in &stamps {
            if let (false, Some(note)) = (t.indication == Indication::TotalPassed, &t.note) {
                warnings.push(note.clone());
            }
            if let Some(code) = t
                .kyso_reason
                .as_deref()
                .filter(|c| timestamps::taints_signature(c))
            {
                let sub = t.sub_indication.unwrap_or(SubIndication::OutOfBoundsNoPoe);
                if let Some(note) = t.note.clone() {
                    verdict.set_coded((Indication::Indeterminate, sub, note), Some(code));
                }
            }
        }
        report.timestamps = stamps;
        if let Some(t) = proven {
            poe = Some(poe.map_or(t, |p| p.min(t)));
        }
    }
    report.proof_of_existence = poe.map(vntime::rfc3339);
    let claimed = entry
        .signing_time_raw()
        .and_then(|m| vntime::parse_pdf_date(&m));
    let (mut outcome, at) = trust::assess_at_best_time(cert, &pool, &ctx, claimed, poe);
    let gen_time = report
        .signing_time
        .as_deref()
        .and_then(|t| OffsetDateTime::parse(t, &Rfc3339).ok())
        .filter(|_| is_timestamp);
    // Issue 20 item 5: a document time-stamp whose time its TSA certificate cannot vouch for.
    if let Some((code, note)) = gen_time.and_then(|g| timestamps::gen_time_problem(g, cert, now)) {
        let outcome = (
            Indication::Indeterminate,
            SubIndication::OutOfBoundsNoPoe,
            note,
        );
        verdict.set_coded(outcome, Some(code));
    }
    if is_timestamp && poe.is_none() {
        if let Some(gen_time) = gen_time {
            outcome = timestamps::stale_revocation_fallback(cert, &pool, &ctx, gen_time, outcome);
        }
    }
    report.validated_at = Some(vntime::rfc3339(at));
    if at != now {
        warnings.push(Note::PastValidation { at });
    }
    if !is_timestamp {
        report.level = level::signature_level(
            doc,
            entry,
            signed_rev,
            cert,
            &pool,
            !report.timestamps.is_empty()
                && report
                    .timestamps
                    .iter()
                    .any(|t| t.imprint_matches && t.signature_valid),
            time.doc_timestamps,
        );
    }

    // Validity at the validation time (ETSI EN 319 102-1 §5.2.8; with no proof of existence the
    // signature is judged at the current time).
    if at > cert.not_after || at < cert.not_before {
        verdict.set(
            Indication::Indeterminate,
            SubIndication::OutOfBoundsNoPoe,
            Note::SignerCertificateOutOfBounds {
                not_before: cert.not_before,
                not_after: cert.not_after,
            },
        );
    }
    report.chain = outcome.chain.iter().map(|c| c.subject.clone()).collect();
    report.certificates = outcome.chain;
    report.revocation = outcome.revocation;
    report.trust_anchor = outcome.trust_anchor;
    checks.trusted = report.trust_anchor.is_some();
    warnings.extend(outcome.warnings);
    if let Some(v) = outcome.verdict {
        verdict.set_coded(v, outcome.reason);
    }
}

/// CRLs and OCSP responses of a CMS's adbe-revocationInfoArchival signed attribute
/// (ISO 32000-1 §12.8.3.3.2): `SEQUENCE { crl [0] EXPLICIT SEQUENCE OF CRL OPTIONAL,
/// ocsp [1] EXPLICIT SEQUENCE OF OCSPResponse OPTIONAL, ... }`.
fn revocation_archival(sd: &SignedData) -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
    let mut crls = Vec::new();
    let mut ocsps = Vec::new();
    for si in &sd.signer_infos {
        let Some(attrs) = &si.signed_attrs else {
            continue;
        };
        let Some(attr) = attrs.get(crate::asn1::oid::ADBE_REVOCATION_INFO) else {
            continue;
        };
        for value in &attr.values {
            // Evidence only (adbe-revocationInfoArchival): unreadable adds nothing to use.
            let _ = archival_value(value, &mut crls, &mut ocsps);
        }
    }
    (crls, ocsps)
}

fn archival_value(value: &[u8], crls: &mut Vec<Vec<u8>>, ocsps: &mut Vec<Vec<u8>>) -> Result<()> {
    let top = crate::asn1::reader::Reader::new(value).read_single()?;
    let mut r = top.children()?;
    while !r.is_empty() {
        let el = r.read()?;
        let target = if el.is_context(0) {
            &mut *crls
        } else if el.is_context(1) {
            &mut *ocsps
        } else {
            continue;
        };
        let list = el.children()?.read_single()?;
        let mut items = list.children()?;
        while !items.is_empty() {
            target.push(items.read()?.raw.to_vec());
        }
    }
    Ok(())
}

/// CRLs from a file: DER, or PEM with one or many `X509 CRL` blocks.
/// The CRLs the caller gives (DER, or PEM "X509 CRL" blocks), each parsed once. One that
/// cannot be read is refused: evidence silently dropped could leave a revocation unseen.
fn parse_given_crls(given: &[Vec<u8>]) -> Result<Vec<crate::pki::crl::Crl>> {
    let mut out = Vec::new();
    for (i, bytes) in given.iter().enumerate() {
        let crls = crate::pki::crl_file::parse_crl_file(bytes).map_err(|what| {
            Error::InvalidArgument(format!(
                "CRL {} of the verification options: {}",
                i + 1,
                match what {
                    crate::pki::crl_file::NotACrl::Certificate => {
                        "a certificate, not a certificate revocation list"
                    }
                    crate::pki::crl_file::NotACrl::Unreadable => {
                        "not a certificate revocation list (CRL), neither DER nor PEM"
                    }
                }
            ))
        })?;
        out.extend(crls);
    }
    Ok(out)
}

/// RFC 3161 §2.4.2: the time-stamp's messageImprint must be the hash of the signed ranges.
fn check_timestamp_imprint(
    doc: &Document,
    ranges: [(u64, u64); 2],
    tst_info: &[u8],
    report: &mut SignatureReport,
) -> std::result::Result<bool, String> {
    let info = cms::timestamp::TstInfo::parse(tst_info).map_err(|e| e.to_string())?;
    report.signing_time = Some(vntime::rfc3339(info.gen_time));
    let alg = DigestAlgorithm::from_oid(&info.imprint_algorithm)
        .ok_or_else(|| format!("unsupported imprint algorithm {}", info.imprint_algorithm))?;
    let digest = hash_ranges(doc, ranges, alg).map_err(|e| e.to_string())?;
    Ok(digest == info.imprint)
}

fn describe_signer(sd: &SignedData, si: &cms::SignerInfo, report: &mut SignatureReport) {
    if let Some(cert) = sd.signer_certificate(si) {
        report.signer = Some(signer_summary(cert));
    }
}

pub(crate) fn signer_summary(cert: &Certificate) -> SignerSummary {
    SignerSummary {
        subject: cert.subject.to_rfc4514(),
        issuer: cert.issuer.to_rfc4514(),
        serial: cert.serial_hex(),
        not_before: vntime::rfc3339(cert.not_before),
        not_after: vntime::rfc3339(cert.not_after),
        common_name: cert.subject.common_name(),
        title: cert.subject.get(crate::asn1::oid::AT_TITLE),
        organization: cert.subject.get(crate::asn1::oid::AT_ORGANIZATION),
        sha256_fingerprint: cert
            .fingerprint_sha256()
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect::<Vec<_>>()
            .join(":"),
    }
}

fn describe_key(cert: &Certificate) -> String {
    match &cert.public_key {
        PublicKeyKind::Rsa { bits } => format!("RSA-{bits}"),
        PublicKeyKind::Ec { curve } => format!("ECDSA {curve:?}"),
        PublicKeyKind::Ed25519 => "Ed25519".into(),
        PublicKeyKind::Ed448 => "Ed448".into(),
        PublicKeyKind::Other(oid) => format!("key {oid}"),
    }
}

fn describe_algorithm(
    cert: &Certificate,
    scheme: SignatureScheme,
    digest: DigestAlgorithm,
) -> String {
    let scheme = match scheme {
        SignatureScheme::RsaPkcs1v15 => " PKCS#1 v1.5",
        SignatureScheme::RsaPss => " PSS",
        SignatureScheme::Ecdsa => "",
        SignatureScheme::EcdsaPlain => " (plain r||s)",
        SignatureScheme::Ed25519 | SignatureScheme::Ed448 => "",
    };
    format!("{}{}, {}", describe_key(cert), scheme, digest.name())
}

/// Difference analysis for one signature: every change after the revision it signs, judged
/// under the document's DocMDP and this signature's FieldMDP lock.
#[allow(clippy::too_many_arguments)]
fn judge_changes(
    doc: &Document,
    entry: &SignatureEntry,
    signed_rev: usize,
    analyser: &mut Analyser,
    ctx: &SignatureContext,
    verdict: &mut Verdict,
    report: &mut SignatureReport,
    warnings: &mut Vec<Note>,
) {
    // ISO 32000-1 §12.8.2.2: a certification signature must be the document's first signature.
    if let Some(cert) = ctx.certification {
        if cert.index == ctx.index
            && ctx.entries[..ctx.index]
                .iter()
                .any(|e| !e.is_document_timestamp())
        {
            verdict.set(
                Indication::TotalFailed,
                SubIndication::FormatFailure,
                Note::CertificationNotFirst,
            );
            report.kyso_reason = Some("CERTIFICATION_NOT_FIRST".into());
        }
    }
    let applies = ctx.certification.filter(|c| c.index <= ctx.index);
    let docmdp = applies.map(|c| c.permission);
    let lock = field_lock(doc, entry, signed_rev).unwrap_or_else(|error| {
        // ISO 32000-1 §12.8.2.4: a lock kyso cannot read locks every field (fail closed).
        warnings.push(Note::FieldLockUnreadable { error });
        FieldLock::All
    });
    let perms = Permissions { docmdp, lock };
    match analyser.changes_after(signed_rev, &perms) {
        Ok(mods) => {
            let bad = mods.iter().find(|m| !m.allowed);
            let unreadable = applies.and_then(|c| c.unreadable.as_ref());
            if let (Some(_), Some(error)) = (bad, unreadable) {
                // P unreadable, judged as 1: what the most permissive P = 3 would allow is
                // not known to be disallowed (INDETERMINATE); what even P = 3 forbids is.
                let lenient = Permissions {
                    docmdp: Some(3),
                    lock: perms.lock.clone(),
                };
                let allowed_at_3 = analyser
                    .changes_after(signed_rev, &lenient)
                    .is_ok_and(|l| l.iter().all(|m| m.allowed));
                if allowed_at_3 {
                    verdict.set_because(
                        "DOCMDP_UNREADABLE",
                        Indication::Indeterminate,
                        SubIndication::FormatFailure,
                        Note::DocMdpUnreadable {
                            error: error.clone(),
                        },
                    );
                    report.modifications = mods;
                    return;
                }
            }
            if let Some(bad) = bad {
                verdict.set(
                    Indication::TotalFailed,
                    SubIndication::FormatFailure,
                    Note::DisallowedModification {
                        what: bad.what.clone(),
                    },
                );
                if report.kyso_reason.is_none() {
                    report.kyso_reason = Some("DISALLOWED_MODIFICATION".into());
                }
            }
            report.modifications = mods;
        }
        Err(e) => {
            // Fail closed: changes that cannot be analysed are not assumed harmless.
            verdict.set(
                Indication::Indeterminate,
                SubIndication::FormatFailure,
                Note::ChangesNotAnalysed {
                    error: e.to_string(),
                },
            );
            warnings.push(Note::CmsProblem {
                detail: e.to_string(),
            });
        }
    }
}

/// Issue 14: the signed version and the final file drawn and compared. Pixels that differ
/// outside the widgets the later revisions were allowed to add make the signature TOTAL-FAILED
/// (`VISIBLE_DIFFERENCE`); a drawing that fails is INDETERMINATE (`VISUAL_CHECK_ERROR`), never
/// "no difference". Made also when the change analysis already failed the signature: the
/// report then shows what the disallowed change looks like.
#[allow(clippy::too_many_arguments)]
fn visual_check(
    doc: &Document,
    signed_rev: usize,
    signed_len: u64,
    analyser: &mut Analyser,
    ctx: &SignatureContext,
    verdict: &mut Verdict,
    report: &mut SignatureReport,
    warnings: &mut Vec<Note>,
) {
    use crate::visual::{NotPerformed, VisualStatus};
    // Without both graphs the shortcut proves no page unchanged, so every page is drawn and
    // compared: a failure here costs time, never a skipped comparison.
    let graphs = analyser
        .revision_graph(signed_rev)
        .and_then(|a| Ok((a, analyser.revision_graph(doc.last_revision())?)))
        .ok();
    let v = ctx.visual.check(
        signed_rev,
        signed_len,
        &report.modifications,
        graphs.as_ref().map(|(a, b)| (&**a, &**b)),
    );
    match v.status {
        VisualStatus::Difference => {
            let (page, rect) = v.first_violation().unwrap_or((0, None));
            let message = match rect {
                Some(rect) => Note::VisibleDifference { page, rect },
                None if v.pages_added.contains(&page) => Note::PageAdded { page },
                None => Note::PageRemoved { page },
            };
            verdict.set_because(
                "VISIBLE_DIFFERENCE",
                Indication::TotalFailed,
                SubIndication::FormatFailure,
                message,
            );
        }
        VisualStatus::Error => verdict.set_because(
            "VISUAL_CHECK_ERROR",
            Indication::Indeterminate,
            SubIndication::FormatFailure,
            Note::VisualCheckError {
                detail: v.error.clone().unwrap_or_default(),
            },
        ),
        VisualStatus::NotPerformed => match v.not_performed {
            Some(NotPerformed::Encrypted) => warnings.push(Note::VisualNotPerformedEncrypted),
            Some(NotPerformed::TooLarge) => warnings.push(Note::VisualNotPerformedTooLarge),
            // No reason: the check was switched off by option, or nothing followed to compare.
            None => {}
        },
        VisualStatus::NoDifference => {}
    }
    if !v.pages_not_compared.is_empty() {
        warnings.push(Note::VisualPagesNotCompared {
            max_pages: ctx.visual.options.max_pages,
            pages: v.pages_not_compared.clone(),
        });
    }
    report.visual = Some(v);
}

/// FieldMDP lock of a signature (ISO 32000-1 §12.8.2.4): a FieldMDP transform in the
/// signature dictionary's /Reference, or the signature field's /Lock — both as the revision the
/// signature signs defines them (what the signer signed; a later revision cannot unlock).
///
/// # Errors
///
/// The reason, when an entry that is present cannot be read (a broken reference, a /Reference
/// or /Lock that is not what Table 252/233 asks for, the fields unreadable): the caller locks
/// every field then. Lock dictionaries read but malformed give `FieldLock::All` themselves.
fn field_lock(
    doc: &Document,
    entry: &SignatureEntry,
    rev: usize,
) -> std::result::Result<FieldLock, String> {
    let lock = |d: &crate::pdf::Dict| FieldLock::from_dict(doc, rev, d).unwrap_or(FieldLock::All);
    let sig = signed_dict(doc, entry, rev).map_err(|e| e.to_string())?;
    if let Some(refs) = sig.get("Reference") {
        let refs = doc.resolve_at(rev, refs).map_err(|e| e.to_string())?;
        let refs = refs
            .as_array()
            .ok_or("the signature's /Reference is not an array")?;
        for r in refs {
            let sigref = doc
                .resolve_dict_at(rev, r)
                .map_err(|e| e.to_string())?
                .ok_or("a signature reference is not a dictionary")?;
            if sigref.has_name("TransformMethod", "FieldMDP") {
                let params = sigref
                    .get("TransformParams")
                    .ok_or("a FieldMDP reference has no /TransformParams")?;
                let params = doc
                    .resolve_dict_at(rev, params)
                    .map_err(|e| e.to_string())?
                    .ok_or("FieldMDP /TransformParams is not a dictionary")?;
                return Ok(lock(&params));
            }
        }
    }
    let fields = doc.fields_at(rev).map_err(|e| e.to_string())?;
    let mut locks = Vec::new();
    for f in fields
        .iter()
        .filter(|f| entry.field_names.contains(&f.name))
    {
        if let Some(l) = f.dict.get("Lock") {
            let l = doc
                .resolve_dict_at(rev, l)
                .map_err(|e| e.to_string())?
                .ok_or("the signature field's /Lock is not a dictionary")?;
            locks.push(lock(&l));
        }
    }
    // Fields sharing this signature with more than one /Lock: none is dropped; all locked.
    Ok(match locks.len() {
        0 => FieldLock::None,
        1 => locks.remove(0),
        _ => FieldLock::All,
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::pdf::parser::Parser;
    use crate::pdf::{Dict, IncrementalUpdate, MemorySource, ObjRef};

    fn parse(text: &str) -> crate::pdf::Object {
        Parser::new(text.as_bytes(), true)
            .object(0)
            .expect("object")
    }

    fn congvan() -> Vec<u8> {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../fixtures/docs/congvan.pdf"
        );
        std::fs::read(path).expect("congvan.pdf")
    }

    /// Appends one incremental update made by `f` and reopens the file.
    fn update(bytes: &mut Vec<u8>, f: impl FnOnce(&Document, &mut IncrementalUpdate)) -> Document {
        let doc = Document::open(Arc::new(MemorySource::new(bytes.clone()))).unwrap();
        let mut u = IncrementalUpdate::new(&doc);
        f(&doc, &mut u);
        let written = u.write(doc.len(), !bytes.ends_with(b"\n"), None).unwrap();
        bytes.extend_from_slice(&written.bytes);
        Document::open(Arc::new(MemorySource::new(bytes.clone()))).unwrap()
    }

    /// Sets the catalog's `key` to `value` in the update.
    fn catalog_entry(doc: &Document, u: &mut IncrementalUpdate, key: &str, value: &str) {
        let rev = doc.last_revision();
        let mut catalog = doc.catalog_at(rev).unwrap();
        catalog.set(key, parse(value));
        u.set(
            doc.catalog_ref_at(rev).unwrap(),
            crate::pdf::Object::Dict(catalog),
        );
    }

    fn entry(sig: ObjRef, dict: Dict) -> SignatureEntry {
        SignatureEntry {
            field_names: vec!["KyDuyet".into()],
            reference: Some(sig),
            dict,
            byte_range: None,
            contents: Vec::new(),
            contents_span: None,
            span_problem: None,
            contents_hex: true,
        }
    }

    /// congvan.pdf plus one revision with a signature field `KyDuyet` whose value is the
    /// signature dictionary `sig` and whose extra entries are `field_extra`. `R1`, `R2` in
    /// both texts name two further objects, set to `r1`, `r2`. Returns the document, the
    /// entry, the bytes and the numbers of R1 and R2.
    fn signed_field(
        sig: &str,
        field_extra: &str,
        r1: &str,
        r2: &str,
    ) -> (Document, SignatureEntry, Vec<u8>, ObjRef, ObjRef) {
        let mut bytes = congvan();
        let mut out = None;
        let doc = update(&mut bytes, |doc, u| {
            let (s, f, a, b) = (u.allocate(), u.allocate(), u.allocate(), u.allocate());
            let subst = |t: &str| {
                t.replace("R1", &format!("{} 0 R", a.num))
                    .replace("R2", &format!("{} 0 R", b.num))
            };
            let sig = parse(&subst(sig));
            u.set(s, sig.clone());
            u.set(a, parse(&subst(r1)));
            u.set(b, parse(&subst(r2)));
            u.set(
                f,
                parse(&subst(&format!(
                    "<< /FT /Sig /T (KyDuyet) /V {} 0 R {field_extra} >>",
                    s.num
                ))),
            );
            catalog_entry(
                doc,
                u,
                "AcroForm",
                &format!("<< /Fields [{} 0 R] >>", f.num),
            );
            out = Some((s, sig, a, b));
        });
        let (s, sig, a, b) = out.unwrap();
        let crate::pdf::Object::Dict(sig) = sig else {
            panic!("signature dictionary")
        };
        (doc, entry(s, sig), bytes, a, b)
    }

    /// The lock is read as the signed revision defines it: a later revision that redefines the
    /// lock dictionary does not unlock a field (the old reading took the last revision's).
    #[test]
    fn field_lock_reads_the_signed_revision() {
        let (_, entry, mut bytes, lock, _) = signed_field(
            "<< /Type /Sig >>",
            "/Lock R1",
            "<< /Type /SigFieldLock /Action /Include /Fields [(SoTien)] >>",
            "null",
        );
        let doc = update(&mut bytes, |_, u| {
            u.set(
                lock,
                parse("<< /Type /SigFieldLock /Action /Include /Fields [(Khac)] >>"),
            )
        });
        assert_eq!(doc.last_revision(), 2);
        let signed = field_lock(&doc, &entry, 1).expect("readable");
        assert!(
            signed.locks("SoTien") && !signed.locks("Khac"),
            "{signed:?}"
        );
        let later = field_lock(&doc, &entry, 2).expect("readable");
        assert!(!later.locks("SoTien"), "{later:?}");
    }

    /// ISO 32000-1 §12.8.2.4: a /Lock or FieldMDP /Reference present but unreadable is an
    /// error (the caller locks every field), never "no lock".
    #[test]
    fn field_lock_unreadable_fails_closed() {
        let readable = "<< /Type /SigFieldLock /Action /Include /Fields [(Khac)] >>";
        // (signature dictionary, field entries, R1, R2)
        let cases = [
            ("<< /Type /Sig >>", "/Lock /Khac", "null", "null"),
            ("<< /Type /Sig >>", "/Lock 9999 0 R", "null", "null"),
            ("<< /Type /Sig >>", "/Lock R1", "R2", "R1"),
            ("<< /Type /Sig /Reference 5 >>", "", "null", "null"),
            ("<< /Type /Sig /Reference R1 >>", "", "R2", "R1"),
            ("<< /Type /Sig /Reference [R1] >>", "", "R2", "R1"),
            (
                "<< /Type /Sig /Reference [<< /TransformMethod /FieldMDP >>] >>",
                "",
                "null",
                "null",
            ),
            (
                "<< /Type /Sig /Reference [<< /TransformMethod /FieldMDP /TransformParams R1 >>] >>",
                "",
                "R2",
                "R1",
            ),
            (
                "<< /Type /Sig /Reference [<< /TransformMethod /FieldMDP /TransformParams /X >>] >>",
                "",
                "null",
                "null",
            ),
        ];
        for (sig, extra, r1, r2) in cases {
            let (doc, entry, ..) = signed_field(sig, extra, r1, r2);
            let got = field_lock(&doc, &entry, 1);
            assert!(got.is_err(), "{sig} {extra}: {got:?}");
        }
        // Controls: no lock, and a readable one.
        let (doc, entry, ..) = signed_field("<< /Type /Sig >>", "", "null", "null");
        assert!(matches!(field_lock(&doc, &entry, 1), Ok(FieldLock::None)));
        let (doc, entry, ..) = signed_field("<< /Type /Sig >>", "/Lock R1", readable, "null");
        let lock = field_lock(&doc, &entry, 1).expect("readable");
        assert!(lock.locks("Khac") && !lock.locks("SoTien"), "{lock:?}");
    }

    /// Two fields sharing one signature, each with its own /Lock: the second lock is not
    /// dropped (the old reading took the first only): every field is locked.
    #[test]
    fn field_locks_of_fields_sharing_a_signature_all_count() {
        let mut bytes = congvan();
        let mut out = None;
        let doc = update(&mut bytes, |doc, u| {
            let (s, f1, f2) = (u.allocate(), u.allocate(), u.allocate());
            u.set(s, parse("<< /Type /Sig >>"));
            for (f, name, locked) in [(f1, "KyDuyet", "SoTien"), (f2, "KyDuyet2", "Khac")] {
                u.set(
                    f,
                    parse(&format!(
                        "<< /FT /Sig /T ({name}) /V {} 0 R /Lock << /Action /Include \
                         /Fields [({locked})] >> >>",
                        s.num
                    )),
                );
            }
            catalog_entry(
                doc,
                u,
                "AcroForm",
                &format!("<< /Fields [{} 0 R {} 0 R] >>", f1.num, f2.num),
            );
            out = Some(s);
        });
        let mut e = entry(out.unwrap(), Dict::new());
        e.field_names.push("KyDuyet2".into());
        let lock = field_lock(&doc, &e, 1).expect("readable");
        assert!(matches!(lock, FieldLock::All), "{lock:?}");
        e.field_names.pop();
        let lock = field_lock(&doc, &e, 1).expect("readable");
        assert!(lock.locks("SoTien") && !lock.locks("Khac"), "{lock:?}");
    }

    const DOCMDP: &str = "<< /Type /Sig /Reference [<< /Type /SigRef /TransformMethod /DocMDP \
                          /TransformParams R1 >>] >>";

    /// The certification with /Perms /DocMDP naming its signature dictionary.
    fn certified(params: &str, r2: &str) -> (Document, SignatureEntry) {
        let (_, entry, mut bytes, ..) = signed_field(DOCMDP, "", params, r2);
        let sig = entry.reference.unwrap();
        let doc = update(&mut bytes, |doc, u| {
            catalog_entry(doc, u, "Perms", &format!("<< /DocMDP {} 0 R >>", sig.num))
        });
        (doc, entry)
    }

    /// ISO 32000-1 §12.8.2.2, Table 254: an unreadable DocMDP /P is 1 with the reason, never
    /// the permissive default 2 (the old reading).
    #[test]
    fn docmdp_unreadable_is_p1() {
        let (doc, entry) = certified("R2", "R1");
        assert!(entry.is_certification(&doc));
        let c = find_certification(&doc, std::slice::from_ref(&entry), &[]).expect("certified");
        assert_eq!(c.permission, 1);
        assert!(c.unreadable.is_some());

        let (doc, entry) = certified("<< /P 3 >>", "null");
        let c = find_certification(&doc, std::slice::from_ref(&entry), &[]).expect("certified");
        assert_eq!((c.permission, c.unreadable), (3, None));
    }

    /// A later revision that redefines the certification's signature reference (to FieldMDP)
    /// does not make it an approval signature: the signed revision's DocMDP still applies.
    #[test]
    fn certification_read_at_the_signed_revision() {
        let sig = "<< /Type /Sig /Reference [R2] >>";
        let sigref = "<< /Type /SigRef /TransformMethod /DocMDP /TransformParams R1 >>";
        let (_, entry, mut bytes, _, sigref_num) = signed_field(sig, "", "<< /P 1 >>", sigref);
        let doc = update(&mut bytes, |_, u| {
            u.set(
                sigref_num,
                parse("<< /Type /SigRef /TransformMethod /FieldMDP /TransformParams << /Action /All >> >>"),
            )
        });
        assert!(!entry.is_certification(&doc));
        let coverage = byte_range::Coverage {
            ranges: None,
            problem: None,
            covers_whole_document: false,
            revision: Some(1),
            revisions_after: 1,
            bytes_after: 0,
        };
        let c = find_certification(&doc, std::slice::from_ref(&entry), &[coverage])
            .expect("still a certification");
        assert_eq!((c.index, c.permission, c.unreadable), (0, 1, None));
    }

    /// The signed /P decides against a more permissive one a later revision reads: the
    /// transform parameters redefined to P = 3 after signing leave P = 1.
    #[test]
    fn docmdp_reads_the_signed_revision() {
        let (_, entry, mut bytes, params, _) = signed_field(DOCMDP, "", "<< /P 1 >>", "null");
        let sig = entry.reference.unwrap();
        let doc = update(&mut bytes, |doc, u| {
            catalog_entry(doc, u, "Perms", &format!("<< /DocMDP {} 0 R >>", sig.num));
            u.set(params, parse("<< /P 3 >>"));
        });
        assert_eq!(
            crate::pdf::signatures::docmdp_permission(&doc).unwrap(),
            Some(3)
        );
        let coverage = byte_range::Coverage {
            ranges: None,
            problem: None,
            covers_whole_document: false,
            revision: Some(1),
            revisions_after: 1,
            bytes_after: 0,
        };
        let c =
            find_certification(&doc, std::slice::from_ref(&entry), &[coverage]).expect("certified");
        assert_eq!((c.permission, c.unreadable), (1, None));
    }
}
