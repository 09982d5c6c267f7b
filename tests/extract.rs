//! `kyso extract`: the signed version of each signature is the exact prefix of the file up to the
//! end of the revision it signs, a PDF that qpdf reads and that verifies as covering itself whole.

mod common;

use common::*;
use std::process::Command;

#[test]
fn signed_versions_are_exact_prefixes_that_verify() {
    let dir = tempfile::tempdir().unwrap();
    let leader = dir.path().join("leader.pdf");
    let both = dir.path().join("both.pdf");
    sign(&fixture("docs/congvan.pdf"), &leader, "leader.p12", &[]);
    sign(&leader, &both, "agency.p12", &[]);
    let leader_bytes = std::fs::read(&leader).unwrap();
    let both_bytes = std::fs::read(&both).unwrap();
    let (code, report) = verify_json(&both, &[]);
    assert_eq!(code, 0, "{report:#}");
    let second_field = report["signatures"][1]["field"]
        .as_str()
        .unwrap()
        .to_string();

    // Signature 1: exactly the file as the leader signed it.
    let v1 = dir.path().join("v1.pdf");
    let o = run(kyso()
        .arg("extract")
        .arg(&both)
        .args(["--signature", "1", "--json", "-o"])
        .arg(&v1));
    assert!(o.status.success(), "{}", stderr(&o));
    let info: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(info["revision"], 2, "{info:#}");
    assert_eq!(info["covers_whole_document"], false);
    let extracted = std::fs::read(&v1).unwrap();
    assert_eq!(extracted.len() as u64, info["length"].as_u64().unwrap());
    assert!(both_bytes.starts_with(&extracted));
    // kyso's leader file ends after one line feed less or more than the prefix: same revision.
    assert!(leader_bytes.starts_with(&extracted) || extracted.starts_with(&leader_bytes));
    let (code, r1) = verify_json(&v1, &[]);
    assert_eq!(code, 0, "{r1:#}");
    assert_eq!(r1["signatures"].as_array().unwrap().len(), 1);
    assert_eq!(r1["signatures"][0]["covers_whole_document"], true, "{r1:#}");
    if have_tool("qpdf") {
        let o = run(Command::new("qpdf").arg("--check").arg(&v1));
        assert!(o.status.success(), "qpdf: {}", stdout(&o));
    }

    // Signature 2 by its field: the whole file.
    let v2 = dir.path().join("v2.pdf");
    let o = run(kyso()
        .arg("extract")
        .arg(&both)
        .args(["--field", &second_field, "-o"])
        .arg(&v2));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("the whole file"), "{}", stdout(&o));
    assert_eq!(std::fs::read(&v2).unwrap(), both_bytes);

    // Usage errors: no such signature, the input as output, no selector; nothing written.
    let bad = dir.path().join("bad.pdf");
    let o = run(kyso()
        .arg("extract")
        .arg(&both)
        .args(["--signature", "3", "-o"])
        .arg(&bad));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("no signature 3"), "{}", stderr(&o));
    assert!(!bad.exists());
    let o = run(kyso()
        .arg("extract")
        .arg(&both)
        .args(["--signature", "1", "-o"])
        .arg(&both));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(
        std::fs::read(&both).unwrap(),
        both_bytes,
        "the input is untouched"
    );
    let o = run(kyso().arg("extract").arg(&both).arg("-o").arg(&bad));
    assert_eq!(o.status.code(), Some(2));
}
