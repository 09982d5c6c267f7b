//! One language policy (issue #16 item 1): help, usage errors, file and network errors and
//! the service's errors are Vietnamese by default, English with `--lang en` or an English
//! locale (LC_ALL before LC_MESSAGES before LANG), Vietnamese again with `--lang vi` or a
//! Vietnamese locale.

mod common;

use common::*;
use std::net::TcpListener;
use std::process::{Command, Output};

/// `kyso` with no locale at all, then `env` set.
fn kyso_env(env: &[(&str, &str)]) -> Command {
    let mut c = kyso();
    for v in ["LC_ALL", "LC_MESSAGES", "LANG"] {
        c.env_remove(v);
    }
    for (k, v) in env {
        c.env(k, v);
    }
    c
}

/// A way of choosing: (locale variables, extra arguments, whether it gives English).
type Choice = (Vec<(&'static str, &'static str)>, Vec<&'static str>, bool);

/// The ways of choosing, each with the language it must give.
fn choices() -> Vec<Choice> {
    vec![
        (vec![], vec![], false),
        (vec![], vec!["--lang", "en"], true),
        (vec![("LANG", "en_US.UTF-8")], vec![], true),
        (vec![("LANG", "vi_VN.UTF-8")], vec![], false),
        // LC_ALL wins over LANG, both ways.
        (
            vec![("LANG", "en_US.UTF-8"), ("LC_ALL", "vi_VN.UTF-8")],
            vec![],
            false,
        ),
        (
            vec![("LANG", "vi_VN.UTF-8"), ("LC_ALL", "en_US.UTF-8")],
            vec![],
            true,
        ),
        // LC_MESSAGES wins over LANG.
        (
            vec![("LANG", "vi_VN.UTF-8"), ("LC_MESSAGES", "en_GB.UTF-8")],
            vec![],
            true,
        ),
        // --lang vi overrides an English locale; --lang=en the other way.
        (vec![("LANG", "en_US.UTF-8")], vec!["--lang", "vi"], false),
        (vec![("LANG", "vi_VN.UTF-8")], vec!["--lang=en"], true),
    ]
}

fn run_with(env: &[(&str, &str)], args: &[&str], extra: &[&str]) -> Output {
    // Global flags first: `kyso help X` takes no flags after it.
    run(kyso_env(env).args(extra).args(args))
}

#[test]
fn help_follows_the_language() {
    for (env, extra, english) in choices() {
        for args in [
            &["--help"][..],
            &["verify", "--help"],
            &["sign", "-h"],
            &["help", "trust", "add"],
        ] {
            let o = run_with(&env, args, &extra);
            let out = stdout(&o);
            assert_eq!(o.status.code(), Some(0), "{env:?} {args:?}: {}", stderr(&o));
            let (yes, no) = if english {
                ("Usage:", "Cách dùng:")
            } else {
                ("Cách dùng:", "Usage:")
            };
            assert!(out.contains(yes), "{env:?} {args:?} {extra:?}:\n{out}");
            assert!(!out.contains(no), "{env:?} {args:?} {extra:?}:\n{out}");
            // clap's own words too.
            assert_eq!(
                out.contains("Print help"),
                english,
                "{env:?} {args:?}:\n{out}"
            );
        }
    }
    // The words themselves.
    let vi = stdout(&run_with(&[], &["verify", "--help"], &[]));
    assert!(vi.contains("Kiểm tra mọi chữ ký trong tệp PDF"), "{vi}");
    assert!(vi.contains("Tùy chọn:") && vi.contains("Tham số:"), "{vi}");
    assert!(vi.contains("[các giá trị: require, off]"), "{vi}");
    let en = stdout(&run_with(&[], &["verify", "--help", "--lang", "en"], &[]));
    assert!(en.contains("Verify every signature in a PDF"), "{en}");
}

#[test]
fn every_subcommand_has_vietnamese_help() {
    // The subcommands, from the English help.
    let en = stdout(&run_with(&[], &["--help", "--lang", "en"], &[]));
    let subs: Vec<String> = en
        .split("Commands:")
        .nth(1)
        .expect("a command list")
        .lines()
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .filter(|s| s != "help")
        .collect();
    assert!(subs.len() >= 10, "{subs:?}");
    for sub in subs {
        let vi = stdout(&run_with(&[], &[&sub, "--help"], &[]));
        let en = stdout(&run_with(&[], &[&sub, "--help", "--lang", "en"], &[]));
        assert!(vi.starts_with(|c: char| c.is_alphabetic()), "{sub}: {vi}");
        // The first line (what the command does) differs, and no English sentence of the
        // English help (a line of words, not a flag) is left in the Vietnamese one.
        assert_ne!(vi.lines().next(), en.lines().next(), "{sub}");
        for line in en.lines().map(str::trim) {
            // "--flag <V>  Words": the words only.
            let words = if line.starts_with(['-', '<', '[']) {
                line.split_once("  ").map_or("", |(_, w)| w.trim())
            } else {
                line
            };
            let words = words.split(" [").next().unwrap_or(""); // not "[default: …]"
            assert!(
                words.split(' ').count() < 4 || !vi.contains(words),
                "{sub}: English left in the Vietnamese help: {words:?}"
            );
        }
    }
}

#[test]
fn usage_errors_follow_the_language() {
    for (env, extra, english) in choices() {
        let o = run_with(&env, &["verify", "--no-such-flag", "a.pdf"], &extra);
        assert_eq!(o.status.code(), Some(2), "{env:?}");
        let err = stderr(&o);
        assert!(err.contains("--no-such-flag"), "{err}");
        if english {
            assert!(err.starts_with("error: unexpected argument"), "{err}");
            assert!(err.contains("Usage:"), "{err}");
        } else {
            assert!(err.starts_with("kyso: lỗi: không có tham số"), "{err}");
            assert!(err.contains("Cách dùng: kyso verify"), "{err}");
            assert!(!err.contains("Usage:"), "{err}");
        }
        // A refused value names the allowed ones.
        let o = run_with(&env, &["verify", "--revocation", "maybe", "a.pdf"], &extra);
        assert_eq!(o.status.code(), Some(2));
        let err = stderr(&o);
        if english {
            assert!(err.contains("invalid value 'maybe'"), "{err}");
        } else {
            assert!(
                err.contains("giá trị 'maybe' không hợp lệ") && err.contains("require, off"),
                "{err}"
            );
        }
    }
}

#[test]
fn file_errors_follow_the_language() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("khong-co.pdf");
    let missing = missing.to_str().unwrap();
    for (env, extra, english) in choices() {
        for args in [&["verify", missing][..], &["info", missing]] {
            let o = run_with(&env, args, &extra);
            assert_eq!(o.status.code(), Some(4), "{args:?}");
            let err = stderr(&o);
            // The path once, then what happened, then the system's own words.
            assert_eq!(err.matches(missing).count(), 1, "{err}");
            if english {
                assert!(err.starts_with("kyso: error: "), "{err}");
                assert!(err.contains("No such file or directory"), "{err}");
            } else {
                assert!(err.starts_with("kyso: lỗi: "), "{err}");
                assert!(
                    err.contains(&format!("{missing}: không tìm thấy tệp hoặc thư mục (")),
                    "{err}"
                );
            }
        }
    }
}

