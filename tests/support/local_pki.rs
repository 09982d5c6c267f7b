//! The throw-away PKI with its online services (CRLs, OCSP, TSA on 127.0.0.1): it lives in the
//! dev-only crate `kyso-testpki` (the one test CA of kyso, issue #19 item 4).
#![allow(unused_imports)]

pub use kyso_testpki::local::*;
