//! include/kyso.h must be what cbindgen makes of src/lib.rs. `KYSO_BLESS=1` rewrites it.

use std::path::Path;

#[test]
fn header_is_current() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(dir.join("cbindgen.toml")).expect("cbindgen.toml");
    let tmp = tempfile::tempdir().unwrap();
    let fresh = tmp.path().join("kyso.h");
    cbindgen::Builder::new()
        .with_config(config)
        .with_src(dir.join("src/lib.rs"))
        .generate()
        .expect("cbindgen")
        .write_to_file(&fresh);
    let fresh = parenthesise_negative_defines(&std::fs::read_to_string(&fresh).unwrap());
    let committed_path = dir.join("include/kyso.h");
    if std::env::var("KYSO_BLESS").is_ok_and(|v| v == "1") {
        std::fs::write(&committed_path, &fresh).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&committed_path).unwrap_or_default();
    assert!(
        committed == fresh,
        "stale header: include/kyso.h differs from what cbindgen generates from src/lib.rs; \
         run `KYSO_BLESS=1 cargo test -p kyso-ffi --test header` and commit the result"
    );
}

/// `#define KYSO_ERR_IO -2` becomes `#define KYSO_ERR_IO (-2)`, so that `x-KYSO_ERR_IO` and
/// the like expand as meant (cbindgen writes negative literals bare).
fn parenthesise_negative_defines(header: &str) -> String {
    let mut out = String::with_capacity(header.len() + 64);
    for line in header.split_inclusive('\n') {
        let body = line.trim_end_matches('\n');
        let mut parts = body.splitn(3, ' ');
        match (parts.next(), parts.next(), parts.next()) {
            (Some("#define"), Some(name), Some(value))
                if value.starts_with('-') && value[1..].bytes().all(|b| b.is_ascii_digit()) =>
            {
                out.push_str(&format!("#define {name} ({value})"));
                out.push_str(&line[body.len()..]);
            }
            _ => out.push_str(line),
        }
    }
    out
}

#[test]
fn negative_values_get_parentheses() {
    let h = "#define KYSO_OK 0\n#define KYSO_ERR_IO -2\n#define KYSO_ERR_INTERNAL -99\n";
    assert_eq!(
        parenthesise_negative_defines(h),
        "#define KYSO_OK 0\n#define KYSO_ERR_IO (-2)\n#define KYSO_ERR_INTERNAL (-99)\n"
    );
}