/// A local port nothing listens on.
fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

#[test]
fn network_failures_are_typed_and_translated() {
    let tmp = tempfile::tempdir().unwrap();
    let tsa = format!("http://127.0.0.1:{}/tsa", closed_port());
    for (env, extra, english) in choices() {
        let out = tmp.path().join("ky.pdf");
        let o = run(kyso_env(&env)
            .env_remove("KYSO_OFFLINE")
            .args(["sign", "--p12"])
            .arg(pki("agency.p12"))
            .arg(fixture("docs/congvan.pdf"))
            .arg("-o")
            .arg(&out)
            .args(["--tsa", &tsa])
            .args(&extra)
            .env("KYSO_PIN", p12_password("agency.p12")));
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(
            !out.exists(),
            "nothing is written when the TSA cannot be reached"
        );
        // The error line (a warning about the signer's own certificate may come before it).
        let all = stderr(&o);
        let err = all
            .lines()
            .find(|l| l.starts_with("kyso: lỗi:") || l.starts_with("kyso: error:"))
            .unwrap_or_else(|| panic!("no error line: {all}"))
            .to_string();
        // The technical detail is kept, whatever the language.
        assert!(err.contains(&format!("{tsa}: connection refused")), "{err}");
        if english {
            assert!(
                err.starts_with("kyso: error: time-stamp: no time-stamp authority"),
                "{err}"
            );
        } else {
            // The kind first, in Vietnamese; no English sentence before it.
            assert!(
                err.starts_with(
                    "kyso: lỗi: không kết nối được máy chủ cấp dấu thời gian \
                     (máy chủ từ chối kết nối): "
                ),
                "{err}"
            );
            assert!(!err.contains("no time-stamp authority"), "{err}");
        }
    }
}

