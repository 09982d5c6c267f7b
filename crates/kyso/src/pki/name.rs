//! X.501 distinguished names (RFC 5280 §4.1.2.4): text form (RFC 4514) and
//! comparison (RFC 5280 §7.1) with the string preparation of RFC 4518.

use std::fmt;

use unicode_normalization::UnicodeNormalization;

use crate::asn1::{oid, reader::tag, Element, Reader};
use crate::error::{Error, Result};

/// One `AttributeTypeAndValue` of an RDN.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttributeTypeAndValue {
    /// Dotted attribute type OID.
    pub oid: String,
    /// Decoded text when the value is a character string type.
    pub text: Option<String>,
    /// Encoding of the value.
    pub value_der: Vec<u8>,
}

/// A distinguished name: `SEQUENCE OF RelativeDistinguishedName`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Name {
    /// Encoding of the whole Name (as found).
    pub der: Vec<u8>,
    /// RDNs in encoding order (most significant first); each is a set of attributes.
    pub rdns: Vec<Vec<AttributeTypeAndValue>>,
}

fn short_name(oid: &str) -> Option<&'static str> {
    Some(match oid {
        oid::AT_COMMON_NAME => "CN",
        oid::AT_ORGANIZATION => "O",
        oid::AT_ORGANIZATIONAL_UNIT => "OU",
        oid::AT_LOCALITY => "L",
        oid::AT_STATE => "ST",
        oid::AT_COUNTRY => "C",
        oid::AT_STREET => "STREET",
        oid::AT_DOMAIN_COMPONENT => "DC",
        oid::AT_TITLE => "title",
        oid::AT_SERIAL_NUMBER => "serialNumber",
        oid::AT_EMAIL_ADDRESS => "emailAddress",
        oid::AT_UID => "UID",
        _ => return None,
    })
}

/// Escapes an attribute value per RFC 4514 §2.4 (non-ASCII text is kept as is).
fn escape_value(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let n = s.chars().count();
    for (i, c) in s.chars().enumerate() {
        match c {
            ',' | '+' | '"' | '\\' | '<' | '>' | ';' => {
                out.push('\\');
                out.push(c);
            }
            '#' if i == 0 => out.push_str("\\#"),
            ' ' if i == 0 || i + 1 == n => out.push_str("\\ "),
            '\0' => out.push_str("\\00"),
            _ => out.push(c),
        }
    }
    out
}

/// RFC 4518 §2.2: characters mapped to nothing — soft hyphens, the combining grapheme joiner,
/// variation selectors, the object replacement character, zero width space, and every control
/// or format code point (Cc, Cf) the RFC lists.
pub fn is_mapped_to_nothing(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x1806 | 0x034F | 0x180B..=0x180D | 0xFE00..=0xFE0F | 0xFFFC | 0x200B
        | 0x0000..=0x0008 | 0x000E..=0x001F | 0x007F..=0x0084 | 0x0086..=0x009F
        | 0x06DD | 0x070F | 0x180E | 0x200C..=0x200F | 0x202A..=0x202E | 0x2060..=0x2063
        | 0x206A..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB | 0x1D173..=0x1D17A | 0xE0001
        | 0xE0020..=0xE007F)
}

/// RFC 4518 §2.2: characters mapped to SPACE — the whitespace controls and every separator
/// (Zs, Zl, Zp: no-break, ideographic, en/em spaces...).
fn is_mapped_to_space(c: char) -> bool {
    matches!(c as u32, 0x0009..=0x000D | 0x0085) || (c.is_whitespace() && c != ' ')
}

/// RFC 4518 §2.4: prohibited characters (private use, non-characters, surrogates via
/// replacement, the replacement character): a value holding one matches nothing.
fn is_prohibited(c: char) -> bool {
    let u = c as u32;
    matches!(u, 0xE000..=0xF8FF | 0xF0000..=0xFFFFD | 0x100000..=0x10FFFD | 0xFFFD)
        || (0xFDD0..=0xFDEF).contains(&u)
        || u & 0xFFFE == 0xFFFE
}

