//! Certificate revocation lists (RFC 5280 §5) and the CRL distribution points
//! extension of certificates (RFC 5280 §4.2.1.13). Parsing only; the revocation
//! algorithm (RFC 5280 §6.3) lives in `pki::validate`.

use std::fmt;

use time::OffsetDateTime;

use super::certificate::{Certificate, Extension};
use super::name::{GeneralName, Name};
use crate::asn1::{oid, reader::tag, writer, AlgorithmIdentifier, Class, Element, Reader};
use crate::crypto;
use crate::error::{Error, Result};

/// Most revoked entries accepted in one CRL (hostile-input bound).
pub const MAX_CRL_ENTRIES: usize = 1_000_000;

fn crl_err<T>(msg: impl Into<String>) -> Result<T> {
    Err(Error::Asn1(format!("CRL: {}", msg.into())))
}

/// `ReasonFlags` bits (RFC 5280 §4.2.1.13) as a mask: bit `1 << n` for named bit `n`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReasonFlags(pub u16);

impl ReasonFlags {
    /// keyCompromise (1) through aACompromise (8); `unused` (0) excluded.
    pub const ALL: ReasonFlags = ReasonFlags(0x01FE);

    /// Decodes the contents of a (possibly implicitly tagged) BIT STRING.
    fn from_bit_string(el: &Element<'_>) -> Result<ReasonFlags> {
        let v = el.string_bytes()?;
        let Some((&unused, bits)) = v.split_first() else {
            return crl_err("empty ReasonFlags");
        };
        if unused > 7 {
            return crl_err("invalid ReasonFlags");
        }
        let mut mask = 0u16;
        for i in 0..9usize {
            if bits.get(i / 8).is_some_and(|b| b & (0x80 >> (i % 8)) != 0) {
                mask |= 1 << i;
            }
        }
        Ok(ReasonFlags(mask & Self::ALL.0))
    }

    /// The reasons in both sets (RFC 5280 §6.3.3 (d): interim_reasons_mask).
    pub fn intersect(self, o: ReasonFlags) -> ReasonFlags {
        ReasonFlags(self.0 & o.0)
    }

    /// The reasons in either set (RFC 5280 §6.3.3 (j): reasons_mask grows with each CRL).
    pub fn union(self, o: ReasonFlags) -> ReasonFlags {
        ReasonFlags(self.0 | o.0)
    }

    /// True when every reason of `o` is in `self`.
    pub fn contains_all(self, o: ReasonFlags) -> bool {
        self.0 & o.0 == o.0
    }
}

/// CRLReason (RFC 5280 §5.3.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RevocationReason {
    /// 0: no reason given (also what an entry without reasonCode means).
    Unspecified,
    /// 1: the subject's private key is known or suspected to be compromised.
    KeyCompromise,
    /// 2: the issuing CA's key is known or suspected to be compromised.
    CaCompromise,
    /// 3: the subject's name or other information changed (no compromise).
    AffiliationChanged,
    /// 4: the certificate was replaced by a new one (no compromise).
    Superseded,
    /// 5: the certificate is no longer needed (no compromise).
    CessationOfOperation,
    /// 6: temporarily suspended; may be lifted by `RemoveFromCrl` in a later CRL.
    CertificateHold,
    /// 8: only in delta CRLs, a previous hold was lifted (RFC 5280 §5.3.1).
    RemoveFromCrl,
    /// 9: a privilege granted by the certificate was withdrawn.
    PrivilegeWithdrawn,
    /// 10: an attribute authority's key was compromised (attribute certificates).
    AaCompromise,
}

impl RevocationReason {
    /// From the ENUMERATED value; `None` for values RFC 5280 does not define (7, > 10).
    pub fn from_code(code: u64) -> Option<Self> {
        use RevocationReason::*;
        Some(match code {
            0 => Unspecified,
            1 => KeyCompromise,
            2 => CaCompromise,
            3 => AffiliationChanged,
            4 => Superseded,
            5 => CessationOfOperation,
            6 => CertificateHold,
            8 => RemoveFromCrl,
            9 => PrivilegeWithdrawn,
            10 => AaCompromise,
            _ => return None,
        })
    }

