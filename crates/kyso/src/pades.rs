//! The PAdES baseline levels (ETSI EN 319 142-1 §6) and what reaching B-LT/B-LTA needs: plain
//! data shared by `sign` (which makes B-B and B-T) and `ltv` (which builds B-LT and B-LTA on top
//! of a signature). `ltv` re-exports both types under their old paths.

use std::sync::Arc;

use time::Duration;

use crate::error::{Error, Result};
use crate::net::HttpClient;
use crate::pki::Certificate;
use crate::timestamp::TsaClient;

/// PAdES baseline levels (ETSI EN 319 142-1 §6.1), in increasing order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum PadesLevel {
    /// B-B: the signature alone (CMS with the signed attributes of §6.3).
    #[default]
    BB,
    /// B-T: plus a signature time-stamp (RFC 3161) proving it existed at a time (§6.3, T-level).
    BT,
    /// B-LT: plus a Document Security Store with the certificates and revocation data needed to
    /// validate it offline (§6.4).
    BLT,
    /// B-LTA: plus a document time-stamp over the DSS, so the data can be renewed (§6.5).
    BLTA,
}

impl PadesLevel {
    /// "B-B", "B-T", "B-LT", "B-LTA".
    pub fn name(self) -> &'static str {
        match self {
            PadesLevel::BB => "B-B",
            PadesLevel::BT => "B-T",
            PadesLevel::BLT => "B-LT",
            PadesLevel::BLTA => "B-LTA",
        }
    }

    /// Accepts "B-LT", "b-lt", "LT", "PAdES-B-LT" and the like.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] for anything else (e.g. "LTV", which names no baseline level).
    ///
    /// # Examples
    ///
    /// ```
    /// use kyso::pades::PadesLevel;
    ///
    /// assert_eq!(PadesLevel::parse("PAdES-B-LT")?, PadesLevel::BLT);
    /// assert_eq!(PadesLevel::parse("lta")?.name(), "B-LTA");
    /// assert!(PadesLevel::parse("LTV").is_err());
    /// // Levels are ordered: each one includes the one below.
    /// assert!(PadesLevel::BT < PadesLevel::BLT);
    /// # Ok::<(), kyso::Error>(())
    /// ```
    pub fn parse(s: &str) -> Result<PadesLevel> {
        let t = s.trim().to_ascii_uppercase();
        let t = t.strip_prefix("PADES-").unwrap_or(&t);
        let t = t.strip_prefix("B-").unwrap_or(t);
        match t {
            "B" => Ok(PadesLevel::BB),
            "T" => Ok(PadesLevel::BT),
            "LT" => Ok(PadesLevel::BLT),
            "LTA" => Ok(PadesLevel::BLTA),
            _ => Err(Error::InvalidArgument(format!(
                "unknown PAdES level '{s}' (B-B, B-T, B-LT or B-LTA)"
            ))),
        }
    }
}

/// How to gather validation data and time-stamps for B-LT and B-LTA.
///
/// `#[non_exhaustive]`: fields may be added in a minor release. Outside kyso, start from
/// [`Default`] and set the fields you need (`let mut o = LtvOptions::default(); o.field = …;`).
#[derive(Clone)]
#[non_exhaustive]
pub struct LtvOptions {
    /// The level to reach: B-LT or B-LTA (for extension).
    pub level: PadesLevel,
    /// The TSA for document time-stamps (B-LTA, or B-LT of signatures without a time-stamp).
    pub timestamp: Option<TsaClient>,
    /// Network access for OCSP, CRLs and missing issuers; None: only the data given here and
    /// already in the document.
    pub http: Option<Arc<dyn HttpClient>>,
    /// Certificates that help complete chains (intermediates, roots).
    pub extra_certs: Vec<Certificate>,
    /// CRLs (DER) to embed where they apply.
    pub crls: Vec<Vec<u8>>,
    /// OCSP responses (DER) to embed where they apply.
    pub ocsps: Vec<Vec<u8>>,
    /// A new archive time-stamp is added when the last one's TSA certificate expires within
    /// this time (B-LTA renewal).
    pub renew_within: Duration,
    /// The password of an encrypted document (the empty user password when not given).
    pub pdf_password: crate::pdf::Password,
}

impl Default for LtvOptions {
    fn default() -> Self {
        LtvOptions {
            level: PadesLevel::BLT,
            timestamp: None,
            http: None,
            extra_certs: Vec::new(),
            crls: Vec::new(),
            ocsps: Vec::new(),
            renew_within: Duration::days(90),
            pdf_password: crate::pdf::Password::default(),
        }
    }
}

impl std::fmt::Debug for LtvOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LtvOptions")
            .field("level", &self.level)
            .field("timestamp", &self.timestamp)
            .field("online", &self.http.is_some())
            .field("extra_certs", &self.extra_certs.len())
            .field("crls", &self.crls.len())
            .field("ocsps", &self.ocsps.len())
            .field("renew_within", &self.renew_within)
            .finish()
    }
}
