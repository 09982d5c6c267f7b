//! RFC 3161 time-stamps: asking a Time-Stamping Authority for a token ([`client`]) and checking
//! a token on its own ([`token`]: imprint, TSA signature, TSA certificate purpose). Whether the
//! TSA is trusted is the verifier's question (`verify::timestamps`), as for any signer.

pub mod client;
pub mod token;

pub use client::{TimestampRequest, TsaClient};
pub use token::{TimestampToken, TokenCheck};
