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
    let fresh = std::fs::read_to_string(&fresh).unwrap();
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
