//! The BER/DER reader, certificates and CMS SignedData parsing and checks.
#![no_main]

use kyso::cms::SignedData;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(sd) = SignedData::parse(data) {
        for si in &sd.signer_infos {
            let _ = kyso::cms::check_signer_info(&sd, si, &[0u8; 32], Some(b"content"));
        }
    }
    let _ = kyso::pki::Certificate::parse_pem_or_der(data);
    let _ = kyso::cms::timestamp::TstInfo::parse(data);
});