/// RFC 4518 string preparation for caseIgnoreMatch (RFC 5280 §7.1): transcode (done when
/// parsing), map (§2.2: to nothing, to space, case folding), normalise (§2.3: NFKC), prohibit
/// (§2.4), insignificant space handling (§2.6.1: no leading/trailing spaces, one space between
/// words). None when the value holds a prohibited character.
pub fn prepare(s: &str) -> Option<String> {
    let mapped: String = s
        .chars()
        .filter(|c| !is_mapped_to_nothing(*c))
        .map(|c| if is_mapped_to_space(c) { ' ' } else { c })
        .collect();
    // Case folding (RFC 3454 B.2 approximated by upper-then-lower case: ß → ss), between
    // two NFKC passes so that compatibility forms (full-width letters) fold as well.
    let folded: String = mapped
        .nfkc()
        .collect::<String>()
        .to_uppercase()
        .to_lowercase();
    let normalised: String = folded.nfkc().collect();
    if normalised.chars().any(is_prohibited) {
        return None;
    }
    Some(
        normalised
            .split(' ')
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" "),
    )
}

impl AttributeTypeAndValue {
    fn matches(&self, other: &Self) -> bool {
        if self.oid != other.oid {
            return false;
        }
        match (&self.text, &other.text) {
            (Some(a), Some(b)) => matches!((prepare(a), prepare(b)), (Some(x), Some(y)) if x == y),
            _ => self.value_der == other.value_der,
        }
    }

    /// The value holds characters RFC 4518 maps to nothing (invisible in every viewer).
    fn has_invisible_characters(&self) -> bool {
        self.text
            .as_deref()
            .is_some_and(|t| t.chars().any(is_mapped_to_nothing))
    }

    /// The value cannot be prepared: RFC 4518 §2.4 prohibited characters, or a character
    /// string type whose octets do not decode (RFC 4518 §2.1 transcoding fails).
    fn is_unpreparable(&self) -> bool {
        match &self.text {
            Some(t) => prepare(t).is_none(),
            None => self.is_undecodable_string(),
        }
    }

    /// A DirectoryString type (X.520) whose contents did not decode (invalid UTF-8, odd
    /// BMPString...): it has no text to compare, only its octets.
    fn is_undecodable_string(&self) -> bool {
        self.text.is_none()
            && Reader::new(&self.value_der)
                .read_single()
                .is_ok_and(|e| e.is_string())
    }
}

impl Name {
    /// Parses a Name element (RFC 5280 §4.1.2.4).
    pub fn from_element(el: &Element<'_>) -> Result<Name> {
        if !el.is_universal(tag::SEQUENCE) {
            return Err(Error::Asn1("Name is not a SEQUENCE".into()));
        }
        let mut rdns = Vec::new();
        for rdn in el.children()? {
            let rdn = rdn?;
            rdn.expect_universal(tag::SET, "RelativeDistinguishedName")?;
            let mut atvs = Vec::new();
            for atv in rdn.children()? {
                let atv = atv?;
                atv.expect_universal(tag::SEQUENCE, "AttributeTypeAndValue")?;
                let mut r = atv.children()?;
                let oid = r.read()?.as_oid()?;
                let value = r.read()?;
                r.finish("AttributeTypeAndValue")?;
                // A string that does not decode keeps no text: it is compared by its octets
                // only (RFC 5280 §7.1: equal encodings match) and is unpreparable, so name
                // constraints refuse to judge it (`has_prohibited_characters`).
                let text = if value.is_string() {
                    value.as_string().ok()
                } else {
                    None
                };
                atvs.push(AttributeTypeAndValue {
                    oid,
                    text,
                    value_der: value.raw.to_vec(),
                });
            }
            if atvs.is_empty() {
                return Err(Error::Asn1("empty RelativeDistinguishedName".into()));
            }
            rdns.push(atvs);
        }
        Ok(Name {
            der: el.raw.to_vec(),
            rdns,
        })
    }

