//! Words at the edge: everything kyso says to a person, in Vietnamese or English.
//!
//! The core (pdf, pki, cms, sign, verify, diff, ...) returns facts; this module is the one place
//! that turns them into sentences. Nothing below the reporting layer should need a [`Lang`].

pub mod errors;

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
}
