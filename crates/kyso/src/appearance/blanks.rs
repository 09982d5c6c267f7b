//! The number and date written into the draft's blanks ("Số: ...", "ngày ... tháng ... năm").

use super::*;

/// Stamps the document number and issue date into the blanks the draft left on page 1
/// ("Số:      /UBND-VP", "ngày    tháng    năm 2026"), at the line's own size — the number
/// is given at issuing time (VIETNAM.md §1.2). Returns which of the two were stamped; a value
/// whose blank is not found (already filled, or another layout) goes into the text block.
pub(super) fn fill_blanks(
    doc: &Document,
    rev: usize,
    pages: &[ObjRef],
    req: &AppearanceRequest,
    b: &mut Builder,
) -> Result<(bool, bool)> {
    let date = match &req.doc_date {
        Some(d) => Some(parse_date(d)?),
        None => None,
    };
    if req.doc_number.is_none() && date.is_none() {
        return Ok((false, false));
    }
    let lines = text_extract::page_lines(doc, rev, pages[0])?;
    let mut number_done = false;
    if let Some(number) = &req.doc_number {
        for line in &lines {
            let Some(&(_, last)) = text_extract::find_in_line(line, "Số:").first() else {
                continue;
            };
            let (x0, x1, next) = blank_after(line, last);
            if x1 - x0 >= 1.5 * line.size {
                let number = nfc(number.trim());
                // "Số: ___/UBND-VP": the symbol is printed; only the number goes in.
                let text = match next {
                    Some(n) if n.text.starts_with('/') => number
                        .split('/')
                        .next()
                        .unwrap_or(&number)
                        .trim()
                        .to_string(),
                    _ => number.clone(),
                };
                b.stamp(&text, (x0 + x1) / 2.0, line.y, line.size)?;
                number_done = true;
            }
            break;
        }
    }
    let mut date_done = false;
    if let Some((d, m, y)) = date {
        for line in &lines {
            let ngay = text_extract::find_in_line(line, "ngày");
            let thang = text_extract::find_in_line(line, "tháng");
            let nam = text_extract::find_in_line(line, "năm");
            let (Some(&(_, ngay)), Some(&(t0, thang)), Some(&(n0, nam))) =
                (ngay.first(), thang.first(), nam.first())
            else {
                continue;
            };
            if !(ngay < t0 && thang < n0) {
                continue;
            }
            let (d0, _, _) = blank_after(line, ngay);
            let d1 = line.glyphs[t0].x;
            let (m0, _, _) = blank_after(line, thang);
            let m1 = line.glyphs[n0].x;
            // Already filled: text between "ngày" and "tháng" or "tháng" and "năm" (a wide
            // space around "22" is no blank to print over).
            let printed = |from: usize, to: usize| {
                line.glyphs[from + 1..to]
                    .iter()
                    .any(|g| !g.text.trim().is_empty())
            };
            if d1 - d0 < 1.2 * line.size
                || m1 - m0 < 1.2 * line.size
                || printed(ngay, t0)
                || printed(thang, n0)
            {
                break;
            }
            // Decree 30/2020 Appendix I: a leading zero for days below 10 and months below 3.
            let day = format!("{d:02}");
            let month = if m < 3 {
                format!("{m:02}")
            } else {
                m.to_string()
            };
            b.stamp(&day, (d0 + d1) / 2.0, line.y, line.size)?;
            b.stamp(&month, (m0 + m1) / 2.0, line.y, line.size)?;
            let (y0, y1, next) = blank_after(line, nam);
            if next.is_none() || y1 - y0 >= 1.5 * line.size {
                let x = y0 + b.width(" ", line.size);
                let w = b.width(&y.to_string(), line.size);
                b.stamp(&y.to_string(), x + w / 2.0, line.y, line.size)?;
            }
            date_done = true;
            break;
        }
    }
    Ok((number_done, date_done))
}

/// The blank after glyph `last` of `line`: (start x, end x, the next visible glyph).
pub(super) fn blank_after(
    line: &text_extract::Line,
    last: usize,
) -> (f64, f64, Option<&text_extract::Glyph>) {
    let g = &line.glyphs[last];
    let start = g.x + g.width;
    let next = line.glyphs[last + 1..]
        .iter()
        .find(|g| !g.text.trim().is_empty());
    (start, next.map_or(start + 5.0 * line.size, |n| n.x), next)
}

/// A date as dd/mm/yyyy, dd.mm.yyyy, dd-mm-yyyy or yyyy-mm-dd.
pub(super) fn parse_date(s: &str) -> Result<(u8, u8, i32)> {
    let bad = || {
        Error::InvalidArgument(format!(
            "the issue date '{s}' is not a date (dd/mm/yyyy or yyyy-mm-dd)"
        ))
    };
    let parts: Vec<&str> = s.trim().split(['/', '.', '-']).collect();
    if parts.len() != 3 {
        return Err(bad());
    }
    let n: Vec<i32> = parts
        .iter()
        .map(|p| p.trim().parse::<i32>().map_err(|_| bad()))
        .collect::<Result<_>>()?;
    let (d, m, y) = if parts[0].len() == 4 {
        (n[2], n[1], n[0])
    } else {
        (n[0], n[1], n[2])
    };
    let month = time::Month::try_from(u8::try_from(m).map_err(|_| bad())?).map_err(|_| bad())?;
    time::Date::from_calendar_date(y, month, u8::try_from(d).map_err(|_| bad())?)
        .map_err(|_| bad())?;
    Ok((d as u8, m as u8, y))
}