    /// The ENUMERATED value.
    pub fn code(self) -> u8 {
        use RevocationReason::*;
        match self {
            Unspecified => 0,
            KeyCompromise => 1,
            CaCompromise => 2,
            AffiliationChanged => 3,
            Superseded => 4,
            CessationOfOperation => 5,
            CertificateHold => 6,
            RemoveFromCrl => 8,
            PrivilegeWithdrawn => 9,
            AaCompromise => 10,
        }
    }

    /// The ASN.1 name (`keyCompromise`...).
    pub fn name(self) -> &'static str {
        use RevocationReason::*;
        match self {
            Unspecified => "unspecified",
            KeyCompromise => "keyCompromise",
            CaCompromise => "cACompromise",
            AffiliationChanged => "affiliationChanged",
            Superseded => "superseded",
            CessationOfOperation => "cessationOfOperation",
            CertificateHold => "certificateHold",
            RemoveFromCrl => "removeFromCRL",
            PrivilegeWithdrawn => "privilegeWithdrawn",
            AaCompromise => "aACompromise",
        }
    }
}

impl fmt::Display for RevocationReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl RevocationReason {
    /// The ReasonFlags bit covering this reason (RFC 5280 §4.2.1.13); unspecified
    /// and removeFromCRL map to every reason.
    pub fn flag(self) -> ReasonFlags {
        use RevocationReason::*;
        ReasonFlags(match self {
            KeyCompromise => 1 << 1,
            CaCompromise => 1 << 2,
            AffiliationChanged => 1 << 3,
            Superseded => 1 << 4,
            CessationOfOperation => 1 << 5,
            CertificateHold => 1 << 6,
            PrivilegeWithdrawn => 1 << 7,
            AaCompromise => 1 << 8,
            Unspecified | RemoveFromCrl => ReasonFlags::ALL.0,
        })
    }
}

/// `DistributionPointName` (RFC 5280 §4.2.1.13).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DistributionPointName {
    /// `fullName [0] GeneralNames`.
    FullName(Vec<GeneralName>),
    /// `nameRelativeToCRLIssuer [1] RelativeDistinguishedName`: the encoding of the
    /// RDN as a DER `SET`, to be appended to the CRL issuer's name.
    RelativeToIssuer(Vec<u8>),
}

impl DistributionPointName {
    /// Parses the CHOICE inside a `[0]` wrapper.
    fn from_wrapper(el: &Element<'_>) -> Result<DistributionPointName> {
        let inner = el.children()?.read_single()?;
        match (inner.class, inner.number) {
            (Class::Context, 0) => Ok(DistributionPointName::FullName(
                GeneralName::list_from_element(&inner)?,
            )),
            (Class::Context, 1) => {
                let rdn = writer::retag(inner.raw, 0x31)?;
                // Checked now so that `names` can always complete it (RFC 5280 §4.2.1.13): a
                // relative name that does not parse would otherwise match no scope at all.
                Name::from_der(&writer::tlv(0x30, &rdn))?;
                Ok(DistributionPointName::RelativeToIssuer(rdn))
            }
            _ => crl_err("invalid DistributionPointName"),
        }
    }

    /// The names this resolves to; `issuer` completes a relative name (RFC 5280 §5.2.5).
    pub fn names(&self, issuer: &Name) -> Vec<GeneralName> {
        match self {
            DistributionPointName::FullName(v) => v.clone(),
            DistributionPointName::RelativeToIssuer(rdn) => {
                // Unreachable fallbacks: `issuer` was parsed as a Name and `rdn` was checked
                // by `from_wrapper`. An empty list matches no scope, so it fails closed
                // (RFC 5280 §6.3.3 (b)(2): the CRL is then not used for the certificate).
                let Ok(outer) = Reader::new(&issuer.der).read_single() else {
                    return Vec::new();
                };
                let mut content = outer.value.to_vec();
                content.extend_from_slice(rdn);
                match Name::from_der(&writer::tlv(0x30, &content)) {
                    Ok(n) => vec![GeneralName::Directory(n)],
                    Err(_) => Vec::new(),
                }
            }
        }
    }
}

/// One `DistributionPoint` of a certificate's CRL distribution points (RFC 5280 §4.2.1.13).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DistributionPoint {
    /// distributionPoint: where the CRL is (URIs) or its name; None when only `crl_issuer` is set.
    pub name: Option<DistributionPointName>,
    /// reasons: the revocation reasons this point's CRL covers; None = all reasons.
    pub reasons: Option<ReasonFlags>,
    /// cRLIssuer: who signs this point's CRL (indirect CRL); None = the certificate's issuer.
    pub crl_issuer: Option<Vec<GeneralName>>,
}

