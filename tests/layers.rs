//! Imports go downward only (issue #19 item 2): read the library's sources and check that the
//! ground floor names nothing above it, `crypto` does not import `pki`, `sign` knows nothing
//! of `ltv`, verification and the Decree 30 rules name no words (`text`), and no module imports
//! another that imports it back. Paths are the `crate::x` ones in code (comments, literals and
//! `#[cfg(test)]` items left out). `python3 scripts/import-graph.py` draws the whole picture
//! (docs/architecture.md).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// What a module may import, or must never import.
enum Rule {
    Only(&'static [&'static str]),
    Never(&'static [&'static str]),
}

const RULES: &[(&str, Rule)] = &[
    // The one error type is used by everything: it names nothing of the crate.
    ("error", Rule::Only(&[])),
    // Encodings and the file format are the ground floor.
    ("asn1", Rule::Only(&["error"])),
    ("pdf", Rule::Only(&["error", "asn1", "base64", "crypto"])),
    // Algorithms know keys (crypto::keys), not certificates.
    ("crypto", Rule::Only(&["error", "asn1", "base64"])),
    // Signing makes B-B/B-T; B-LT/B-LTA are built on it by `ltv`.
    ("sign", Rule::Never(&["ltv", "verify", "text"])),
    // The PAdES levels are data under both `sign` and `ltv`.
    ("pades", Rule::Never(&["sign", "ltv", "verify"])),
    // What a page shows (geometry, content streams, text) sits on the file format.
    ("layout", Rule::Only(&["error", "pdf"])),
    // Facts in the core, words at the edge: verification returns facts, `text` words them.
    (
        "verify",
        Rule::Never(&["text", "request", "extract", "ltv", "sign"]),
    ),
    // The Decree 30 rules judge facts handed to them: below verification and appearance.
    (
        "decree30",
        Rule::Never(&["text", "verify", "appearance", "visual", "sign"]),
    ),
    // The visual check draws and compares; verification calls it, never the reverse.
    (
        "visual",
        Rule::Never(&["verify", "text", "decree30", "appearance"]),
    ),
    // Appearance may follow the Decree 30 rules but not what verifies or words them.
    ("appearance", Rule::Never(&["verify", "text", "visual"])),
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../kyso/src")
}

