//! NIST PKITS (Public Key Interoperability Test Suite) against kyso's RFC 5280
//! path validation (`pki::validate`) and CRL handling (`pki::crl`). The suite lives
//! in `../shared/pkits` (outside the repository); the test skips when it is absent.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use kyso::pki::crl::Crl;
use kyso::pki::validate::{
    validate_path, AlgorithmPolicy, EndEntityUsage, PathError, PolicyInputs, RevocationMode,
    ValidationInputs,
};
use kyso::pki::Certificate;
use serde_json::Value;
use time::OffsetDateTime;

/// Cases whose outcome differs from the reference, each with the reason (by case name).
const KNOWN_DEVIATIONS: &[(&str, &str)] = &[
    (
        "valid_dsa_signatures_test4",
        "DSA keys are not supported (aws-lc-rs has no DSA): AlgorithmNotAllowed",
    ),
    (
        "valid_dsa_parameter_inheritance_test5",
        "DSA keys are not supported (aws-lc-rs has no DSA): AlgorithmNotAllowed",
    ),
    (
        "invalid_dsa_signature_test6",
        "the EE's signature BIT STRING declares unused bits, so Certificate::from_der rejects \
         it (and DSA is unsupported anyway): fails, but not as BadSignature",
    ),
];

fn pkits_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/pkits")
}

/// 2022-05-01T00:00:00Z.
fn validation_time() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_651_363_200).unwrap()
}

fn load_cert(dir: &Path, name: &str) -> Result<Certificate, String> {
    let der = std::fs::read(dir.join("certs").join(name)).unwrap();
    Certificate::from_der(&der).map_err(|e| format!("{name}: {e}"))
}

