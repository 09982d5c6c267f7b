//! Time-stamps in verification (ETSI EN 319 102-1 §5.4, time-stamp validation building block):
//! a signature time-stamp (RFC 3161 Appendix A) is checked like a signature — imprint over the
//! signature value, the TSA's signature, the TSA certificate's purpose (RFC 3161 §2.3), its chain
//! to a trust anchor with revocation — and, when it passes, proves the signature existed at its
//! genTime.

use time::OffsetDateTime;

use super::note::Note;
use super::report::{Indication, SubIndication, TimestampReport};
use super::trust::{self, TrustContext};
use crate::crypto::{digest, DigestAlgorithm};
use crate::error::Result;
use crate::pki::validate::EndEntityUsage;
use crate::pki::Certificate;
use crate::timestamp::TimestampToken;
use crate::vntime;

/// Checks one time-stamp token. `imprint_of` hashes the time-stamped data with the token's
/// algorithm; `base` is the trust context at the validation time; `archive_poe` the time a
/// later document time-stamp proves the token existed at, if any.
pub(crate) fn check_token(
    kind: &'static str,
    der: &[u8],
    imprint_of: impl FnOnce(DigestAlgorithm) -> Result<Vec<u8>>,
    base: &TrustContext,
    extra_certs: &[Certificate],
    archive_poe: Option<OffsetDateTime>,
) -> (TimestampReport, Option<OffsetDateTime>) {
    let mut report = TimestampReport {
        kind,
        time: String::new(),
        authority: None,
        indication: Indication::TotalPassed,
        sub_indication: None,
        message: String::new(),
        message_code: None,
        note: None,
        imprint_matches: false,
        signature_valid: false,
        trust_anchor: None,
        chain: Vec::new(),
        revocation: Vec::new(),
        warnings: Vec::new(),
        warning_codes: Vec::new(),
        notes: Vec::new(),
        kyso_reason: None,
    };
    let token = match TimestampToken::parse(der) {
        Ok(t) => t,
        Err(e) => {
            report.indication = Indication::TotalFailed;
            report.sub_indication = Some(SubIndication::FormatFailure);
            report.note = Some(Note::TimestampUnreadable {
                error: e.to_string(),
            });
            return (report, None);
        }
    };
    report.time = vntime::rfc3339(token.info.gen_time);
    let check = token.check(imprint_of);
    report.imprint_matches = check.imprint_matches;
    report.signature_valid = check.signature_valid;
    report.authority = check
        .tsa_certificate
        .as_ref()
        .map(|c| c.subject.to_rfc4514());
    report.notes.extend(
        check
            .warnings
            .iter()
            .map(|w| Note::TimestampProblem { detail: w.clone() }),
    );
    if !check.is_ok() {
        report.indication = Indication::TotalFailed;
        report.sub_indication = Some(if !check.imprint_matches {
            SubIndication::HashFailure
        } else if !check.signature_valid {
            SubIndication::SigCryptoFailure
        } else {
            SubIndication::FormatFailure
        });
        let why = check.problems.join("; ");
        report.note = Some(Note::TimestampInvalid { why });
        return (report, None);
    }
    let Some(tsa) = check.tsa_certificate else {
        return (report, None);
    };
    if let Some((code, note)) = gen_time_problem(token.info.gen_time, &tsa, base.time) {
        report.indication = Indication::Indeterminate;
        report.sub_indication = Some(SubIndication::OutOfBoundsNoPoe);
        report.note = Some(note);
        report.kyso_reason = Some(code.into());
        return (report, None);
    }
    let mut pool = token.signed_data.certificates.clone();
    pool.extend(extra_certs.iter().cloned());
    let ctx = TrustContext {
        usage: EndEntityUsage::TimeStamping,
        ..base.clone()
    };
    let (mut outcome, _) = trust::assess_at_best_time(&tsa, &pool, &ctx, None, archive_poe);
    if archive_poe.is_none() {
        outcome = stale_revocation_fallback(&tsa, &pool, &ctx, token.info.gen_time, outcome);
    }
    report.chain = outcome.chain.iter().map(|c| c.subject.clone()).collect();
    report.revocation = outcome.revocation;
    report.trust_anchor = outcome.trust_anchor;
    report.notes.extend(outcome.warnings);
    report.kyso_reason = outcome.reason.map(str::to_string);
    if let Some((indication, sub, why)) = outcome.verdict {
        report.indication = indication;
        report.sub_indication = Some(sub);
        report.note = Some(Note::TimestampUntrusted {
            authority: authority(&report),
            why: Box::new(why),
        });
        return (report, None);
    }
    report.note = Some(Note::TimestampValid {
        authority: authority(&report),
        time: token.info.gen_time,
    });
    (report, Some(token.info.gen_time))
}