/// Parses the value of a cRLDistributionPoints (or freshestCRL) extension (RFC 5280 §4.2.1.13).
pub fn parse_distribution_points(value: &[u8]) -> Result<Vec<DistributionPoint>> {
    let seq = Reader::new(value).read_single()?;
    seq.expect_universal(tag::SEQUENCE, "CRLDistributionPoints")?;
    let mut out = Vec::new();
    for dp in seq.children()? {
        let dp = dp?;
        dp.expect_universal(tag::SEQUENCE, "DistributionPoint")?;
        let mut r = dp.children()?;
        let name = match r.read_optional_context(0)? {
            Some(n) => Some(DistributionPointName::from_wrapper(&n)?),
            None => None,
        };
        let reasons = match r.read_optional_context(1)? {
            Some(b) => Some(ReasonFlags::from_bit_string(&b)?),
            None => None,
        };
        let crl_issuer = match r.read_optional_context(2)? {
            Some(g) => Some(GeneralName::list_from_element(&g)?),
            None => None,
        };
        r.finish("DistributionPoint")?;
        if name.is_none() && crl_issuer.is_none() {
            // RFC 5280 §4.2.1.13: one of them MUST be present.
            return crl_err("DistributionPoint without name or cRLIssuer");
        }
        out.push(DistributionPoint {
            name,
            reasons,
            crl_issuer,
        });
    }
    Ok(out)
}

/// The certificate's CRL distribution points (2.5.29.31); empty when absent.
pub fn crl_distribution_points(cert: &Certificate) -> Result<Vec<DistributionPoint>> {
    match cert
        .extensions
        .iter()
        .find(|e| e.oid == oid::EXT_CRL_DISTRIBUTION_POINTS)
    {
        Some(e) => parse_distribution_points(&e.value),
        None => Ok(Vec::new()),
    }
}

/// The `http`, `https` and `ldap` URLs of the certificate's CRL distribution
/// points (fullName uniformResourceIdentifier entries), in order. Malformed
/// extensions yield no URL.
pub fn crl_urls(cert: &Certificate) -> Vec<String> {
    let mut out = Vec::new();
    // Only where to fetch from: path validation parses the extension again and reports a
    // malformed one (validate/revocation.rs), so no URL here cannot make a certificate pass.
    for dp in crl_distribution_points(cert).unwrap_or_default() {
        if let Some(DistributionPointName::FullName(names)) = dp.name {
            for n in names {
                if let GeneralName::Uri(u) = n {
                    if !out.contains(&u) {
                        out.push(u);
                    }
                }
            }
        }
    }
    out
}

/// `IssuingDistributionPoint` (RFC 5280 §5.2.5).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IssuingDistributionPoint {
    /// The distribution point this CRL is published for; None = not restricted to one.
    pub distribution_point: Option<DistributionPointName>,
    /// The CRL covers end-entity certificates only.
    pub only_contains_user_certs: bool,
    /// The CRL covers CA certificates only.
    pub only_contains_ca_certs: bool,
    /// The CRL covers only these reasons; None = all reasons.
    pub only_some_reasons: Option<ReasonFlags>,
    /// The CRL may list certificates of issuers other than its signer (§5.3.3).
    pub indirect_crl: bool,
    /// The CRL covers attribute certificates only (never usable for X.509 certificates).
    pub only_contains_attribute_certs: bool,
    /// The extension value, to compare a delta CRL's scope (RFC 5280 §6.3.3 (c)(2)).
    pub der: Vec<u8>,
}

/// An implicitly tagged BOOLEAN.
fn implicit_bool(el: &Element<'_>) -> Result<bool> {
    match el.value {
        [b] if !el.constructed => Ok(*b != 0),
        _ => crl_err("invalid BOOLEAN"),
    }
}

