//! One verdict vocabulary (issue #16 item 2): the same unsigned, forged-root and
//! revocation-off files get the same verdict words and colour class in the text report, the
//! batch table, the HTML report, the service's JSON (what its page shows) and `--json`.

mod common;

use std::path::{Path, PathBuf};

use common::*;

/// One file and how it is verified, with the words every front door must use.
struct Case {
    name: &'static str,
    pdf: PathBuf,
    args: Vec<String>,
    vi: &'static str,
    en: &'static str,
    class: &'static str,
}

fn cases(dir: &Path) -> Option<Vec<Case>> {
    if !have_tool("openssl") {
        eprintln!("skipped: openssl is not installed");
        return None;
    }
    let signed = dir.join("signed.pdf");
    sign(&fixture("docs/congvan.pdf"), &signed, "leader.p12", &[]);
    // A look-alike of the fixture root: the same name, another key.
    let fake = dir.join("fake-root.pem");
    let o = run(std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-days",
            "30",
            "-utf8",
            "-subj",
            "/C=VN/O=Ban Cơ yếu Chính phủ (thử nghiệm)/CN=KySo Test Root CA (thử nghiệm)",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
            "-keyout",
        ])
        .arg(dir.join("fake-root.key"))
        .arg("-out")
        .arg(&fake));
    assert!(o.status.success(), "{}", stderr(&o));
    let path = |p: &Path| p.display().to_string();
    let crls: Vec<String> = crl_args()
        .into_iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let trusting = |root: &Path| {
        let mut a = vec!["--trust".to_string(), path(root)];
        a.extend(crls.iter().cloned());
        a
    };
    let mut off = trusting(&pki("root.pem"));
    off.extend(["--revocation".into(), "off".into()]);
    Some(vec![
        Case {
            name: "unsigned",
            pdf: fixture("docs/congvan.pdf"),
            args: trusting(&pki("root.pem")),
            vi: "KHÔNG CÓ CHỮ KÝ",
            en: "NO SIGNATURE",
            class: "nosig",
        },
        Case {
            name: "forged-root",
            pdf: signed.clone(),
            args: trusting(&fake),
            vi: "KHÔNG TIN CẬY",
            en: "UNTRUSTED",
            class: "untrusted",
        },
        Case {
            name: "revocation-off",
            pdf: signed,
            args: off,
            vi: "HỢP LỆ (KHÔNG kiểm tra tình trạng thu hồi)",
            en: "VALID (revocation NOT checked)",
            class: "passed",
        },
    ])
}

fn verify(case: &Case, lang: &str, extra: &[&str]) -> std::process::Output {
    run(kyso()
        .arg("verify")
        .arg(&case.pdf)
        .args(&case.args)
        .args(["--lang", lang])
        .args(extra))
}

fn words<'a>(case: &'a Case, lang: &str) -> &'a str {
    if lang == "vi" {
        case.vi
    } else {
        case.en
    }
}

