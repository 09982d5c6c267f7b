//! Gives the shared library the name it is installed under: on Linux the SONAME libkyso.so.0
//! (the 0 is the ABI's major version; install.sh installs libkyso.so.0 and the link
//! libkyso.so -> libkyso.so.0), so that programs linked with -lkyso load libkyso.so.0.
//! Windows: scripts/build-windows.sh installs kyso_ffi.dll as kyso.dll with its import
//! library and checks that it exports kyso_* only.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libkyso.so.0");
    }
}