fn load_crl(dir: &Path, name: &str) -> Crl {
    let der = std::fs::read(dir.join("crls").join(name)).unwrap();
    Crl::from_der(&der).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Path position (0 = end entity) named in the reference message, if any.
/// The reference counts intermediates from the trust anchor (1 = issued by it).
fn expected_index(msg: &str, path_len: usize) -> Option<usize> {
    if msg.contains("end-entity certificate") {
        return Some(0);
    }
    let rest = msg.split("intermediate certificate ").nth(1)?;
    let k: usize = rest
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()?;
    (path_len - 1).checked_sub(k)
}

fn error_index(e: &PathError) -> Option<usize> {
    use PathError::*;
    Some(match e {
        BadSignature { index }
        | AlgorithmNotAllowed { index, .. }
        | Expired { index, .. }
        | NotYetValid { index, .. }
        | NotACa { index }
        | PathLengthExceeded { index }
        | KeyUsage { index, .. }
        | UnknownCriticalExtension { index, .. }
        | NameConstraints { index, .. }
        | Policy { index, .. }
        | Revoked { index, .. }
        | RevocationUnknown { index, .. }
        | StaleRevocationInfo { index }
        | Malformed { index, .. } => *index,
        _ => return None,
    })
}

/// Whether `got` is the failure the reference describes (the reason, not the words).
fn matches_expected(class: &str, msg: &str, path_len: usize, got: &PathError) -> bool {
    use PathError::*;
    let kind_ok = match class {
        "RevokedError" => matches!(got, Revoked { .. }),
        "InsufficientRevinfoError" | "StaleRevinfoError" => {
            matches!(got, RevocationUnknown { .. } | StaleRevocationInfo { .. })
        }
        _ if msg.contains("signature of") => matches!(got, BadSignature { .. }),
        _ if msg.contains("not valid until") => matches!(got, NotYetValid { .. }),
        _ if msg.contains("expired") => matches!(got, Expired { .. }),
        _ if msg.contains("issuer name could not") => matches!(got, NoPathToTrustAnchor),
        _ if msg.contains("is not a CA") => matches!(got, NotACa { .. }),
        _ if msg.contains("maximum path length") => matches!(got, PathLengthExceeded { .. }),
        _ if msg.contains("not allowed to sign") => matches!(got, KeyUsage { .. }),
        _ if msg.contains("policies") || msg.contains("policy mapping") => {
            matches!(got, Policy { .. })
        }
        _ if msg.contains("names of") => matches!(got, NameConstraints { .. }),
        _ if msg.contains("contains the following") => {
            matches!(got, UnknownCriticalExtension { .. })
        }
        _ => false,
    };
    // Revocation failures of the reference name the certificate being checked.
    let index_ok = match (expected_index(msg, path_len), error_index(got)) {
        (Some(want), Some(have)) => want == have,
        _ => true,
    };
    kind_ok && index_ok
}

fn run_case(dir: &Path, case: &Value, anchor: &Certificate, root_crl: &Crl) -> Result<(), String> {
    let target = load_cert(dir, case["cert"].as_str().unwrap())?;
    let inter_names = if case.get("path_intermediates").is_some() {
        strings(&case["path_intermediates"])
    } else {
        strings(&case["other_certs"])
    };
    // An intermediate kyso cannot parse is simply not a candidate, as for a real caller.
    let intermediates: Vec<Certificate> = inter_names
        .iter()
        .filter_map(|n| load_cert(dir, n).ok())
        .collect();
    let mut crls = vec![root_crl.clone()];
    crls.extend(strings(&case["crls"]).iter().map(|n| load_crl(dir, n)));
    let mut policy = PolicyInputs::default();
    if let Some(p) = case.get("params") {
        if p.get("user_initial_policy_set").is_some() {
            policy.initial_policy_set = strings(&p["user_initial_policy_set"]);
        }
        let flag = |k: &str| p.get(k).and_then(Value::as_bool).unwrap_or(false);
        policy.initial_explicit_policy = flag("initial_explicit_policy");
        policy.initial_policy_mapping_inhibit = flag("initial_policy_mapping_inhibit");
        policy.initial_any_policy_inhibit = flag("initial_any_policy_inhibit");
    }
    let anchors = [anchor.clone()];
    let inputs = ValidationInputs {
        anchors: &anchors,
        intermediates: &intermediates,
        crls: &crls,
        time: validation_time(),
        revocation: match case.get("revocation").and_then(Value::as_bool) {
            Some(false) => RevocationMode::IfAvailable,
            _ => RevocationMode::Required,
        },
        policy,
        end_entity_usage: EndEntityUsage::Any,
        algorithm_policy: AlgorithmPolicy::default(),
        freshness: Default::default(),
    };
    let path_len = case["path_len"].as_u64().unwrap_or(0) as usize;
    let got = validate_path(&target, &inputs);
    if std::env::var_os("PKITS_VERBOSE").is_some() {
        match &got {
            Ok(v) => eprintln!(
                "  valid: {} certs, policies {:?}",
                v.certificates.len(),
                v.valid_policies
            ),
            Err(e) => eprintln!("  error: {e}"),
        }
    }
    match (case.get("error"), got) {
        (None, Ok(v)) if v.certificates.len() == path_len => Ok(()),
        (None, Ok(v)) => Err(format!(
            "valid, but path length {} instead of {path_len}",
            v.certificates.len()
        )),
        (None, Err(e)) => Err(format!("expected valid, got: {e} ({e:?})")),
        (Some(err), Ok(_)) => Err(format!("expected failure {err}, got a valid path")),
        (Some(err), Err(e)) => {
            let class = err["class"].as_str().unwrap_or_default();
            let msg = err["msg_regex"].as_str().unwrap_or_default();
            if matches_expected(class, msg, path_len, &e) {
                Ok(())
            } else {
                Err(format!("expected {class} \"{msg}\", got: {e} ({e:?})"))
            }
        }
    }
}

#[test]
fn pkits() {
    let dir = pkits_dir();
    if !dir.join("pkits.json").exists() {
        eprintln!("SKIP: ../shared/pkits absent");
        return;
    }
    let cases: Vec<Value> =
        serde_json::from_slice(&std::fs::read(dir.join("pkits.json")).unwrap()).unwrap();
    let anchor = load_cert(&dir, "TrustAnchorRootCertificate.crt").unwrap();
    let root_crl = load_crl(&dir, "TrustAnchorRootCRL.crl");
    let known: HashSet<&str> = KNOWN_DEVIATIONS.iter().map(|(n, _)| *n).collect();
    let mut as_expected = 0;
    let mut failures = Vec::new();
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let id = case["id"].as_str().unwrap_or_default();
        let r = run_case(&dir, case, &anchor, &root_crl);
        if std::env::var_os("PKITS_VERBOSE").is_some() {
            eprintln!("{id} {name}: {r:?}");
        }
        match (r, known.contains(name)) {
            (Ok(()), false) => as_expected += 1,
            (Ok(()), true) => failures.push(format!(
                "{id} {name}: listed in KNOWN_DEVIATIONS but now passes; remove it"
            )),
            (Err(e), true) => eprintln!("known deviation {id} {name}: {e}"),
            (Err(e), false) => failures.push(format!("{id} {name}: {e}")),
        }
    }
    eprintln!(
        "PKITS: {as_expected}/{} as expected ({} known deviations)",
        cases.len(),
        KNOWN_DEVIATIONS.len()
    );
    assert!(
        KNOWN_DEVIATIONS
            .iter()
            .all(|(n, _)| cases.iter().any(|c| c["name"] == *n)),
        "a KNOWN_DEVIATIONS entry names no case"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Hostile input: truncated and bit-flipped PKITS CRLs must be rejected or parsed, never panic.
#[test]
fn crl_parser_survives_mutations() {
    let dir = pkits_dir().join("crls");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("SKIP: ../shared/pkits absent");
        return;
    };
    for entry in entries.flatten().take(40) {
        let der = std::fs::read(entry.path()).unwrap();
        for cut in (0..der.len()).step_by(7) {
            let _ = Crl::from_der(&der[..cut]);
        }
        for i in (0..der.len()).step_by(5) {
            let mut m = der.clone();
            m[i] ^= 0x5A;
            if let Ok(crl) = Crl::from_der(&m) {
                let _ = crl.find_entry(&[1], &crl.issuer);
            }
        }
    }
}
