//! The library says what is wrong and what is needed in its own terms; only a front door names
//! its own parameters (issue #19 item 5): no string literal of `crates/kyso/src` outside
//! `text/` names a command-line flag (`--tsa`, `--force`...). The CLI adds those hints when it
//! prints an error (kyso-cli's `help_text::flag_hint`), the C ABI its JSON keys.

use std::path::{Path, PathBuf};

/// Files still naming flags: a known debt to pay (a typed error the CLI can add its hint to),
/// not a licence. Empty since session 6 (the appearance and Decree 30 words name what is
/// needed; `error::Need` carries it to the front doors).
const NOT_YET: &[&str] = &[];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The string literals of `code` (comments skipped), with their line numbers.
fn literals(code: &str) -> Vec<(usize, String)> {
    let b: Vec<char> = code.chars().collect();
    let (mut out, mut i, n, mut line) = (Vec::new(), 0, b.len(), 1);
    let at = |i: usize, s: &str| s.chars().enumerate().all(|(k, c)| b.get(i + k) == Some(&c));
    while i < n {
        let c = b[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if at(i, "//") {
            while i < n && b[i] != '\n' {
                i += 1;
            }
        } else if at(i, "/*") {
            while i < n && !at(i, "*/") {
                if b[i] == '\n' {
                    line += 1;
                }
                i += 1;
            }
            i += 2;
        } else if c == '\'' && i + 2 < n && (b[i + 2] == '\'' || b[i + 1] == '\\') {
            // A char literal ('"', '\'', '\u{..}'); lifetimes have no closing quote two
            // further on.
            let from = if b[i + 1] == '\\' { i + 3 } else { i + 2 };
            let close = (from..n.min(i + 12)).find(|&j| b[j] == '\'');
            i = close.map_or(i + 1, |j| j + 1);
        } else if c == '"' {
            let start = line;
            let mut s = String::new();
            i += 1;
            while i < n && b[i] != '"' {
                if b[i] == '\\' {
                    if b.get(i + 1) == Some(&'\n') {
                        line += 1;
                    }
                    s.push(b[i]);
                    i += 1;
                }
                if i < n {
                    if b[i] == '\n' {
                        line += 1;
                    }
                    s.push(b[i]);
                    i += 1;
                }
            }
            i += 1;
            out.push((start, s));
        } else {
            i += 1;
        }
    }
    out
}

/// A long flag in `s`: `--` then a lowercase letter, not inside a longer run of dashes.
fn names_a_flag(s: &str) -> bool {
    let b = s.as_bytes();
    (0..b.len().saturating_sub(2)).any(|i| {
        b[i] == b'-'
            && b[i + 1] == b'-'
            && b[i + 2].is_ascii_lowercase()
            && (i == 0 || !(b[i - 1] == b'-' || b[i - 1].is_ascii_alphanumeric()))
    })
}

#[test]
fn the_scanner_finds_flags_in_literals_only() {
    let code = "// --tsa\nlet a = \"give --tsa URL\";\nlet b = '\"'; let q = '\\''; let c = \"a--b ---x\";\n/* --force */ let d = \"--force\";";
    let found: Vec<usize> = literals(code)
        .into_iter()
        .filter(|(_, s)| names_a_flag(s))
        .map(|(l, _)| l)
        .collect();
    assert_eq!(found, vec![2, 4]);
}

#[test]
fn no_library_literal_names_a_command_line_flag() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../kyso/src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(
        files.len() > 50,
        "sources not found under {}",
        src.display()
    );
    let mut found = Vec::new();
    for path in files {
        let rel = path
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if rel.starts_with("text/") || NOT_YET.contains(&rel.as_str()) {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        // Unit tests may spell flags (to check they are not said).
        let code = match text.find("#[cfg(test)]\nmod tests {") {
            Some(k) => &text[..k],
            None => &text,
        };
        for (line, s) in literals(code) {
            if names_a_flag(&s) {
                found.push(format!("{rel}:{line}: {s:?}"));
            }
        }
    }
    assert!(
        found.is_empty(),
        "library strings naming command-line flags (say what is needed in the library's \
         terms; let the front door add its flag):\n{}",
        found.join("\n")
    );
}