/// Clock skew allowed between a TSA and the verifier: a genTime up to 5 minutes after the
/// validation time is still taken as "now" (RFC 3161 §2.4.2 accuracy is usually ≤ 1 s; NTP-
/// synchronised clocks differ by far less; 5 minutes is the Kerberos/OCSP custom, as in
/// `pki::ocsp::DEFAULT_CLOCK_SKEW`).
pub const TIMESTAMP_CLOCK_SKEW: time::Duration = time::Duration::minutes(5);

/// kyso_reason codes of time-stamp time checks (issue 20 item 5).
pub mod reason {
    /// genTime lies after the validation time (beyond the clock skew).
    pub const TIMESTAMP_IN_FUTURE: &str = "TIMESTAMP_IN_FUTURE";
    /// genTime lies outside the TSA certificate's validity.
    pub const TIMESTAMP_OUTSIDE_TSA_VALIDITY: &str = "TIMESTAMP_OUTSIDE_TSA_VALIDITY";
}

/// Issue 20 item 5: a token counts only when its genTime lies within its TSA certificate's
/// validity (RFC 3161 §2.3: the TSA signs with a valid certificate; RFC 5280 §4.1.2.5) and not
/// after the validation time (plus [`TIMESTAMP_CLOCK_SKEW`]). Otherwise the code and finding.
pub(crate) fn gen_time_problem(
    gen_time: OffsetDateTime,
    tsa: &Certificate,
    validation_time: OffsetDateTime,
) -> Option<(&'static str, Note)> {
    let authority = tsa.subject.to_rfc4514();
    if gen_time > validation_time + TIMESTAMP_CLOCK_SKEW {
        return Some((
            reason::TIMESTAMP_IN_FUTURE,
            Note::TimestampInFuture {
                authority,
                claimed: gen_time,
                validation_time,
            },
        ));
    }
    if gen_time < tsa.not_before || gen_time > tsa.not_after {
        return Some((
            reason::TIMESTAMP_OUTSIDE_TSA_VALIDITY,
            Note::TimestampOutsideTsaValidity {
                authority,
                claimed: gen_time,
                not_before: tsa.not_before,
                not_after: tsa.not_after,
            },
        ));
    }
    None
}

/// Whether a signature time-stamp that does not count for this reason makes the signature
/// itself INDETERMINATE (fail closed: a forged time or a weak TSA key is an attack sign, not a
/// missing nicety).
pub(crate) fn taints_signature(code: &str) -> bool {
    matches!(
        code,
        reason::TIMESTAMP_IN_FUTURE
            | reason::TIMESTAMP_OUTSIDE_TSA_VALIDITY
            | trust::reason::WEAK_KEY
    )
}

fn authority(r: &TimestampReport) -> String {
    r.authority.clone().unwrap_or_else(|| "?".into())
}

/// The signature time-stamps of a SignerInfo (id-aa-signatureTimeStampToken, over the
/// signature value), each checked; and the earliest time a valid one proves.
pub(crate) fn signature_timestamps(
    si: &crate::cms::SignerInfo,
    base: &TrustContext,
    extra_certs: &[Certificate],
    archive_poe: Option<OffsetDateTime>,
) -> (Vec<TimestampReport>, Option<OffsetDateTime>) {
    let mut reports = Vec::new();
    let mut poe: Option<OffsetDateTime> = None;
    for attr in si
        .unsigned_attrs
        .iter()
        .filter(|a| a.oid == crate::asn1::oid::SIGNATURE_TIMESTAMP_TOKEN)
    {
        for value in &attr.values {
            let (report, proven) = check_token(
                "signature",
                value,
                |alg| Ok(digest(alg, &si.signature)),
                base,
                extra_certs,
                archive_poe,
            );
            if let Some(t) = proven {
                poe = Some(poe.map_or(t, |p| p.min(t)));
            }
            reports.push(report);
        }
    }
    (reports, poe)
}

/// A time-stamp without an archive time-stamp over it, whose TSA chain fails only because the
/// revocation data has gone stale since: validated at its own genTime instead, with data issued
/// after it, as long as the TSA certificate is valid now (ETSI EN 319 142-1 B-LT: verifiable
/// until the TSA certificate expires; an archive time-stamp extends that).
pub(crate) fn stale_revocation_fallback(
    tsa: &Certificate,
    pool: &[Certificate],
    ctx: &TrustContext,
    gen_time: OffsetDateTime,
    outcome: trust::TrustOutcome,
) -> trust::TrustOutcome {
    let stale = matches!(
        outcome.verdict,
        Some((Indication::Indeterminate, SubIndication::TryLater, _))
    );
    if !stale || !tsa.is_valid_at(ctx.time) || gen_time >= ctx.time {
        return outcome;
    }
    let past_ctx = TrustContext {
        time: gen_time,
        past: true,
        ..ctx.clone()
    };
    let mut past = trust::assess(tsa, pool, &past_ctx, Some(gen_time));
    if past.verdict.is_some() {
        return outcome;
    }
    past.warnings.push(Note::TsaRevocationStaleAccepted);
    past
}