fn parse_idp(value: &[u8]) -> Result<IssuingDistributionPoint> {
    let seq = Reader::new(value).read_single()?;
    seq.expect_universal(tag::SEQUENCE, "IssuingDistributionPoint")?;
    let mut r = seq.children()?;
    let mut idp = IssuingDistributionPoint {
        der: value.to_vec(),
        ..Default::default()
    };
    if let Some(n) = r.read_optional_context(0)? {
        idp.distribution_point = Some(DistributionPointName::from_wrapper(&n)?);
    }
    if let Some(b) = r.read_optional_context(1)? {
        idp.only_contains_user_certs = implicit_bool(&b)?;
    }
    if let Some(b) = r.read_optional_context(2)? {
        idp.only_contains_ca_certs = implicit_bool(&b)?;
    }
    if let Some(b) = r.read_optional_context(3)? {
        idp.only_some_reasons = Some(ReasonFlags::from_bit_string(&b)?);
    }
    if let Some(b) = r.read_optional_context(4)? {
        idp.indirect_crl = implicit_bool(&b)?;
    }
    if let Some(b) = r.read_optional_context(5)? {
        idp.only_contains_attribute_certs = implicit_bool(&b)?;
    }
    r.finish("IssuingDistributionPoint")?;
    Ok(idp)
}

/// One `revokedCertificates` entry (RFC 5280 §5.1.2.6, §5.3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RevokedEntry {
    /// userCertificate INTEGER contents octets.
    pub serial: Vec<u8>,
    /// When the CA revoked the certificate (§5.1.2.6).
    pub revocation_date: OffsetDateTime,
    /// reasonCode (§5.3.1); `None` when absent.
    pub reason: Option<RevocationReason>,
    /// invalidityDate (§5.3.2): when the key is known or suspected to have become invalid,
    /// possibly before `revocation_date`; None when absent.
    pub invalidity_date: Option<OffsetDateTime>,
    /// The certificate issuer this entry applies to (§5.3.3): the certificateIssuer
    /// extension of this entry or the nearest preceding one; `None` = the CRL issuer.
    pub certificate_issuer: Option<Vec<GeneralName>>,
    /// Critical entry extensions kyso does not understand (§5.3: the CRL is then unusable).
    pub unknown_critical_extensions: Vec<String>,
}

/// A parsed CRL (RFC 5280 §5.1).
#[derive(Clone, Debug)]
pub struct Crl {
    /// The whole CRL encoding, as read (what goes into a DSS /CRLs stream).
    pub der: Vec<u8>,
    /// The tbsCertList encoding, what the issuer signed.
    pub tbs_der: Vec<u8>,
    /// 1 or 2.
    pub version: u8,
    /// The outer signatureAlgorithm (§5.1.1.2).
    pub signature_algorithm: AlgorithmIdentifier,
    /// The `signature` field inside tbsCertList (must equal the outer one, §5.1.2.2).
    pub tbs_signature_algorithm: AlgorithmIdentifier,
    /// The issuer's signature over `tbs_der` (the BIT STRING contents).
    pub signature: Vec<u8>,
    /// Unused bits declared by the signature BIT STRING (non-zero: never verifies).
    pub signature_unused_bits: u8,
    /// Who signed the CRL (§5.1.2.3).
    pub issuer: Name,
    /// When the CRL was issued (§5.1.2.4): the status it gives is known as of this time.
    pub this_update: OffsetDateTime,
    /// When the next CRL will be issued at the latest (§5.1.2.5); after it this CRL is stale.
    /// None when absent: its age is then bounded by
    /// [`RevocationFreshness`](crate::pki::validate::RevocationFreshness).
    pub next_update: Option<OffsetDateTime>,
    /// The revoked certificates listed, in order; empty when none.
    pub revoked: Vec<RevokedEntry>,
    /// cRLNumber (§5.2.3), unsigned big-endian without leading zeros.
    pub crl_number: Option<Vec<u8>>,
    /// deltaCRLIndicator BaseCRLNumber (§5.2.4): present on delta CRLs.
    pub delta_base: Option<Vec<u8>>,
    /// The issuingDistributionPoint extension (§5.2.5): the CRL's scope; None = full scope.
    pub issuing_distribution_point: Option<IssuingDistributionPoint>,
    /// keyIdentifier of the authorityKeyIdentifier extension (§5.2.1).
    pub authority_key_id: Option<Vec<u8>>,
    /// Critical CRL extensions kyso does not understand (§5.2: the CRL is then unusable).
    pub unknown_critical_extensions: Vec<String>,
    /// Every CRL extension as found, in order.
    pub extensions: Vec<Extension>,
}