/// The code of a Rust file with comments dropped and string/char literals emptied.
fn code_only(text: &str) -> String {
    let b: Vec<char> = text.chars().collect();
    let (mut out, mut i, n) = (String::with_capacity(text.len()), 0, b.len());
    let at = |i: usize, s: &str| s.chars().enumerate().all(|(k, c)| b.get(i + k) == Some(&c));
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    while i < n {
        let c = b[i];
        if at(i, "//") {
            while i < n && b[i] != '\n' {
                i += 1;
            }
        } else if at(i, "/*") {
            let mut depth = 1;
            i += 2;
            while i < n && depth > 0 {
                if at(i, "/*") {
                    depth += 1;
                    i += 2;
                } else if at(i, "*/") {
                    depth -= 1;
                    i += 2;
                } else {
                    i += 1;
                }
            }
        } else if c == 'r' && (i == 0 || !ident(b[i - 1])) && {
            let mut j = i + 1;
            while j < n && b[j] == '#' {
                j += 1;
            }
            j < n && b[j] == '"'
        } {
            let mut j = i + 1;
            let mut hashes = 0;
            while b[j] == '#' {
                hashes += 1;
                j += 1;
            }
            j += 1;
            let end: String = std::iter::once('"')
                .chain(std::iter::repeat_n('#', hashes))
                .collect();
            while j < n && !at(j, &end) {
                j += 1;
            }
            out.push_str("\"\"");
            i = j + end.len();
        } else if c == '"' {
            i += 1;
            while i < n && b[i] != '"' {
                i += if b[i] == '\\' { 2 } else { 1 };
            }
            out.push_str("\"\"");
            i += 1;
        } else if c == '\''
            && i + 2 < n
            && (b[i + 2] == '\'' || (b[i + 1] == '\\' && b.get(i + 3) == Some(&'\'')))
        {
            // A char literal ('"', '\'', 'x'); lifetimes ('a) have no closing quote there.
            out.push_str("' '");
            i += if b[i + 1] == '\\' { 4 } else { 3 };
        } else if c == '\'' && at(i, "'\\u{") {
            while i < n && b[i] != '}' {
                i += 1;
            }
            out.push_str("' '");
            i += 2;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// Drops every `#[cfg(test)]` item; returns the code and the test-only `mod x;` names.
fn without_tests(mut code: String) -> (String, Vec<String>) {
    let mut test_mods = Vec::new();
    while let Some(k) = code.find("#[cfg(test)]") {
        let bytes = code.as_bytes();
        let mut i = k + "#[cfg(test)]".len();
        let mut depth = 0i32;
        while i < bytes.len() {
            match bytes[i] {
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        i += 1;
                        break;
                    }
                }
                b';' if depth == 0 => {
                    let item = code[k..i].split_whitespace().collect::<Vec<_>>();
                    if let [.., "mod", name] = item.as_slice() {
                        test_mods.push(name.to_string());
                    }
                    i += 1;
                    break;
                }
                _ => {}
            }
            i += 1;
        }
        code.replace_range(k..i.min(code.len()), "");
    }
    (code, test_mods)
}

fn leading_ident(s: &str) -> Option<&str> {
    let s = s.trim_start();
    let end = s
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    (end > 0).then(|| &s[..end])
}

/// The first segments of every `crate::x` and `crate::{x, y::z}` path.
fn crate_paths(code: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut from = 0;
    while let Some(p) = code[from..].find("crate::") {
        let k = from + p;
        from = k + "crate::".len();
        if code[..k]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
        {
            continue;
        }
        let rest = &code[from..];
        if let Some(group) = rest.strip_prefix('{') {
            let (mut depth, mut start) = (1, 0);
            for (j, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' | ',' if depth == 1 => {
                        found.extend(leading_ident(&group[start..j]).map(str::to_string));
                        start = j + 1;
                        if c == '}' {
                            break;
                        }
                    }
                    '}' => depth -= 1,
                    _ => {}
                }
            }
        } else if let Some(id) = leading_ident(rest) {
            found.insert(id.to_string());
        }
    }
    found
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// {top module: {(imported top module, file)}} for the library's non-test code.
fn imports() -> BTreeMap<String, BTreeSet<(String, String)>> {
    let root = src();
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    files.sort();
    let mut parsed = Vec::new();
    let mut test_files = BTreeSet::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let (code, test_mods) = without_tests(code_only(&text));
        let name = f.file_name().unwrap().to_str().unwrap();
        let dir = if name == "mod.rs" || name == "lib.rs" {
            f.parent().unwrap().to_path_buf()
        } else {
            f.with_extension("")
        };
        for t in test_mods {
            test_files.insert(dir.join(format!("{t}.rs")));
            test_files.insert(dir.join(t));
        }
        parsed.push((f, code));
    }
    let lib = code_only(&std::fs::read_to_string(root.join("lib.rs")).unwrap());
    let mut graph: BTreeMap<String, BTreeSet<(String, String)>> = BTreeMap::new();
    for (f, code) in parsed {
        if test_files.iter().any(|t| f == *t || f.starts_with(t)) {
            continue;
        }
        let rel = f.strip_prefix(&root).unwrap();
        let first = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_str()
            .unwrap();
        if first == "lib.rs" {
            continue;
        }
        let top = first.trim_end_matches(".rs").to_string();
        let entry = graph.entry(top.clone()).or_default();
        for name in crate_paths(&code) {
            // `crate::Error` is lib.rs's re-export of `error::Error`.
            // A module is declared `pub mod x;` or, for the private plumbing (asn1, base64, net,
            // pem), `mod x;` at the start of a line.
            let declared = lib.lines().any(|l| {
                let l = l.trim_start();
                l == format!("pub mod {name};") || l == format!("mod {name};")
            });
            let module = if declared {
                name
            } else if lib.contains("pub use error::{Error, Result};")
                && (name == "Error" || name == "Result")
            {
                "error".to_string()
            } else {
                panic!(
                    "{}: crate::{name} is neither a module nor a known re-export",
                    rel.display()
                );
            };
            if module != top {
                entry.insert((module, rel.display().to_string()));
            }
        }
    }
    graph
}