    /// Parses a Name from its encoding.
    pub fn from_der(der: &[u8]) -> Result<Name> {
        Name::from_element(&Reader::new(der).read_single()?)
    }

    /// True when the name has no RDNs.
    pub fn is_empty(&self) -> bool {
        self.rdns.is_empty()
    }

    /// RFC 4514 string: RDNs in reverse order, `+` between multi-valued
    /// attributes, short names for common types and dotted OIDs otherwise;
    /// non-string values as `#hex`. Unicode text (Vietnamese) is kept intact.
    pub fn to_rfc4514(&self) -> String {
        let mut parts = Vec::with_capacity(self.rdns.len());
        for rdn in self.rdns.iter().rev() {
            let s: Vec<String> = rdn
                .iter()
                .map(|a| {
                    let ty = short_name(&a.oid).map_or_else(|| a.oid.clone(), str::to_string);
                    let v = match &a.text {
                        Some(t) => escape_value(t),
                        None => {
                            let hex: String =
                                a.value_der.iter().map(|b| format!("{b:02x}")).collect();
                            format!("#{hex}")
                        }
                    };
                    format!("{ty}={v}")
                })
                .collect();
            parts.push(s.join("+"));
        }
        parts.join(",")
    }

    /// First value (in encoding order) of the attribute `oid`, as text.
    pub fn get(&self, oid: &str) -> Option<String> {
        self.rdns
            .iter()
            .flatten()
            .find(|a| a.oid == oid)
            .and_then(|a| a.text.clone())
    }

    /// The commonName (2.5.4.3), the most specific one when there are several.
    pub fn common_name(&self) -> Option<String> {
        self.rdns
            .iter()
            .flatten()
            .rfind(|a| a.oid == oid::AT_COMMON_NAME)
            .and_then(|a| a.text.clone())
    }

    /// Name matching per RFC 5280 §7.1: equal encodings, or the same RDNs where
    /// string values compare case-insensitively with whitespace collapsed.
    pub fn matches(&self, other: &Name) -> bool {
        if self.der == other.der {
            return true;
        }
        if self.rdns.len() != other.rdns.len() {
            return false;
        }
        self.rdns.iter().zip(&other.rdns).all(|(a, b)| {
            a.len() == b.len()
                && a.iter().all(|x| b.iter().any(|y| x.matches(y)))
                && b.iter().all(|y| a.iter().any(|x| x.matches(y)))
        })
    }
}

impl Name {
    /// Some value holds characters that RFC 4518 maps to nothing (zero-width, soft hyphen,
    /// format controls): the name looks like another one that differs only by them.
    pub fn has_invisible_characters(&self) -> bool {
        self.rdns
            .iter()
            .flatten()
            .any(|a| a.has_invisible_characters())
    }

    /// Some value holds a character RFC 4518 §2.4 prohibits, or is a character string that
    /// does not decode: it matches nothing but its own encoding, and a name constraint cannot
    /// be judged on it.
    pub fn has_prohibited_characters(&self) -> bool {
        self.rdns.iter().flatten().any(|a| a.is_unpreparable())
    }

    /// True when `base`'s RDNs are the leading RDNs of this name (RFC 5280
    /// §4.2.1.10 directoryName subtrees; RDNs compared per §7.1).
    pub fn has_prefix(&self, base: &Name) -> bool {
        if base.rdns.len() > self.rdns.len() {
            return false;
        }
        self.rdns.iter().zip(&base.rdns).all(|(a, b)| {
            a.len() == b.len()
                && a.iter().all(|x| b.iter().any(|y| x.matches(y)))
                && b.iter().all(|y| a.iter().any(|x| x.matches(y)))
        })
    }

    /// Every value of the attribute `oid`, as text (e.g. emailAddress, RFC 5280 §4.2.1.10).
    pub fn get_all(&self, oid: &str) -> Vec<String> {
        self.rdns
            .iter()
            .flatten()
            .filter(|a| a.oid == oid)
            .filter_map(|a| a.text.clone())
            .collect()
    }
}

