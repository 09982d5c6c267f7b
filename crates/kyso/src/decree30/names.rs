//! Whether a certificate's common name looks like a person's name or an organisation's
//! (Decree 30/2020 Art. 32.2: the competent person signs first, the agency after). Vietnamese
//! personal names are two to five capitalised words of letters; agency names carry words such as
//! "Ủy ban", "Sở", "Bộ", "Văn phòng" (Decree 30/2020 Appendix I, box 2).

use serde::Serialize;
use unicode_normalization::UnicodeNormalization;

/// What a common name looks like.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NameKind {
    /// Two to five words, each capitalised and made only of letters ("Nguyễn Văn An",
    /// "NGUYỄN THỊ MINH KHAI"): a competent person's certificate (the leader's signature).
    Person,
    /// Contains an agency word ("Ủy ban", "Sở", "Văn phòng", "Công ty", …) or has more than six
    /// words: an agency's certificate (the clerk's signature, Decree 30/2020 Art. 32.2).
    Organization,
    /// Neither (empty, one word, lower-case words without an agency word): the role is left
    /// to other evidence, and points that need a person or an agency are not met.
    Unknown,
}

/// Words (whole, lower case, NFC) that make a name an organisation's.
const ORG_WORDS: &[&str] = &[
    "ủy ban",
    "uỷ ban",
    "ubnd",
    "hđnd",
    "sở",
    "bộ",
    "cục",
    "tổng cục",
    "chi cục",
    "văn phòng",
    "ban",
    "phòng",
    "viện",
    "học viện",
    "trường",
    "đại học",
    "bệnh viện",
    "trung tâm",
    "công ty",
    "tập đoàn",
    "ngân hàng",
    "kho bạc",
    "tòa án",
    "toà án",
    "hội đồng",
    "cổng thông tin",
    "cơ quan",
    "tổ chức",
    "hiệp hội",
    "liên đoàn",
    "đảng ủy",
    "đảng uỷ",
    "tỉnh",
    "thành phố",
    "huyện",
    "quận",
    "xã",
    "phường",
    "thị xã",
    "chính phủ",
    "quốc hội",
    "công an",
    "quân đội",
    "tổng công ty",
    "ministry",
    "department",
    "agency",
    "office",
    "committee",
    "company",
    "corporation",
    "university",
    "bank",
    "council",
    "government",
    "ltd",
    "jsc",
    "inc",
    "people's",
];

/// Judges a common name (NFC or not; any case). Agency words win over the shape of a
/// person's name, so "Sở Tài Chính" is an organisation although it looks like a name.
///
/// # Examples
///
/// ```
/// use kyso::decree30::{name_kind, NameKind};
/// assert_eq!(name_kind("Nguyễn Văn An"), NameKind::Person);
/// assert_eq!(name_kind("Ủy ban nhân dân tỉnh Thử Nghiệm"), NameKind::Organization);
/// assert_eq!(name_kind("máy chủ thử nghiệm"), NameKind::Unknown);
/// ```
pub fn name_kind(cn: &str) -> NameKind {
    let nfc: String = cn.nfc().collect();
    let lower = nfc.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| c.is_whitespace() || c == ',' || c == '-')
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() {
        return NameKind::Unknown;
    }
    let joined = format!(" {} ", words.join(" "));
    if ORG_WORDS.iter().any(|w| joined.contains(&format!(" {w} "))) {
        return NameKind::Organization;
    }
    let original: Vec<&str> = nfc.split_whitespace().collect();
    let person = (2..=5).contains(&original.len())
        && original.iter().all(|w| {
            let mut chars = w.chars();
            chars.next().is_some_and(char::is_uppercase) && w.chars().all(char::is_alphabetic)
        });
    if person {
        NameKind::Person
    } else if original.len() > 6 {
        NameKind::Organization
    } else {
        NameKind::Unknown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_and_agencies() {
        assert_eq!(name_kind("Nguyễn Văn An"), NameKind::Person);
        assert_eq!(name_kind("NGUYỄN THỊ MINH KHAI"), NameKind::Person);
        assert_eq!(name_kind("Trần Thị Bình"), NameKind::Person);
        assert_eq!(
            name_kind("Ủy ban nhân dân tỉnh Thử Nghiệm"),
            NameKind::Organization
        );
        assert_eq!(
            name_kind("CỔNG THÔNG TIN ĐIỆN TỬ CHÍNH PHỦ"),
            NameKind::Organization
        );
        assert_eq!(name_kind("Sở Tài Chính"), NameKind::Organization);
        // Neither clearly: lower-case words, no agency word.
        assert_eq!(name_kind("máy chủ thử nghiệm"), NameKind::Unknown);
        // Long names are no person's.
        assert_eq!(
            name_kind("Chứng thư đã hết hạn (thử nghiệm)"),
            NameKind::Organization
        );
        assert_eq!(name_kind(""), NameKind::Unknown);
        assert_eq!(name_kind("An"), NameKind::Unknown);
    }
}
