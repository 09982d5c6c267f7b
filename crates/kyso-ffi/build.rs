//! Gives the shared library the name it is installed under: on Linux the SONAME libkyso.so.0
//! (the 0 is the ABI's major version; install.sh installs libkyso.so.0 and the link
//! libkyso.so -> libkyso.so.0), so that programs linked with -lkyso load libkyso.so.0.
//! Windows (GNU toolchain): AWS-LC's jitter-entropy functions are declared dllexport in its
//! sources; `--exclude-libs,ALL` keeps everything from static archives out of the DLL's export
//! table, so kyso_ffi.dll (installed as kyso.dll by scripts/build-windows.sh) exports kyso_*
//! only (checked there with objdump).

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libkyso.so.0");
    }
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("windows")
        && std::env::var("CARGO_CFG_TARGET_ENV").as_deref() == Ok("gnu")
    {
        println!("cargo:rustc-cdylib-link-arg=-Wl,--exclude-libs,ALL");
    }
}