#[test]
fn imports_go_downward_only() {
    let graph = imports();
    for m in [
        "error", "asn1", "pdf", "crypto", "sign", "ltv", "pki", "pades",
    ] {
        assert!(
            graph.contains_key(m),
            "module {m} not found: the scan is broken"
        );
    }
    // The scan sees real imports: ltv builds on sign, pki on crypto.
    let names = |m: &str| -> BTreeSet<String> { graph[m].iter().map(|(d, _)| d.clone()).collect() };
    assert!(names("ltv").contains("sign") && names("pki").contains("crypto"));

    let mut broken = Vec::new();
    for (module, rule) in RULES {
        for (dep, file) in &graph[*module] {
            let bad = match rule {
                Rule::Only(allowed) => !allowed.contains(&dep.as_str()),
                Rule::Never(denied) => denied.contains(&dep.as_str()),
            };
            if bad {
                broken.push(format!("{file}: {module} imports {dep}"));
            }
        }
    }
    assert!(
        broken.is_empty(),
        "imports against the layering:\n{}",
        broken.join("\n")
    );
}

/// No import circle at all: peeling off, again and again, the modules that import nothing
/// left, empties the graph (the floors of docs/architecture.md).
#[test]
fn no_import_circle() {
    let graph = imports();
    // The words are above what they word.
    let names = |m: &str| -> BTreeSet<String> { graph[m].iter().map(|(d, _)| d.clone()).collect() };
    assert!(names("text").contains("verify") && names("text").contains("decree30"));
    let mut left: BTreeMap<&str, BTreeSet<&str>> = graph
        .iter()
        .map(|(m, deps)| {
            let deps = deps
                .iter()
                .map(|(d, _)| d.as_str())
                .filter(|d| graph.contains_key(*d))
                .collect();
            (m.as_str(), deps)
        })
        .collect();
    while !left.is_empty() {
        let floor: Vec<&str> = left
            .iter()
            .filter(|(_, deps)| deps.is_empty())
            .map(|(m, _)| *m)
            .collect();
        assert!(
            !floor.is_empty(),
            "an import circle among: {:?}",
            left.keys().collect::<Vec<_>>()
        );
        for m in &floor {
            left.remove(m);
        }
        for deps in left.values_mut() {
            deps.retain(|d| !floor.contains(d));
        }
    }
}

#[test]
fn the_scan_reads_paths_and_skips_comments_literals_and_tests() {
    let code = r#"
        use crate::{pki::Certificate, error::{Error, Result}};
        // use crate::ltv;
        /* crate::verify */
        const S: &str = "crate::sign";
        fn f() -> crate::asn1::Oid { kyso_crate::x(); let c = '"'; crate::pdf::x() }
        #[cfg(test)]
        mod tests { use crate::cms; }
        #[cfg(test)]
        mod testutil;
    "#;
    let (code, test_mods) = without_tests(code_only(code));
    let found: Vec<String> = crate_paths(&code).into_iter().collect();
    assert_eq!(found, ["asn1", "error", "pdf", "pki"]);
    assert_eq!(test_mods, ["testutil"]);
}

/// The library's English text of a Decree 30 guard (its `Display`, in `error::kinds`, below
/// `decree30`) stays the English of the text layer (`text::decree30::guard_text`).
#[test]
fn guard_display_matches_the_english_words() {
    use kyso::decree30::guard::Guard;
    let guards = [
        Guard::LeaderAfterOrganization {
            signature: 2,
            signer: "CN=Sở Nội vụ".into(),
        },
        Guard::LeaderNotPerson {
            common_name: "UBND".into(),
        },
        Guard::AnchorNotInSignerBlock {
            anchor: "Nguyễn Văn A".into(),
            page: 1,
            from_top_mm: 12.4,
        },
        Guard::NumberBlankNotFound {
            number: "12/QĐ".into(),
        },
        Guard::DateBlankNotFound {
            date: "05/12/2026".into(),
        },
        Guard::TextInBindingMargin { left_mm: 21.6 },
    ];
    for g in &guards {
        assert_eq!(
            g.to_string(),
            kyso::text::decree30::guard_text(g, kyso::text::Lang::En)
        );
        assert_eq!(g.to_string(), kyso::decree30::guard::english(g));
    }
    let e = kyso::Error::Decree30(guards[..2].to_vec()).to_string();
    // The library says what is wrong; the front door adds how to override it (--force).
    assert!(
        e.starts_with(&guards[0].to_string()) && !e.contains("--force"),
        "{e}"
    );
}
