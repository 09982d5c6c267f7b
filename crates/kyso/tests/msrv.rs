//! The minimum supported Rust version is declared once (`rust-version` in the workspace's
//! Cargo.toml, inherited by every crate) and stated in the README; both must agree.

use std::path::Path;

fn read(rel: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    std::fs::read_to_string(root.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The value of `key = "..."` on its own line.
fn value<'a>(toml: &'a str, key: &str) -> Option<&'a str> {
    toml.lines().find_map(|l| {
        let rest = l.trim().strip_prefix(key)?.trim_start().strip_prefix('=')?;
        Some(rest.trim().trim_matches('"'))
    })
}

#[test]
fn rust_version_is_declared_once_and_stated_in_the_readme() {
    let workspace = read("Cargo.toml");
    let msrv = value(&workspace, "rust-version").expect("rust-version in Cargo.toml");
    assert!(
        msrv.split('.').all(|p| p.parse::<u32>().is_ok()),
        "rust-version {msrv:?}"
    );
    for krate in ["kyso", "kyso-cli", "kyso-ffi"] {
        let toml = read(&format!("crates/{krate}/Cargo.toml"));
        assert!(
            toml.lines()
                .any(|l| l.trim() == "rust-version.workspace = true"),
            "{krate} must inherit rust-version from the workspace"
        );
        for key in [
            "description",
            "license.workspace",
            "keywords.workspace",
            "categories",
        ] {
            assert!(value(&toml, key).is_some(), "{krate}: {key} missing");
        }
    }
    let readme = read("README.md");
    let stated = readme
        .split("Minimum supported Rust: **")
        .nth(1)
        .and_then(|r| r.split("**").next())
        .expect("README states the minimum supported Rust");
    assert_eq!(stated, msrv, "README and Cargo.toml disagree");
}
