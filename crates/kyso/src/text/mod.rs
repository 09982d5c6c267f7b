//! Words at the edge: everything kyso says to a person, in Vietnamese or English.
//!
//! The core (pdf, pki, cms, sign, verify, diff, ...) returns facts; this module is the one place
//! that turns them into sentences. Nothing below the reporting layer should need a [`Lang`].
//!
//! Vietnamese is the default (Circular 15/2025/TT-BKHCN asks that verification results be shown
//! in Vietnamese); English is for `--lang en` and `en_*` locales. [`notes`] words the
//! verification findings, [`report`] the whole report (and [`report::localise`] fills the
//! report's word fields), [`verdict`] the verdicts every front door shows, [`errors`] the
//! library's errors, [`decree30`], [`diff`] and [`sign`] their modules' facts. Dates are shown in
//! Vietnam time (+07:00) as clerks write them; names are taken from distinguished names
//! (RFC 4514).
//!
//! # Examples
//!
//! ```
//! use kyso::text::{date, name_of_dn, Lang};
//! use time::macros::datetime;
//!
//! assert_eq!(Lang::from_locale("en_US.UTF-8"), Lang::En);
//! assert_eq!(Lang::from_locale("C"), Lang::Vi);
//! assert_eq!(name_of_dn("CN=Nguyễn Văn An,O=UBND tỉnh Thử Nghiệm,C=VN"), "Nguyễn Văn An");
//! assert_eq!(date(datetime!(2026-12-05 07:05:09 UTC)), "05/12/2026 14:05:09 (+07:00)");
//! ```

pub mod errors;
pub mod sign;

/// Language of human-facing text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    /// Vietnamese, the default everywhere.
    #[default]
    Vi,
    /// English, with `--lang en` or an `en_*` locale.
    En,
}

impl Lang {
    pub(crate) fn pick(self, vi: impl Into<String>, en: impl Into<String>) -> String {
        match self {
            Lang::Vi => vi.into(),
            Lang::En => en.into(),
        }
    }

    /// The language the environment asks for: the first of `LC_ALL`, `LC_MESSAGES`, `LANG`
    /// that is set and non-empty decides (POSIX locale precedence); `en*` picks English, anything
    /// else (including `C`/`POSIX` and unset) keeps Vietnamese, kyso's default.
    pub fn from_env() -> Lang {
        for var in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            if let Some(value) = std::env::var_os(var) {
                let value = value.to_string_lossy();
                if value.is_empty() {
                    continue;
                }
                return Lang::from_locale(&value);
            }
        }
        Lang::Vi
    }

    /// `en_US.UTF-8` → English; `vi_VN.UTF-8`, `C`, anything else → Vietnamese.
    pub fn from_locale(locale: &str) -> Lang {
        let lower = locale.to_ascii_lowercase();
        if lower == "en"
            || lower.starts_with("en_")
            || lower.starts_with("en.")
            || lower.starts_with("en-")
        {
            Lang::En
        } else {
            Lang::Vi
        }
    }
}

pub mod decree30;
pub mod diff;
pub mod notes;
pub mod report;
pub mod verdict;

use time::OffsetDateTime;

