//! Gives the shared library the name it is installed under (libkyso.so), so that programs
//! linked against it and `ctypes.CDLL("libkyso.so")` find it after the install copy.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libkyso.so");
    }
}
