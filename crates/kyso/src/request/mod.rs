//! One options model for every front door: [`SignRequest`], [`VerifyRequest`] and
//! [`ExtendRequest`] are plain data that the command line fills from its flags, the C ABI reads from its JSON and
//! `kyso serve` reads from a query ([`from_pairs`]); [`SignRequest::into_options`] (and
//! [`SignRequest::into_prepare_options`] for a deferred signing's first step, the same request
//! at B-B), [`VerifyRequest::into_options`] and [`ExtendRequest::into_options`] load the files they name and check the values, with errors
//! that name the field. A new option is added here once and reaches every door.
//!
//! Field names are the JSON keys of the C ABI (`kyso.h`), which are the command line's long
//! flags with `_` for `-` (`seal_diameter_mm` is `--seal-diameter-mm`); unknown keys are
//! errors. Defaults are those of `kyso sign` / `kyso verify`.
//!
//! Secrets are never fields: the PDF password and the TSA's credentials are passed beside the
//! request ([`SignSecrets`], a [`crate::pdf::Password`]) by a caller that read them from an
//! environment variable, a file or a prompt.
//!
//! ```
//! let req: kyso::request::SignRequest =
//!     serde_json::from_str(r#"{"reason": "Phê duyệt", "hash": "sha384"}"#).unwrap();
//! let opts = req.into_options(kyso::request::SignSecrets::default()).unwrap();
//! assert_eq!(opts.reason.as_deref(), Some("Phê duyệt"));
//! assert!(serde_json::from_str::<kyso::request::SignRequest>(r#"{"resaon": "x"}"#).is_err());
//! ```

mod extend;
mod query;
mod sign;
mod verify;

pub use extend::ExtendRequest;
pub use query::{fields_of, from_pairs};
pub use sign::{SignRequest, SignSecrets};
pub use verify::VerifyRequest;

#[cfg(feature = "net")]
pub use crate::net::UreqClient;
/// Network access, for callers that pass their own HTTP client (tests, proxies, a stub that
/// refuses everything) or read the network budget: the [`HttpClient`] trait and its
/// [`HttpResponse`], [`Offline`] (every request refused), the [`NetworkBudget`] of one
/// verification, and `UreqClient`, the real client (feature `net`).
pub use crate::net::{HttpClient, HttpResponse, NetworkBudget, Offline};

use crate::{Error, Result};

/// KYSO_OFFLINE=1: no network, whatever the request says (every front door honours it).
pub(crate) fn env_offline() -> bool {
    std::env::var("KYSO_OFFLINE").is_ok_and(|v| v == "1")
}

/// An invalid value of `field`.
pub(crate) fn invalid(field: &str, why: impl std::fmt::Display) -> Error {
    Error::InvalidArgument(format!("{field}: {why}"))
}

/// Reads every file of `paths` (for `field`).
pub(crate) fn read_all(paths: &[std::path::PathBuf]) -> Result<Vec<Vec<u8>>> {
    paths
        .iter()
        .map(|p| std::fs::read(p).map_err(|e| Error::io(p, e)))
        .collect()
}

/// A string or a list of strings (`"tsa": "http://a"` or `["http://a", "http://b"]`); null is
/// none.
pub(crate) fn one_or_many<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Vec<String>, D::Error> {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    let v: Option<OneOrMany> = serde::Deserialize::deserialize(d)
        .map_err(|_| <D::Error as serde::de::Error>::custom("tsa: a URL or a list of URLs"))?;
    Ok(match v {
        None => Vec::new(),
        Some(OneOrMany::One(s)) => vec![s],
        Some(OneOrMany::Many(v)) => v,
    })
}