/// Non-negative INTEGER → minimal unsigned big-endian bytes.
fn unsigned_integer(el: &Element<'_>) -> Result<Vec<u8>> {
    let v = el.as_integer()?;
    if v[0] & 0x80 != 0 {
        return crl_err("negative CRL number");
    }
    let skip = v.iter().take_while(|&&b| b == 0).count();
    Ok(v[skip..].to_vec())
}

/// Compares two minimal unsigned big-endian integers.
pub fn cmp_unsigned(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// Reads `Extensions ::= SEQUENCE OF Extension`, handing each to `f(oid, critical, value)`.
fn for_each_extension(
    seq: &Element<'_>,
    mut f: impl FnMut(&str, bool, &[u8]) -> Result<()>,
) -> Result<Vec<Extension>> {
    let exts = super::certificate::parse_extensions(seq)?;
    for e in &exts {
        f(&e.oid, e.critical, &e.value)?;
    }
    Ok(exts)
}

impl Crl {
    /// Parses a DER (or BER) CertificateList (RFC 5280 §5.1). The signature is not verified
    /// here: [`verify_signed_by`](Crl::verify_signed_by) does, and path validation calls it.
    ///
    /// # Errors
    ///
    /// Bytes left after the CRL, or an encoding that does not follow RFC 5280 §5.1 (including
    /// malformed CRL or entry extensions kyso decodes). Unknown critical extensions are kept in
    /// `unknown_critical_extensions`: such a CRL is parsed but never used (§5.2, §5.3).
    pub fn from_der(der: &[u8]) -> Result<Crl> {
        let el = Reader::new(der).read_single()?;
        el.expect_universal(tag::SEQUENCE, "CertificateList")?;
        let mut r = el.children()?;
        let tbs = r.read_universal(tag::SEQUENCE, "tbsCertList")?;
        let signature_algorithm = AlgorithmIdentifier::from_element(&r.read()?)?;
        // A signature BIT STRING with unused bits cannot hold a valid signature; it
        // is kept (and fails verification) so the CRL is reported as badly signed.
        let (unused, sig_bits) = r.read()?.as_bit_string()?;
        let signature = sig_bits.into_owned();
        r.finish("CertificateList")?;

        let mut t = tbs.children()?;
        // RFC 5280 §5.1.2.1: version absent = v1, 1 = v2.
        let version = match t.read_optional_universal(tag::INTEGER)? {
            Some(v) => match v.as_u64()? {
                1 => 2,
                n => return crl_err(format!("unknown CRL version {}", n + 1)),
            },
            None => 1,
        };
        let tbs_signature_algorithm = AlgorithmIdentifier::from_element(&t.read()?)?;
        let issuer = Name::from_element(&t.read()?)?;
        let this_update = t.read()?.as_time()?;
        let next_update = match t.peek() {
            Some((Class::Universal, false, tag::UTC_TIME | tag::GENERALIZED_TIME)) => {
                Some(t.read()?.as_time()?)
            }
            _ => None,
        };
        let mut crl = Crl {
            der: el.raw.to_vec(),
            tbs_der: tbs.raw.to_vec(),
            version,
            signature_algorithm,
            tbs_signature_algorithm,
            signature,
            signature_unused_bits: unused,
            issuer,
            this_update,
            next_update,
            revoked: Vec::new(),
            crl_number: None,
            delta_base: None,
            issuing_distribution_point: None,
            authority_key_id: None,
            unknown_critical_extensions: Vec::new(),
            extensions: Vec::new(),
        };
        if let Some(list) = t.read_optional_universal(tag::SEQUENCE)? {
            crl.read_entries(&list)?;
        }
        if let Some(exts) = t.read_optional_context(0)? {
            crl.read_extensions(&exts.children()?.read_single()?)?;
        }
        t.finish("tbsCertList")?;
        Ok(crl)
    }

    /// RFC 5280 §5.1.2.6 revokedCertificates with §5.3 entry extensions.
    fn read_entries(&mut self, list: &Element<'_>) -> Result<()> {
        let mut current_issuer: Option<Vec<GeneralName>> = None;
        for entry in list.children()? {
            if self.revoked.len() >= MAX_CRL_ENTRIES {
                return crl_err("too many entries");
            }
            let entry = entry?;
            entry.expect_universal(tag::SEQUENCE, "revokedCertificate")?;
            let mut r = entry.children()?;
            let serial = r.read()?.as_integer()?.to_vec();
            let revocation_date = r.read()?.as_time()?;
            let mut reason = None;
            let mut invalidity_date = None;
            let mut unknown = Vec::new();
            if let Some(exts) = r.read_optional_universal(tag::SEQUENCE)? {
                for_each_extension(&exts, |o, critical, v| {
                    let el = || Reader::new(v).read_single();
                    match o {
                        oid::EXT_CRL_REASON => {
                            let e = el()?;
                            e.expect_universal(tag::ENUMERATED, "CRLReason")?;
                            reason = Some(
                                RevocationReason::from_code(e.as_u64()?)
                                    .ok_or_else(|| Error::Asn1("CRL: unknown reason".into()))?,
                            );
                        }
                        oid::EXT_INVALIDITY_DATE => invalidity_date = Some(el()?.as_time()?),
                        oid::EXT_CERTIFICATE_ISSUER => {
                            current_issuer = Some(GeneralName::list_from_element(&el()?)?);
                        }
                        _ if critical => unknown.push(o.to_string()),
                        // RFC 5280 §5.3: a non-critical entry extension kyso does not know
                        // may be ignored.
                        _ => {}
                    }
                    Ok(())
                })?;
            }
            r.finish("revokedCertificate")?;
            self.revoked.push(RevokedEntry {
                serial,
                revocation_date,
                reason,
                invalidity_date,
                certificate_issuer: current_issuer.clone(),
                unknown_critical_extensions: unknown,
            });
        }
        Ok(())
    }

    /// RFC 5280 §5.2 CRL extensions.
    fn read_extensions(&mut self, seq: &Element<'_>) -> Result<()> {
        let mut crl_number = None;
        let mut delta_base = None;
        let mut idp = None;
        let mut aki = None;
        let mut unknown = Vec::new();
        let exts = for_each_extension(seq, |o, critical, v| {
            let el = || Reader::new(v).read_single();
            match o {
                oid::EXT_CRL_NUMBER => crl_number = Some(unsigned_integer(&el()?)?),
                oid::EXT_DELTA_CRL_INDICATOR => delta_base = Some(unsigned_integer(&el()?)?),
                oid::EXT_ISSUING_DISTRIBUTION_POINT => idp = Some(parse_idp(v)?),
                oid::EXT_AUTHORITY_KEY_ID => {
                    let e = el()?;
                    e.expect_universal(tag::SEQUENCE, "AuthorityKeyIdentifier")?;
                    if let Some(k) = e.children()?.read_optional_context(0)? {
                        aki = Some(k.string_bytes()?.into_owned());
                    }
                }
                // RFC 5280 §5.2.2, §5.2.6, §5.2.7: known, informational (kept in `extensions`);
                // they do not change which certificates the CRL revokes.
                oid::EXT_ISSUER_ALT_NAME
                | oid::EXT_FRESHEST_CRL
                | oid::EXT_AUTHORITY_INFO_ACCESS => {}
                _ if critical => unknown.push(o.to_string()),
                // RFC 5280 §5.2: an unknown non-critical CRL extension may be ignored.
                _ => {}
            }
            Ok(())
        })?;
        self.crl_number = crl_number;
        self.delta_base = delta_base;
        self.issuing_distribution_point = idp;
        self.authority_key_id = aki;
        self.unknown_critical_extensions = unknown;
        self.extensions = exts;
        Ok(())
    }

    /// True for a delta CRL (deltaCRLIndicator present, RFC 5280 §5.2.4).
    pub fn is_delta(&self) -> bool {
        self.delta_base.is_some()
    }

    /// True when the IDP marks this CRL as indirect (RFC 5280 §5.2.5).
    pub fn is_indirect(&self) -> bool {
        self.issuing_distribution_point
            .as_ref()
            .is_some_and(|i| i.indirect_crl)
    }

    /// True when some extension, or some entry extension, is critical and unknown.
    pub fn has_unknown_critical_extension(&self) -> bool {
        !self.unknown_critical_extensions.is_empty()
            || self
                .revoked
                .iter()
                .any(|e| !e.unknown_critical_extensions.is_empty())
    }

    /// Checks the CRL signature with `signer`'s public key (RFC 5280 §6.3.3 (g)).
    /// Key usage and the signer's path are judged by the caller.
    pub fn verify_signed_by(&self, signer: &Certificate) -> Result<()> {
        if self.tbs_signature_algorithm.oid != self.signature_algorithm.oid {
            // RFC 5280 §5.1.1.2.
            return crl_err("signatureAlgorithm differs from tbsCertList.signature");
        }
        if self.signature_unused_bits != 0 {
            return Err(Error::Crypto(
                "CRL signature: BIT STRING with unused bits".into(),
            ));
        }
        crypto::verify::verify_signed_structure(
            &signer.spki_der,
            &self.signature_algorithm,
            &self.tbs_der,
            &self.signature,
        )
        .map(|_| ())
        .map_err(|e| Error::Crypto(format!("CRL signature: {e}")))
    }

    /// The entry revoking (`serial`, certificate issuer `issuer`), if any
    /// (RFC 5280 §5.3.3: on indirect CRLs the entry's certificate issuer counts).
    pub fn find_entry(&self, serial: &[u8], issuer: &Name) -> Option<&RevokedEntry> {
        let indirect = self.is_indirect();
        self.revoked.iter().find(|e| {
            e.serial == serial
                && match (&e.certificate_issuer, indirect) {
                    (Some(names), true) => names
                        .iter()
                        .any(|n| matches!(n, GeneralName::Directory(d) if d.matches(issuer))),
                    _ => self.issuer.matches(issuer),
                }
        })
    }

    /// True when an entry of this indirect CRL has `serial` but names its certificate issuer
    /// (RFC 5280 §5.3.3 certificateIssuer) without any directoryName: whether it revokes a
    /// certificate of a given issuer cannot be told, so the CRL cannot clear that serial.
    pub fn has_unresolvable_entry(&self, serial: &[u8]) -> bool {
        self.is_indirect()
            && self.revoked.iter().any(|e| {
                e.serial == serial
                    && e.certificate_issuer.as_ref().is_some_and(|names| {
                        !names.iter().any(|n| matches!(n, GeneralName::Directory(_)))
                    })
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_rejected() {
        assert!(Crl::from_der(&[]).is_err());
        assert!(Crl::from_der(&[0x30, 0x00]).is_err());
        assert!(Crl::from_der(&[0x30, 0x03, 0x02, 0x01, 0x01]).is_err());
        assert!(parse_distribution_points(&[0x30, 0x02, 0x30, 0x00]).is_err());
    }

    /// A nameRelativeToCRLIssuer that is not a valid RDN makes the distribution point
    /// malformed: it is refused when parsed, rather than resolving later to no name (which
    /// would put every CRL out of scope without saying why).
    #[test]
    fn relative_name_is_checked_when_parsed() {
        use crate::asn1::writer as w;
        let dp = |rdn_content: &[u8]| {
            let dpn = w::context(0, true, &w::context(1, true, rdn_content));
            w::sequence(&[&w::sequence(&[&dpn])])
        };
        let atv = w::sequence(&[
            &w::oid(oid::AT_COMMON_NAME).unwrap(),
            &w::utf8_string("CRL 1"),
        ]);
        let good = parse_distribution_points(&dp(&atv)).unwrap();
        let issuer = Name::from_der(&name("CA")).unwrap();
        let names = good[0].name.as_ref().unwrap().names(&issuer);
        assert_eq!(names.len(), 1);
        let GeneralName::Directory(full) = &names[0] else {
            panic!("{names:?}")
        };
        assert_eq!(full.rdns.len(), 2);
        for bad in [w::integer_u64(1), Vec::new()] {
            assert!(parse_distribution_points(&dp(&bad)).is_err(), "{bad:?}");
        }
    }

    fn ext(oid_s: &str, critical: bool, value: &[u8]) -> Vec<u8> {
        use crate::asn1::writer as w;
        let o = w::oid(oid_s).unwrap();
        let v = w::octet_string(value);
        if critical {
            w::sequence(&[&o, &w::boolean(true), &v])
        } else {
            w::sequence(&[&o, &v])
        }
    }

    fn name(cn: &str) -> Vec<u8> {
        use crate::asn1::writer as w;
        let atv = w::sequence(&[&w::oid(oid::AT_COMMON_NAME).unwrap(), &w::utf8_string(cn)]);
        w::sequence(&[&w::set(&[&atv])])
    }

    #[test]
    fn parses_entries_and_extensions() {
        use crate::asn1::writer as w;
        let alg = w::sequence(&[&w::oid(oid::SHA256_WITH_RSA).unwrap(), &w::null()]);
        let t = |s: &[u8]| w::tlv(0x17, s);
        let other_ca = w::sequence(&[&w::context(4, true, &name("Other CA"))]);
        let e1 = w::sequence(&[
            &w::integer_u64(5),
            &t(b"250101000000Z"),
            &w::sequence(&[
                &ext(oid::EXT_CRL_REASON, false, &w::tlv(0x0A, &[1])),
                &ext(oid::EXT_CERTIFICATE_ISSUER, false, &other_ca),
            ]),
        ]);
        let e2 = w::sequence(&[
            &w::integer_u64(6),
            &t(b"250102000000Z"),
            &w::sequence(&[&ext("1.2.3.4", true, &w::null())]),
        ]);
        // IDP: indirectCRL TRUE, onlySomeReasons {keyCompromise}.
        let idp = w::sequence(&[
            &w::context(3, false, &[0x06, 0x40]),
            &w::context(4, false, &[0xFF]),
        ]);
        let exts = w::sequence(&[
            &ext(oid::EXT_CRL_NUMBER, false, &w::integer_u64(7)),
            &ext(oid::EXT_DELTA_CRL_INDICATOR, true, &w::integer_u64(3)),
            &ext(oid::EXT_ISSUING_DISTRIBUTION_POINT, true, &idp),
            &ext("1.2.3.5", true, &w::null()),
        ]);
        let tbs = w::sequence(&[
            &w::integer_u64(1),
            &alg,
            &name("Test CA"),
            &t(b"250101000000Z"),
            &t(b"250201000000Z"),
            &w::sequence(&[&e1, &e2]),
            &w::explicit(0, &exts),
        ]);
        let crl = Crl::from_der(&w::sequence(&[&tbs, &alg, &w::bit_string(&[1, 2, 3])])).unwrap();
        assert_eq!(crl.version, 2);
        assert_eq!(crl.issuer.common_name().as_deref(), Some("Test CA"));
        assert!(crl.next_update.is_some());
        assert_eq!(crl.crl_number.as_deref(), Some(&[7u8][..]));
        assert_eq!(crl.delta_base.as_deref(), Some(&[3u8][..]));
        assert!(crl.is_delta() && crl.is_indirect());
        let idp = crl.issuing_distribution_point.as_ref().unwrap();
        assert_eq!(idp.only_some_reasons, Some(ReasonFlags(1 << 1)));
        assert_eq!(crl.unknown_critical_extensions, vec!["1.2.3.5".to_string()]);
        assert!(crl.has_unknown_critical_extension());
        assert_eq!(crl.revoked.len(), 2);
        assert_eq!(crl.revoked[0].reason, Some(RevocationReason::KeyCompromise));
        // certificateIssuer carries over to the following entries (RFC 5280 §5.3.3).
        assert_eq!(
            crl.revoked[1].certificate_issuer,
            crl.revoked[0].certificate_issuer
        );
        assert_eq!(crl.revoked[1].unknown_critical_extensions, vec!["1.2.3.4"]);
        let other = Name::from_der(&name("Other CA")).unwrap();
        assert!(crl.find_entry(&[5], &other).is_some());
        assert!(crl.find_entry(&[5], &crl.issuer).is_none());
        assert!(crl.find_entry(&[7], &other).is_none());
        assert_eq!(cmp_unsigned(&[1, 0], &[0xFF]), std::cmp::Ordering::Greater);
    }

    #[test]
    fn distribution_points() {
        use crate::asn1::writer as w;
        let uri = w::tlv(0x86, b"http://ca.example.vn/ca.crl");
        let full = w::context(0, true, &uri);
        let dp = w::sequence(&[&w::context(0, true, &full)]);
        let v = w::sequence(&[&dp]);
        let dps = parse_distribution_points(&v).unwrap();
        assert_eq!(dps.len(), 1);
        assert_eq!(
            dps[0].name,
            Some(DistributionPointName::FullName(vec![GeneralName::Uri(
                "http://ca.example.vn/ca.crl".into()
            )]))
        );
    }
}