#[test]
fn text_json_batch_and_html_say_the_same_verdict() {
    let dir = tempfile::tempdir().unwrap();
    let Some(cases) = cases(dir.path()) else {
        return;
    };
    for case in &cases {
        for lang in ["vi", "en"] {
            let want = words(case, lang);
            // The text report: the verdict line.
            let o = verify(case, lang, &[]);
            let out = stdout(&o);
            let line = out
                .lines()
                .find(|l| l.starts_with("Kết luận:") || l.starts_with("Verdict:"))
                .unwrap_or_else(|| panic!("{}: {out}", case.name));
            let label = line.split_once(": ").unwrap().1;
            assert!(label.starts_with(want), "{} {lang}: {line}", case.name);
            assert!(
                !line.contains("CHƯA XÁC ĐỊNH") && !line.contains("INDETERMINATE ("),
                "{} {lang}: {line}",
                case.name
            );

            // --json: `verdict` and `verdict_class`, and the revocation flag.
            let o = verify(case, lang, &["--json"]);
            let json: serde_json::Value = serde_json::from_slice(&o.stdout)
                .unwrap_or_else(|e| panic!("{} {lang}: {e}: {}", case.name, stderr(&o)));
            assert_eq!(json["verdict"], want, "{} {lang}", case.name);
            assert_eq!(json["verdict_class"], case.class, "{}", case.name);
            if case.name == "revocation-off" {
                assert_eq!(json["revocation_checked"], false);
                assert_eq!(json["signatures"][0]["revocation_checked"], false);
                assert_eq!(json["signatures"][0]["verdict"], want);
            }
            if case.name == "forged-root" {
                assert_eq!(json["signatures"][0]["message_code"], "FORGED_ROOT");
                assert_eq!(json["signatures"][0]["verdict_class"], "untrusted");
            }
            // Exit codes keep their meaning.
            let expected_code = match case.name {
                "unsigned" => 4,
                "forged-root" => 3,
                _ => 0,
            };
            assert_eq!(o.status.code(), Some(expected_code), "{}", case.name);

            // The batch table: a folder makes a batch.
            let folder = dir.path().join(format!("batch-{}-{lang}", case.name));
            std::fs::create_dir_all(&folder).unwrap();
            let file_name = format!("{}.pdf", case.name);
            std::fs::copy(&case.pdf, folder.join(&file_name)).unwrap();
            let o = run(kyso()
                .arg("verify")
                .arg(&folder)
                .args(&case.args)
                .args(["--lang", lang]));
            let out = stdout(&o);
            let summary = &out[out
                .find(if lang == "vi" {
                    "TÓM TẮT"
                } else {
                    "SUMMARY"
                })
                .unwrap_or_else(|| panic!("{out}"))..];
            let row = summary
                .lines()
                .find(|l| l.contains(&file_name))
                .unwrap_or_else(|| panic!("{out}"));
            assert!(row.contains(want), "{} {lang}: {row}", case.name);
            // The summary names the signing time (dd/mm/yyyy), not how long the check took.
            if case.name != "unsigned" {
                assert!(row.contains("(+07:00)"), "{row}");
            }

            // The HTML report: the words in the verdict's colour class.
            let html = dir.path().join(format!("{}-{lang}.html", case.name));
            let o = verify(case, lang, &["--report", html.to_str().unwrap()]);
            assert!(html.exists(), "{}", stderr(&o));
            let page = std::fs::read_to_string(&html).unwrap();
            let span = format!("<span class=\"v {}\">{want}</span>", case.class);
            assert!(
                page.contains(&span),
                "{} {lang}: {span} not in the page",
                case.name
            );
        }
    }
}

/// `kyso serve` with the case's options; stops on drop.
fn start_server(args: &[String]) -> Serve {
    Serve::spawn(kyso(), args, None)
}

/// The service's JSON report of `pdf` in `lang`.
fn served_verdict(srv: &Serve, pdf: &[u8], lang: &str) -> serde_json::Value {
    let path = format!("/v1/verify?lang={lang}");
    let (_, _, body) = srv.request("POST", &path, &[], pdf);
    serde_json::from_slice(&body).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&body));
    })
}

#[test]
fn the_service_page_says_the_same_verdict() {
    let dir = tempfile::tempdir().unwrap();
    let Some(cases) = cases(dir.path()) else {
        return;
    };
    for case in &cases {
        let server = start_server(&case.args);
        let pdf = std::fs::read(&case.pdf).unwrap();
        for lang in ["vi", "en"] {
            let json = served_verdict(&server, &pdf, lang);
            // The page shows `verdict` in the class `verdict_class` (serve/page.html).
            assert_eq!(json["verdict"], words(case, lang), "{} {lang}", case.name);
            assert_eq!(json["verdict_class"], case.class, "{}", case.name);
            if let Some(s) = json["signatures"].as_array().and_then(|a| a.first()) {
                assert_eq!(json["display"][0]["verdict"], s["verdict"]);
                // Clerk dates on the page; ISO 8601 stays in the JSON.
                assert!(s["signing_time"].as_str().unwrap().contains('T'));
                let shown = json["display"][0]["signing_time"].as_str().unwrap();
                assert!(
                    shown.ends_with("(+07:00)") && shown.contains('/'),
                    "{shown}"
                );
            }
        }
    }
}