/// A date and time as clerks write them, in Vietnam time: `05/12/2026 14:05:09 (+07:00)`.
/// (JSON keeps RFC 3339.)
pub fn date(t: OffsetDateTime) -> String {
    let t = t.to_offset(crate::vntime::VIETNAM);
    format!(
        "{:02}/{:02}/{:04} {:02}:{:02}:{:02} (+07:00)",
        t.day(),
        u8::from(t.month()),
        t.year(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// An RFC 3339 time from a report (`2026-12-05T14:05:09+07:00`) as clerks write it; a string
/// that is not one is returned as it is.
pub fn date_str(rfc3339: &str) -> String {
    use time::format_description::well_known::Rfc3339;
    match OffsetDateTime::parse(rfc3339, &Rfc3339) {
        Ok(t) => date(t),
        Err(_) => rfc3339.to_string(),
    }
}

/// A person's (or organisation's) name from an RFC 4514 distinguished name: the CN, else the
/// given name and surname, else the DN itself.
pub fn name_of_dn(dn: &str) -> String {
    let mut cn = None;
    let mut given = None;
    let mut surname = None;
    for part in split_rdns(dn) {
        let Some((k, v)) = part.split_once('=') else {
            continue;
        };
        let v = v
            .trim()
            .replace("\\,", ",")
            .replace("\\+", "+")
            .replace("\\\"", "\"");
        match k.trim().to_ascii_uppercase().as_str() {
            "CN" | "2.5.4.3" => cn = cn.or(Some(v)),
            "GN" | "GIVENNAME" | "2.5.4.42" => given = given.or(Some(v)),
            "SN" | "SURNAME" | "2.5.4.4" => surname = surname.or(Some(v)),
            _ => {}
        }
    }
    match (cn, given, surname) {
        (Some(cn), _, _) if !cn.is_empty() => cn,
        (_, Some(g), Some(s)) => format!("{g} {s}"),
        _ => dn.to_string(),
    }
}

/// RDNs of an RFC 4514 string, split at unescaped commas and pluses.
fn split_rdns(dn: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut escaped = false;
    for c in dn.chars() {
        if escaped {
            cur.push('\\');
            cur.push(c);
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == ',' || c == '+' {
            out.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    out.push(cur);
    out
}

#[cfg(test)]
mod tests {
    use super::Lang;

    #[test]
    fn locale_names_pick_the_language() {
        assert_eq!(Lang::from_locale("en_US.UTF-8"), Lang::En);
        assert_eq!(Lang::from_locale("en"), Lang::En);
        assert_eq!(Lang::from_locale("vi_VN.UTF-8"), Lang::Vi);
        assert_eq!(Lang::from_locale("C"), Lang::Vi);
        assert_eq!(Lang::from_locale("english_but_not"), Lang::Vi);
    }

    #[test]
    fn dates_are_written_as_clerks_write_them() {
        let t = time::macros::datetime!(2026-12-05 07:05:09 UTC);
        assert_eq!(super::date(t), "05/12/2026 14:05:09 (+07:00)");
        assert_eq!(
            super::date_str("2026-12-05T14:05:09+07:00"),
            "05/12/2026 14:05:09 (+07:00)"
        );
        assert_eq!(super::date_str("not a date"), "not a date");
    }

    #[test]
    fn names_are_taken_from_distinguished_names() {
        assert_eq!(
            super::name_of_dn("CN=Nguyễn Văn An,title=Chủ tịch,O=UBND,C=VN"),
            "Nguyễn Văn An"
        );
        assert_eq!(
            super::name_of_dn("GN=An+SN=Nguyễn Văn,O=UBND\\, tỉnh,C=VN"),
            "An Nguyễn Văn"
        );
        assert_eq!(super::name_of_dn("O=UBND,C=VN"), "O=UBND,C=VN");
        assert_eq!(super::name_of_dn("CN=A\\, B,C=VN"), "A, B");
    }

    /// Document-level warnings carry stable codes beside their words (JSON `warning_codes`),
    /// the words in the report's language: a `startxref` a few bytes off is repaired and said.
    #[test]
    fn document_warnings_have_codes() {
        use std::sync::Arc;
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../fixtures/docs/congvan-classic.pdf"
        );
        let mut bytes = std::fs::read(path).expect("congvan-classic.pdf");
        let at = bytes
            .windows(10)
            .rposition(|w| w == b"startxref\n")
            .unwrap()
            + 10;
        let end = at
            + bytes[at..]
                .iter()
                .position(|b| !b.is_ascii_digit())
                .unwrap();
        let off: u64 = std::str::from_utf8(&bytes[at..end])
            .unwrap()
            .parse()
            .unwrap();
        let wrong = format!("{:0width$}", off - 2, width = end - at);
        bytes.splice(at..end, wrong.bytes());
        let source: Arc<dyn crate::pdf::ByteSource> =
            Arc::new(crate::pdf::MemorySource::new(bytes));
        let opts = crate::verify::VerifyOptions::default();
        let mut report = crate::verify::verify_source(source, &opts).expect("read");
        assert_eq!(report.warning_codes, vec!["XREF_OFFSET_REPAIRED"]);
        assert_eq!(report.warnings.len(), 1);
        for (lang, words) in [
            (Lang::Vi, "tham chiếu chéo"),
            (Lang::En, "Cross-reference offset"),
        ] {
            super::report::localise(&mut report, lang);
            assert_eq!(report.warning_codes, vec!["XREF_OFFSET_REPAIRED"]);
            assert!(report.warnings[0].contains(words), "{:?}", report.warnings);
        }
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["warning_codes"][0], "XREF_OFFSET_REPAIRED");
    }

    /// Issue #19 item 1: no language below the reporting layer. The only lines of verify/ and
    /// diff/ naming `Lang` are the deprecated option and its re-export.
    #[test]
    fn verification_and_difference_analysis_know_no_language() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut found = Vec::new();
        for dir in ["verify", "diff"] {
            for entry in std::fs::read_dir(src.join(dir)).unwrap() {
                let path = entry.unwrap().path();
                let text = std::fs::read_to_string(&path).unwrap();
                for (n, line) in text.lines().enumerate() {
                    let allowed = line.trim() == "pub lang: Lang,"
                        || line.trim() == "pub use crate::text::Lang;";
                    if (line.contains("Lang") || line.contains(".pick(")) && !allowed {
                        found.push(format!("{}:{}: {line}", path.display(), n + 1));
                    }
                }
            }
        }
        assert!(found.is_empty(), "{}", found.join("\n"));
    }
}
