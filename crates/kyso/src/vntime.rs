//! Times as Vietnamese documents show them: always UTC+07:00 (no daylight saving), whatever the
//! host's time zone (VIETNAM.md §1.6).
//!
//! Used wherever a time is written or shown: /M of a signature dictionary (ISO 32000-1
//! §7.9.4 date strings), the times of reports and `kyso info`, certificate validity in
//! messages. Instants stay `OffsetDateTime` (UTC) inside the library; only their text is local.
//!
//! # Examples
//!
//! ```
//! use kyso::vntime::{display, parse_pdf_date, rfc3339, to_pdf_date};
//!
//! // 02:30:05 UTC is 09:30:05 in Hà Nội.
//! let t = time::OffsetDateTime::from_unix_timestamp(1_795_314_605)?;
//! assert_eq!(to_pdf_date(t), "D:20261122093005+07'00'");
//! assert_eq!(rfc3339(t), "2026-11-22T09:30:05+07:00");
//! assert_eq!(display(t), "22.11.2026 09:30:05 +07:00");
//! // A date written elsewhere, in UTC, is the same instant.
//! assert_eq!(parse_pdf_date("D:20261122023005Z"), Some(t));
//! assert_eq!(parse_pdf_date("not a date"), None);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use time::{macros::offset, OffsetDateTime, UtcOffset};

/// Vietnam's offset from UTC.
pub const VIETNAM: UtcOffset = offset!(+7);

/// The calendar fields of `t` in Vietnam time: (year, month, day, hour, minute, second).
fn fields(t: OffsetDateTime) -> (i32, u8, u8, u8, u8, u8) {
    let t = t.to_offset(VIETNAM);
    (
        t.year(),
        t.month() as u8,
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
    )
}

/// The PDF date string (ISO 32000-1 §7.9.4) in Vietnam time: `D:20261122093005+07'00'`.
pub fn to_pdf_date(t: OffsetDateTime) -> String {
    let (y, mo, d, h, mi, s) = fields(t);
    format!("D:{y:04}{mo:02}{d:02}{h:02}{mi:02}{s:02}+07'00'")
}

/// RFC 3339 in Vietnam time: `2026-11-22T09:30:05+07:00`.
pub fn rfc3339(t: OffsetDateTime) -> String {
    let (y, mo, d, h, mi, s) = fields(t);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}+07:00")
}

/// The display form common on Vietnamese documents: `22.11.2026 09:30:05 +07:00`.
pub fn display(t: OffsetDateTime) -> String {
    let (y, mo, d, h, mi, s) = fields(t);
    format!("{d:02}.{mo:02}.{y:04} {h:02}:{mi:02}:{s:02} +07:00")
}

/// Parses a PDF date (ISO 32000-1 §7.9.4), tolerant of the usual deviations (missing parts,
/// `Z`, missing apostrophes). Returns None for anything that is not a date.
pub fn parse_pdf_date(s: &str) -> Option<OffsetDateTime> {
    let s = s.trim();
    let s = s.strip_prefix("D:").unwrap_or(s);
    let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
    if digits.len() < 4 {
        return None;
    }
    let field = |from: usize, len: usize, default: u32| -> Option<u32> {
        if digits.len() >= from + len {
            digits[from..from + len].parse().ok()
        } else {
            Some(default)
        }
    };
    let year = field(0, 4, 0)? as i32;
    let month = time::Month::try_from(field(4, 2, 1)? as u8).ok()?;
    let day = field(6, 2, 1)? as u8;
    let hour = field(8, 2, 0)? as u8;
    let minute = field(10, 2, 0)? as u8;
    let second = field(12, 2, 0)?.min(59) as u8;
    let date = time::Date::from_calendar_date(year, month, day).ok()?;
    let clock = time::Time::from_hms(hour, minute, second).ok()?;
    let rest = &s[digits.len()..];
    let offset = match rest.chars().next() {
        Some(sign @ ('+' | '-')) => {
            let nums: Vec<i8> = rest[1..]
                .split(|c: char| !c.is_ascii_digit())
                .filter(|p| !p.is_empty())
                .filter_map(|p| p.parse().ok())
                .collect();
            let h = *nums.first().unwrap_or(&0);
            let m = *nums.get(1).unwrap_or(&0);
            let (h, m) = if sign == '-' { (-h, -m) } else { (h, m) };
            UtcOffset::from_hms(h, m, 0).ok()?
        }
        // `Z` or nothing: UTC (ISO 32000-1 says unknown; UTC is the usual reading).
        _ => UtcOffset::UTC,
    };
    Some(time::PrimitiveDateTime::new(date, clock).assume_offset(offset))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn formats_in_vietnam_time() {
        let t = datetime!(2026-11-22 02:30:05 UTC);
        assert_eq!(to_pdf_date(t), "D:20261122093005+07'00'");
        assert_eq!(rfc3339(t), "2026-11-22T09:30:05+07:00");
        assert_eq!(display(t), "22.11.2026 09:30:05 +07:00");
    }

    #[test]
    fn parses_pdf_dates() {
        let t = parse_pdf_date("D:20261122093005+07'00'").unwrap();
        assert_eq!(t, datetime!(2026-11-22 02:30:05 UTC));
        let z = parse_pdf_date("D:20200101120000Z").unwrap();
        assert_eq!(z, datetime!(2020-01-01 12:00:00 UTC));
        assert_eq!(parse_pdf_date("D:2020").unwrap().year(), 2020);
        assert!(parse_pdf_date("garbage").is_none());
        assert!(parse_pdf_date("D:20201340").is_none());
    }
}