/// One `GeneralName` (RFC 5280 §4.2.1.6).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GeneralName {
    /// `rfc822Name [1] IA5String`.
    Rfc822(String),
    /// `dNSName [2] IA5String`.
    Dns(String),
    /// `directoryName [4] Name`.
    Directory(Name),
    /// `uniformResourceIdentifier [6] IA5String`.
    Uri(String),
    /// `iPAddress [7] OCTET STRING` (address, or address and mask in name constraints).
    IpAddress(Vec<u8>),
    /// otherName, x400Address, ediPartyName, registeredID: the tag number and encoding.
    Other {
        /// The context tag number of the choice (0 otherName, 3 x400Address, 5 ediPartyName,
        /// 8 registeredID).
        tag: u32,
        /// The whole element's encoding, kept for exact comparison.
        der: Vec<u8>,
    },
}

impl GeneralName {
    /// Parses one GeneralName element (RFC 5280 §4.2.1.6).
    pub fn from_element(el: &Element<'_>) -> Result<GeneralName> {
        if el.class != crate::asn1::Class::Context {
            return Err(Error::Asn1("GeneralName is not context-tagged".into()));
        }
        let ia5 = || -> Result<String> {
            let b = el.string_bytes()?;
            if !b.is_ascii() {
                return Err(Error::Asn1("non-ASCII IA5String in GeneralName".into()));
            }
            Ok(String::from_utf8_lossy(&b).into_owned())
        };
        Ok(match el.number {
            1 => GeneralName::Rfc822(ia5()?),
            2 => GeneralName::Dns(ia5()?),
            4 => GeneralName::Directory(Name::from_element(&el.children()?.read_single()?)?),
            6 => GeneralName::Uri(ia5()?),
            7 => GeneralName::IpAddress(el.string_bytes()?.into_owned()),
            n => GeneralName::Other {
                tag: n,
                der: el.raw.to_vec(),
            },
        })
    }

    /// Parses `GeneralNames ::= SEQUENCE SIZE (1..MAX) OF GeneralName` given its
    /// (possibly implicitly tagged) element.
    pub fn list_from_element(el: &Element<'_>) -> Result<Vec<GeneralName>> {
        let mut out = Vec::new();
        for n in el.children()? {
            out.push(GeneralName::from_element(&n?)?);
        }
        Ok(out)
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc4514())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asn1::writer as w;

    fn atv(oid_s: &str, value: Vec<u8>) -> Vec<u8> {
        w::set(&[&w::sequence(&[&w::oid(oid_s).unwrap(), &value])])
    }

    #[test]
    fn string_types_and_escaping() {
        let bmp: Vec<u8> = "Văn".encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
        let univ: Vec<u8> = "ễ".chars().flat_map(|c| (c as u32).to_be_bytes()).collect();
        let der = w::sequence(&[
            &atv(oid::AT_COUNTRY, w::tlv(0x13, b"VN")),
            &atv(oid::AT_ORGANIZATION, w::tlv(0x14, &[0x43, 0xE9])),
            &atv(oid::AT_LOCALITY, w::tlv(0x1E, &bmp)),
            &atv(oid::AT_STATE, w::tlv(0x1C, &univ)),
            &atv("1.2.3.4", w::integer_u64(5)),
            &atv(oid::AT_COMMON_NAME, w::utf8_string("Nguyễn, An+ ")),
        ]);
        let n = Name::from_der(&der).unwrap();
        assert_eq!(
            n.to_rfc4514(),
            "CN=Nguyễn\\, An\\+\\ ,1.2.3.4=#020105,ST=ễ,L=Văn,O=Cé,C=VN"
        );
        assert_eq!(n.common_name().unwrap(), "Nguyễn, An+ ");
        assert_eq!(n.get(oid::AT_LOCALITY).unwrap(), "Văn");
    }

