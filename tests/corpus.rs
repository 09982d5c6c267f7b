//! Signed PDFs made by other tools and attack files (../shared/corpus): each gets the verdict
//! its tag names (trust aside). Skipped with a message when ../shared is absent.

mod common;

use common::*;
use std::time::{Duration, Instant};

fn corpus() -> Option<(std::path::PathBuf, Vec<(String, String)>)> {
    let Some(shared) = shared() else {
        eprintln!("SKIP: ../shared is absent; corpus tests not run");
        return None;
    };
    let dir = shared.join("corpus");
    let tsv = std::fs::read_to_string(dir.join("expect.tsv")).ok()?;
    let rows = tsv
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once('\t'))
        .filter(|(f, _)| f.ends_with(".pdf"))
        .map(|(f, t)| (f.to_string(), t.trim().to_string()))
        .collect();
    Some((dir, rows))
}

fn verify(path: &std::path::Path, extra: &[&str]) -> (i32, Option<serde_json::Value>, Duration) {
    let t = Instant::now();
    let o = run(kyso().arg("verify").arg(path).arg("--json").args(extra));
    let elapsed = t.elapsed();
    assert!(
        !stderr(&o).contains("panicked"),
        "{}: {}",
        path.display(),
        stderr(&o)
    );
    (
        o.status.code().unwrap_or(-1),
        serde_json::from_slice(&o.stdout).ok(),
        elapsed,
    )
}

/// Every signature's cryptography holds: digest and signature value check out.
fn all_intact(report: &serde_json::Value) -> bool {
    report["signatures"].as_array().is_some_and(|sigs| {
        !sigs.is_empty()
            && sigs.iter().all(|s| {
                s["checks"]["digest_matches"] == true
                    && s["checks"]["signature_valid"] == true
                    && s["checks"]["byte_range_ok"] == true
                    && s["indication"] != "TOTAL-FAILED"
            })
    })
}

#[test]
fn corpus_verdicts_match_their_tags() {
    let Some((dir, rows)) = corpus() else { return };
    let root = dir.join("pki/pyhanko-testing-ca/root.cert.pem");
    let mut failures = Vec::new();
    let mut checked = 0;
    for (file, tag) in &rows {
        let path = dir.join(file);
        let (code, report, elapsed) = verify(&path, &[]);
        let summary = report
            .as_ref()
            .map(|r| {
                r["signatures"]
                    .as_array()
                    .map(|s| {
                        s.iter()
                            .map(|s| format!("{}/{}", s["indication"], s["sub_indication"]))
                            .collect::<Vec<_>>()
                            .join(", ")
                    })
                    .unwrap_or_default()
            })
            .unwrap_or_default();
        let ok = match tag.as_str() {
            "VALID" | "VALID*" => {
                report.as_ref().is_some_and(all_intact) && (code == 0 || code == 3)
            }
            // Ed448 with SHA-512 is a forbidden combination (RFC 8419 §3): the signature value
            // may verify, the algorithm is not acceptable -> INDETERMINATE, like pyHanko.
            "INVALID" if file.contains("ed448-disallowed-hash") => {
                code == 3
                    && report.as_ref().is_some_and(|r| {
                        r["signatures"][0]["sub_indication"] == "CRYPTO_CONSTRAINTS_FAILURE"
                    })
            }
            "INVALID" => code == 1,
            "COVERAGE-ANOMALY" | "REJECT" => {
                code == 1
                    && report.as_ref().is_some_and(|r| {
                        r["signatures"].as_array().is_some_and(|s| {
                            s.iter().any(|s| s["sub_indication"] == "FORMAT_FAILURE")
                        })
                    })
            }
            "ROBUSTNESS" => (1..=4).contains(&code) && elapsed < Duration::from_secs(3),
            // Intact, and every later change allowed (trust aside: no anchors for these files).
            "MODIFIED-ALLOWED" => {
                code == 3
                    && report.as_ref().is_some_and(|r| {
                        r["signatures"].as_array().is_some_and(|sigs| {
                            sigs.iter().all(|s| {
                                s["checks"]["digest_matches"] == true
                                    && s["indication"] != "TOTAL-FAILED"
                                    && s["modifications"]
                                        .as_array()
                                        .is_some_and(|m| m.iter().all(|m| m["allowed"] == true))
                            })
                        })
                    })
            }
            // Something after a signature changed what it showed: that signature fails and
            // the change is named.
            "MODIFIED-SUSPECT" | "DISPUTED" => {
                code == 1
                    && report.as_ref().is_some_and(|r| {
                        r["signatures"].as_array().is_some_and(|sigs| {
                            sigs.iter().any(|s| {
                                s["kyso_reason"] == "DISALLOWED_MODIFICATION"
                                    && s["modifications"].as_array().is_some_and(|m| {
                                        m.iter().any(|m| {
                                            m["allowed"] == false
                                                && !m["description"]
                                                    .as_str()
                                                    .unwrap_or("")
                                                    .is_empty()
                                        })
                                    })
                            })
                        })
                    })
            }
            other => panic!("unknown tag {other}"),
        };
        checked += 1;
        if !ok {
            failures.push(format!("{file} [{tag}] exit {code}: {summary}"));
        }
        // VALID*: trusted with pyHanko's test root at 2020-11-01 (pyHanko's own files).
        if tag == "VALID*" && file.starts_with("valid/pyhanko/") {
            let (code, report, _) = verify(
                &path,
                &[
                    "--trust",
                    root.to_str().unwrap(),
                    "--at",
                    "2020-11-01T00:00:00Z",
                    // As pyHanko validates them: trust without revocation checking.
                    "--revocation",
                    "off",
                ],
            );
            let first = report
                .as_ref()
                .map(|r| r["signatures"][0].clone())
                .unwrap_or_default();
            if first["indication"] != "TOTAL-PASSED" {
                failures.push(format!("{file} [VALID* trusted] exit {code}: {first}"));
            }
        }
    }
    assert!(checked > 30, "only {checked} corpus files checked");
    assert!(
        failures.is_empty(),
        "{} wrong verdicts:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn signing_a_no_changes_certified_document_is_refused() {
    let Some(shared) = shared() else {
        eprintln!("SKIP: ../shared is absent");
        return;
    };
    let input = shared.join("corpus/valid/pyhanko/certified-with-indirect-refs-in-dir.pdf");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.pdf");
    let o = run(kyso()
        .arg("sign")
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .arg("--p12")
        .arg(pki("agency.p12")));
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("DocMDP P=1"), "{}", stderr(&o));
    assert!(!out.exists());
    // A certification that permits form filling and signing (P=2) can be signed.
    let input = shared.join("corpus/valid/dss/certified-changes-permitted.pdf");
    sign(&input, &out, "agency.p12", &[]);
    let (_, report) = verify_json(&out, &[]);
    let sigs = report["signatures"].as_array().unwrap();
    assert_eq!(sigs.len(), 2);
    assert_eq!(sigs[0]["certification"], true);
    assert_eq!(sigs[0]["checks"]["digest_matches"], true);
    assert_eq!(sigs[1]["indication"], "TOTAL-PASSED", "{:#}", sigs[1]);
}