/// `kyso serve` on a free port in the locale `env`.
fn serve(env: &[(&str, &str)]) -> Serve {
    Serve::spawn(kyso_env(env), ["--trust".into(), pki("root.pem")], None)
}

/// POSTs `body` to `path`; (status, JSON answer).
fn post(srv: &Serve, path: &str, body: &[u8]) -> (u16, serde_json::Value) {
    let (status, body) = srv.post_as(path, "application/pdf", body);
    (status, serde_json::from_slice(&body).unwrap())
}

#[test]
fn service_errors_come_in_both_languages() {
    // The service's language is the page's (?lang=), not the locale it was started in.
    for env in [vec![], vec![("LANG", "en_US.UTF-8")]] {
        let srv = serve(&env);
        for path in ["/v1/verify", "/v1/verify?lang=en"] {
            let (status, err) = post(&srv, path, b"%PDF-1.7\nnot really\n");
            assert_eq!(status, 422, "{err}");
            assert_eq!(err["code"], "unreadable_pdf");
            let en = err["error"].as_str().unwrap();
            let vi = err["error_vi"].as_str().unwrap();
            assert!(en.starts_with("damaged PDF"), "{err}");
            assert!(vi.starts_with("tệp PDF bị hỏng"), "{err}");
        }
        // The service's own messages: a fixed sentence, and a kind with its detail.
        let (status, err) = post(&srv, "/v1/verify", b"");
        assert_eq!(status, 400, "{err}");
        assert_eq!(err["error"], "send the PDF as the request body");
        assert_eq!(err["error_vi"], "hãy gửi tệp PDF làm nội dung yêu cầu");
        let (status, err) = post(&srv, "/v1/extract?signature=x", b"%PDF-1.7\n");
        assert_eq!(status, 400, "{err}");
        assert_eq!(err["error_vi"], "signature phải là một số");
    }
    // The page shows error_vi in Vietnamese, error in English.
    let page = std::fs::read_to_string(repo().join("crates/kyso-cli/src/serve/page.html")).unwrap();
    assert!(page.contains("lang === \"vi\" && j.error_vi"));
    // Refusals at start follow the CLI's language.
    for (env, extra, english) in choices() {
        let o = run_with(&env, &["serve", "--listen", "nonsense"], &extra);
        assert_eq!(o.status.code(), Some(2));
        let err = stderr(&o);
        assert_eq!(
            err.starts_with("kyso: error: --listen nonsense"),
            english,
            "{err}"
        );
        assert_eq!(
            err.contains("không phải địa chỉ và cổng"),
            !english,
            "{err}"
        );
    }
}