    #[test]
    fn matching_rules() {
        let a = Name::from_der(&w::sequence(&[
            &atv(oid::AT_COUNTRY, w::tlv(0x13, b"VN")),
            &atv(oid::AT_COMMON_NAME, w::utf8_string("Nguyễn  Văn An")),
        ]))
        .unwrap();
        let b = Name::from_der(&w::sequence(&[
            &atv(oid::AT_COUNTRY, w::utf8_string("vn")),
            &atv(oid::AT_COMMON_NAME, w::utf8_string(" NGUYỄN VĂN AN ")),
        ]))
        .unwrap();
        let c =
            Name::from_der(&w::sequence(&[&atv(oid::AT_COUNTRY, w::utf8_string("VN"))])).unwrap();
        assert!(a.matches(&b) && b.matches(&a));
        assert!(!a.matches(&c));
    }

    /// RFC 4518: NFKC, invisible characters, case folding, insignificant spaces.
    #[test]
    fn rfc4518_preparation() {
        let nfc = "UBND tỉnh Bắc Giang";
        let nfd: String = nfc.nfd().collect();
        assert_ne!(nfc, nfd);
        let p = |s: &str| prepare(s).unwrap();
        assert_eq!(p(&nfd), p(nfc));
        assert_eq!(p("UBND tỉnh Bắc\u{200B} Giang"), p(nfc));
        assert_eq!(p("UBND tỉnh Bắc Gi\u{00AD}ang\u{FEFF}"), p(nfc));
        assert_eq!(p("ＵＢＮＤ tỉnh Bắc Giang"), p(nfc));
        assert_eq!(p("\tubnd\u{00A0} TỈNH  bắc giang "), p(nfc));
        assert_eq!(p("Đường"), p("đường"));
        assert_eq!(p("Straße"), p("STRASSE"));
        assert_ne!(p("Bắc Giang"), p("Bắc Ninh"));
        assert_ne!(p("Bình"), p("Bính"));
        assert_eq!(prepare("a\u{E000}b"), None);

        let name = |o: &str| {
            Name::from_der(&w::sequence(&[
                &atv(oid::AT_COUNTRY, w::tlv(0x13, b"VN")),
                &atv(oid::AT_ORGANIZATION, w::utf8_string(o)),
            ]))
            .unwrap()
        };
        let base = name(nfc);
        for variant in [
            nfd.as_str(),
            "UBND tỉnh Bắc\u{200B} Giang",
            "ＵＢＮＤ tỉnh Bắc Giang",
        ] {
            let n = name(variant);
            assert!(n.matches(&base) && n.has_prefix(&base), "{variant:?}");
        }
        assert!(name("UBND tỉnh Bắc\u{200B} Giang").has_invisible_characters());
        assert!(!name(&nfd).has_invisible_characters());
        assert!(name("a\u{E000}b").has_prohibited_characters());
    }

    /// A UTF8String that is not UTF-8 has no text: it is not read as a look-alike of a
    /// well-formed name, and it cannot be judged against name constraints.
    #[test]
    fn undecodable_string_is_unpreparable() {
        let bad = Name::from_der(&w::sequence(&[&atv(
            oid::AT_ORGANIZATION,
            w::tlv(0x0C, b"Evil\xFF"),
        )]))
        .unwrap();
        assert!(bad.has_prohibited_characters());
        let good = Name::from_der(&w::sequence(&[&atv(
            oid::AT_ORGANIZATION,
            w::utf8_string("Evil\u{FF}"),
        )]))
        .unwrap();
        assert!(!good.has_prohibited_characters());
        assert!(!bad.matches(&good) && !good.matches(&bad));
        // Its own encoding still matches (RFC 5280 §7.1).
        assert!(bad.matches(&bad.clone()));
        // A non-string value (no text, by design) is not flagged.
        let octets = Name::from_der(&w::sequence(&[&atv(
            oid::AT_ORGANIZATION,
            w::tlv(0x04, b"\xFF"),
        )]))
        .unwrap();
        assert!(!octets.has_prohibited_characters());
    }
}
