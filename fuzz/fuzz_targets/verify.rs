//! The whole verification pipeline on arbitrary bytes.
#![no_main]

use kyso::verify::{verify_bytes, VerifyOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = verify_bytes(data, &VerifyOptions::default());
});
