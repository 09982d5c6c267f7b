//! The Decree 30/2020 check in words (Vietnamese, or English): the section of the text report,
//! reused by the HTML report, the service page and the CLI's signing guards.
//!
//! The facts come from [`crate::decree30`] (Decree 30/2020/NĐ-CP Appendix I: where and how the
//! leader's and the agency's signatures appear); [`render`] writes the whole section of the text
//! report, the other functions one word or line each for the front doors that lay it out
//! themselves.

use super::Lang;
use crate::decree30::*;

fn l(lang: Lang, vi: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Vi => vi,
        Lang::En => en,
    }
}

/// The section's title: "Thể thức chữ ký số (Nghị định 30/2020)" in Vietnamese.
pub fn title(lang: Lang) -> &'static str {
    l(
        lang,
        "Thể thức chữ ký số (Nghị định 30/2020)",
        "Digital signature layout (Decree 30/2020)",
    )
}

/// The check's own verdict in words: "ĐÚNG THỂ THỨC" / "CONFORMING", … (never the ETSI
/// indication).
pub fn conformity_text(c: Conformity, lang: Lang) -> &'static str {
    match c {
        Conformity::Conforming => l(lang, "ĐÚNG THỂ THỨC", "CONFORMING"),
        Conformity::NotConforming => l(lang, "KHÔNG ĐÚNG THỂ THỨC", "NOT CONFORMING"),
        Conformity::NotApplicable => l(
            lang,
            "không áp dụng (không phải văn bản đã ký số)",
            "not applicable (not a signed document)",
        ),
    }
}

/// One criterion's outcome: met, not met, not applicable, cannot judge.
pub fn status_text(s: Status, lang: Lang) -> &'static str {
    match s {
        Status::Met => l(lang, "đạt", "met"),
        Status::NotMet => l(lang, "không đạt", "not met"),
        Status::NotApplicable => l(lang, "không áp dụng", "not applicable"),
        Status::CannotJudge => l(lang, "không xác định được", "cannot judge"),
    }
}

/// The kind of document found (main document, attachment, electronic copy).
pub fn kind_text(k: DocumentKind, lang: Lang) -> &'static str {
    match k {
        DocumentKind::Main => l(lang, "văn bản chính", "main document"),
        DocumentKind::Attachment => l(lang, "phụ lục/tài liệu kèm theo", "attachment"),
        DocumentKind::Copy => l(lang, "bản sao điện tử", "electronic copy"),
        DocumentKind::Unrecognised => l(lang, "không nhận ra", "not recognised"),
    }
}

/// A signature's role under Decree 30/2020 Appendix I (leader, agency, attachment, copy).
pub fn role_text(r: Role, lang: Lang) -> &'static str {
    match r {
        Role::Leader => l(lang, "người có thẩm quyền", "competent person (leader)"),
        Role::Organization => l(lang, "cơ quan, tổ chức", "agency (organization)"),
        Role::Attachment => l(lang, "ký phụ lục", "attachment"),
        Role::Copy => l(lang, "ký bản sao", "copy"),
        Role::Unknown => l(lang, "không xác định", "unknown"),
    }
}

fn basis_text(b: RoleBasis, lang: Lang) -> &'static str {
    match b {
        RoleBasis::CopyText => l(lang, "dòng chữ hình thức sao", "the copy type shown"),
        RoleBasis::PictureColour => l(lang, "màu hình ảnh", "the picture's colour"),
        RoleBasis::StampPosition => l(
            lang,
            "không hình ảnh, góc trên bên phải trang 1",
            "no picture, top right of page 1",
        ),
        RoleBasis::CommonName => l(lang, "tên trong chứng thư", "the certificate's name"),
        RoleBasis::Nothing => l(lang, "không có căn cứ", "nothing to go by"),
    }
}

/// The role of one signature with what decided it: "người có thẩm quyền (màu hình ảnh: xanh)".
pub fn role_line(f: &RoleFinding, lang: Lang) -> String {
    let mut s = format!("{} ({}", role_text(f.role, lang), basis_text(f.basis, lang));
    if let Some(h) = f.picture {
        s.push_str(&format!(
            "; {}: {}",
            l(lang, "hình ảnh", "picture"),
            hue_text(h, lang)
        ));
    }
    s.push_str(&format!(
        "; {}: {}",
        l(lang, "tên", "name"),
        name_kind_text(f.name_kind, lang)
    ));
    s.push(')');
    s
}

/// The name of a criterion of the check, as the report's list shows it.
pub fn code_text(c: Code, lang: Lang) -> &'static str {
    match c {
        Code::DocumentKind => l(lang, "Loại văn bản", "Kind of document"),
        Code::LeaderSignature => l(
            lang,
            "Chữ ký của người có thẩm quyền",
            "Competent person's signature",
        ),
        Code::OrganizationSignature => l(lang, "Chữ ký của cơ quan", "Agency's signature"),
        Code::SignatureOrder => l(
            lang,
            "Thứ tự ký (cơ quan ký sau)",
            "Order (the agency signs after)",
        ),
        Code::LeaderPicture => l(
            lang,
            "Hình ảnh chữ ký người có thẩm quyền",
            "Picture of the person's signature",
        ),
        Code::OrganizationPicture => l(lang, "Hình ảnh con dấu", "Picture of the seal"),
        Code::SealSize => l(lang, "Kích thước con dấu", "Seal size"),
        Code::AgencyCoversFile => l(
            lang,
            "Chữ ký cơ quan bao trùm tệp",
            "Agency signature covers the file",
        ),
        Code::StampSigner => l(lang, "Một chữ ký của cơ quan", "One agency signature"),
        Code::StampNoPicture => l(lang, "Không có hình ảnh", "No picture"),
        Code::StampPosition => l(
            lang,
            "Vị trí góc trên bên phải trang 1",
            "Top right of page 1",
        ),
        Code::StampText => l(
            lang,
            "Thông tin hiển thị (số, ký hiệu/hình thức sao, thời gian)",
            "Text shown (number/copy type, time)",
        ),
        Code::TimesVietnam => l(lang, "Thời gian ký theo giờ Việt Nam", "Times in +07:00"),
        Code::PdfVersion => l(lang, "Phiên bản PDF ≥ 1.4", "PDF version ≥ 1.4"),
        Code::OfficialRoot => l(
            lang,
            "Chứng thư gốc chuyên dùng/quốc gia",
            "Vietnamese official root",
        ),
    }
}

fn hue_text(h: Hue, lang: Lang) -> &'static str {
    match h {
        Hue::Blue => l(lang, "xanh", "blue"),
        Hue::Red => l(lang, "đỏ", "red"),
        Hue::Black => l(lang, "đen", "black"),
        Hue::Mixed => l(lang, "nhiều màu", "mixed"),
        Hue::Empty => l(lang, "trống", "empty"),
    }
}

fn name_kind_text(k: NameKind, lang: Lang) -> &'static str {
    match k {
        NameKind::Person => l(lang, "tên người", "a person's name"),
        NameKind::Organization => l(lang, "tên tổ chức", "an organisation's name"),
        NameKind::Unknown => l(lang, "không rõ người hay tổ chức", "neither clearly"),
    }
}

fn colour_text(c: &Option<ColourFacts>, lang: Lang) -> String {
    match c {
        None => l(lang, "không có hình ảnh", "no picture").to_string(),
        Some(c) => match (c.hue, &c.undecodable) {
            (Some(h), _) => format!(
                "{} {} ({} {}%, {} {}%)",
                l(lang, "màu", "colour"),
                hue_text(h, lang),
                l(lang, "xanh", "blue"),
                c.blue_percent,
                l(lang, "đỏ", "red"),
                c.red_percent
            ),
            (None, why) => format!(
                "{} ({})",
                l(lang, "không đánh giá được màu", "cannot judge colour"),
                why.as_deref().unwrap_or("?")
            ),
        },
    }
}

fn rect_text(r: &[f64; 4]) -> String {
    format!("x {:.0}–{:.0} mm, y {:.0}–{:.0} mm", r[0], r[2], r[1], r[3])
}

/// The evidence of a point in words.
pub fn evidence_text(e: &Evidence, lang: Lang) -> String {
    let sig = |n: usize| format!("{} {n}", l(lang, "chữ ký", "signature"));
    match e {
        Evidence::Kind { kind, roles } => format!(
            "{}; {}: {}",
            kind_text(*kind, lang),
            l(lang, "vai trò", "roles"),
            roles
                .iter()
                .map(|r| role_text(*r, lang))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Evidence::Signer {
            signature,
            common_name,
            name_kind,
            title,
        } => {
            let mut s = format!(
                "{}: \"{}\" ({})",
                sig(*signature),
                common_name.as_deref().unwrap_or("?"),
                name_kind_text(*name_kind, lang),
            );
            // The title matters for the person (Decree 23/2025); say when it is missing there.
            match (title, name_kind) {
                (Some(t), _) => s.push_str(&format!(", {}: {t}", l(lang, "chức vụ", "title"))),
                (None, NameKind::Person) => s.push_str(&format!(
                    ", {}",
                    l(
                        lang,
                        "chứng thư không ghi chức vụ",
                        "no title in the certificate"
                    )
                )),
                (None, _) => {}
            }
            s
        }
        Evidence::Missing { missing } => match missing {
            Missing::LeaderSignature => l(
                lang,
                "không có chữ ký của người có thẩm quyền",
                "no signature of the competent person",
            ),
            Missing::OrganizationSignature => l(
                lang,
                "không có chữ ký của cơ quan sau chữ ký của người có thẩm quyền",
                "no agency signature after the person's",
            ),
        }
        .to_string(),
        Evidence::Order {
            leader_signature,
            leader_revision,
            leader_time,
            organization_signature,
            organization_revision,
            organization_time,
        } => {
            let rev = |r: &Option<usize>| r.map_or("?".to_string(), |r| r.to_string());
            format!(
                "{} {}: {} {}, {}; {} {}: {} {}, {}",
                l(lang, "người có thẩm quyền", "person"),
                sig(*leader_signature),
                l(lang, "phiên bản", "revision"),
                rev(leader_revision),
                leader_time.as_deref().unwrap_or("?"),
                l(lang, "cơ quan", "agency"),
                sig(*organization_signature),
                l(lang, "phiên bản", "revision"),
                rev(organization_revision),
                organization_time.as_deref().unwrap_or("?"),
            )
        }
        Evidence::Picture {
            signature,
            page,
            rect_mm,
            colour,
            name,
            title_line,
            placement,
        } => {
            let placement = match placement {
                Placement::BetweenTitleAndName => l(
                    lang,
                    "giữa dòng chức vụ và họ tên",
                    "between the title line and the name",
                ),
                Placement::NameNotFound => l(
                    lang,
                    "không tìm thấy họ tên người ký trên trang",
                    "the signer's name is not on the page",
                ),
                Placement::PageTextUnreadable => l(
                    lang,
                    "không đọc được chữ trên trang để tìm họ tên người ký",
                    "the page's text could not be read to look for the signer's name",
                ),
                Placement::NotAboveName => l(
                    lang,
                    "không nằm ngay trên họ tên người ký",
                    "not right above the signer's name",
                ),
                Placement::NotCentred => l(
                    lang,
                    "không canh giữa theo họ tên người ký",
                    "not centred on the signer's name",
                ),
                Placement::NotUnderTitle => l(
                    lang,
                    "không nằm dưới dòng chức vụ",
                    "not under the title line",
                ),
                Placement::NoPicture => l(
                    lang,
                    "chữ ký không có hình ảnh",
                    "the signature shows no picture",
                ),
                Placement::Invisible => {
                    l(lang, "chữ ký không hiển thị", "the signature is invisible")
                }
            };
            let mut s = format!("{}: {placement}", sig(*signature));
            if let Some(p) = page {
                s.push_str(&format!("; {} {p}", l(lang, "trang", "page")));
            }
            if let Some(r) = rect_mm {
                s.push_str(&format!(", {}", rect_text(r)));
            }
            if colour.is_some() {
                s.push_str(&format!("; {}", colour_text(colour, lang)));
            }
            if let Some(n) = name {
                s.push_str(&format!(
                    "; {} \"{}\" y {:.0} mm",
                    l(lang, "họ tên", "name"),
                    n.text,
                    n.y / PT_PER_MM
                ));
            }
            if let Some(t) = title_line {
                s.push_str(&format!(
                    "; {} \"{}\" y {:.0} mm",
                    l(lang, "dòng trên", "line above"),
                    t.text,
                    t.y / PT_PER_MM
                ));
            }
            s
        }
        Evidence::Seal {
            signature,
            page,
            leader_page,
            colour,
            covered_left_percent,
            placement,
        } => {
            let placement = match placement {
                SealPlacement::OverLeftThird => l(
                    lang,
                    "trùm lên khoảng 1/3 hình chữ ký về bên trái",
                    "over about the left third of the person's picture",
                ),
                SealPlacement::OtherPage => l(
                    lang,
                    "ở trang khác với hình chữ ký",
                    "on another page than the person's picture",
                ),
                SealPlacement::NotOverlapping => l(
                    lang,
                    "không trùm lên hình chữ ký",
                    "does not overlap the person's picture",
                ),
                SealPlacement::WrongPart => l(
                    lang,
                    "trùm lên hình chữ ký nhưng không phải khoảng 1/3 bên trái",
                    "overlaps the person's picture, but not about its left third",
                ),
                SealPlacement::NoLeaderPicture => l(
                    lang,
                    "chữ ký người có thẩm quyền không có hình ảnh",
                    "the person's signature shows no picture",
                ),
                SealPlacement::NoPicture => l(
                    lang,
                    "chữ ký cơ quan không có hình dấu",
                    "the agency's signature shows no seal",
                ),
                SealPlacement::Invisible => {
                    l(lang, "chữ ký không hiển thị", "the signature is invisible")
                }
            };
            let mut s = format!("{}: {placement}", sig(*signature));
            if let (Some(p), Some(lp)) = (page, leader_page) {
                s.push_str(&format!(
                    "; {} {p}, {} {lp}",
                    l(lang, "dấu ở trang", "seal on page"),
                    l(lang, "hình chữ ký ở trang", "person's picture on page")
                ));
            }
            if let Some(c) = covered_left_percent {
                s.push_str(&format!(
                    "; {} {c}%",
                    l(lang, "mép phải dấu tới", "seal's right edge at")
                ));
            }
            if colour.is_some() {
                s.push_str(&format!("; {}", colour_text(colour, lang)));
            }
            s
        }
        Evidence::Size {
            signature,
            width_mm,
            height_mm,
        } => format!(
            "{}: {width_mm} × {height_mm} mm ({} {}–{} mm)",
            sig(*signature),
            l(lang, "cần", "expected"),
            SEAL_MM.0,
            SEAL_MM.1
        ),
        Evidence::Coverage {
            signature,
            covers_whole_file,
            revisions_after,
            change,
        } => {
            if *covers_whole_file {
                format!(
                    "{}: {}",
                    sig(*signature),
                    l(lang, "bao trùm toàn bộ tệp", "covers the whole file")
                )
            } else {
                match change {
                    None => format!(
                        "{}: {} {revisions_after} {}",
                        sig(*signature),
                        l(lang, "sau đó chỉ có", "followed only by"),
                        l(
                            lang,
                            "phiên bản bổ sung dữ liệu kiểm tra dài hạn (LTV)",
                            "LTV update(s)"
                        )
                    ),
                    Some(c) => format!(
                        "{}: {} {} ({}: {} {})",
                        sig(*signature),
                        l(
                            lang,
                            "sau đó tệp bị thay đổi:",
                            "the file was changed after it:"
                        ),
                        c.description,
                        c.code,
                        l(lang, "phiên bản", "revision"),
                        c.revision
                    ),
                }
            }
        }
        Evidence::Pictures {
            signature,
            count,
            colour,
        } => format!(
            "{}: {count} {}{}",
            sig(*signature),
            l(lang, "hình ảnh", "picture(s)"),
            if *count > 0 {
                format!("; {}", colour_text(colour, lang))
            } else {
                String::new()
            }
        ),
        Evidence::Position {
            signature,
            page,
            rect_mm,
            page_size_mm,
        } => match (page, rect_mm, page_size_mm) {
            (Some(p), Some(r), Some(ps)) => format!(
                "{}: {} {p}, {} ({} {:.0} × {:.0} mm)",
                sig(*signature),
                l(lang, "trang", "page"),
                rect_text(r),
                l(lang, "trang khổ", "page"),
                ps[0],
                ps[1]
            ),
            _ => format!(
                "{}: {}",
                sig(*signature),
                l(lang, "chữ ký không hiển thị", "the signature is invisible")
            ),
        },
        Evidence::StampText {
            signature,
            lines,
            reference_found,
            time_found,
        } => format!(
            "{}: \"{}\"; {}: {}; {}: {}",
            sig(*signature),
            lines.join(" / "),
            l(
                lang,
                "số, ký hiệu hoặc hình thức sao và cơ quan",
                "number and symbol, or copy type and agency"
            ),
            yes_no(*reference_found, lang),
            l(lang, "thời gian ISO 8601 +07:00", "ISO 8601 time +07:00"),
            yes_no(*time_found, lang)
        ),
        Evidence::Count { signatures } => format!(
            "{signatures} {}",
            l(
                lang,
                "chữ ký (cần đúng một)",
                "signatures (exactly one expected)"
            )
        ),
        Evidence::Times { times } => times
            .iter()
            .map(|t| {
                format!(
                    "{}: {}{}",
                    sig(t.signature),
                    t.raw.as_deref().unwrap_or(l(lang, "không có /M", "no /M")),
                    if t.vietnam {
                        ""
                    } else {
                        l(lang, " (không phải +07:00)", " (not +07:00)")
                    }
                )
            })
            .collect::<Vec<_>>()
            .join("; "),
        Evidence::Version { header, catalog } => match catalog {
            Some(c) => format!("%PDF-{header}, /Version {c}"),
            None => format!("%PDF-{header}"),
        },
        Evidence::Roots {
            configured,
            signatures,
        } => {
            if !configured {
                l(
                    lang,
                    "chưa cài chứng thư gốc chuyên dùng Chính phủ hoặc gốc quốc gia làm gốc tin cậy (kyso trust add)",
                    "no Vietnamese official root is configured as a trust anchor (kyso trust add)",
                )
                .to_string()
            } else {
                signatures
                    .iter()
                    .map(|a| {
                        format!(
                            "{}: {}",
                            sig(a.signature),
                            match (&a.anchor, a.official) {
                                (Some(x), true) => x.clone(),
                                (Some(x), false) => format!(
                                    "{x} ({})",
                                    l(lang, "không phải gốc chính thức", "not an official root")
                                ),
                                (None, _) =>
                                    l(lang, "không tới gốc tin cậy", "no trust anchor reached")
                                        .to_string(),
                            }
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            }
        }
        Evidence::NotForKind { kind } => format!(
            "{} {}",
            l(lang, "không áp dụng cho", "does not apply to a"),
            kind_text(*kind, lang)
        ),
        Evidence::WidgetUnreadable { signature, error } => format!(
            "{}: {} ({error})",
            sig(*signature),
            l(
                lang,
                "không đọc được phần hiển thị",
                "its appearance cannot be read"
            )
        ),
    }
}

fn yes_no(b: bool, lang: Lang) -> &'static str {
    if b {
        l(lang, "có", "yes")
    } else {
        l(lang, "KHÔNG", "NO")
    }
}

/// The section of the text report: verdict, kind, roles, every point with its evidence.
pub fn render(d: &Decree30Report, roles: &[Option<&RoleFinding>], lang: Lang) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(out, "{}: {}", title(lang), conformity_text(d.status, lang));
    if let Some(k) = d.kind {
        let _ = writeln!(
            out,
            "    {:<28} {}",
            l(lang, "Loại văn bản:", "Kind:"),
            kind_text(k, lang)
        );
    }
    for r in &d.roles {
        let detail = roles
            .get(r.signature - 1)
            .copied()
            .flatten()
            .map(|f| role_line(f, lang))
            .unwrap_or_else(|| role_text(r.role, lang).to_string());
        let _ = writeln!(
            out,
            "    {:<28} {}",
            format!(
                "{} {}:",
                l(lang, "Vai trò chữ ký", "Role of signature"),
                r.signature
            ),
            crate::text::report::visible(&detail)
        );
    }
    for p in &d.points {
        let _ = writeln!(
            out,
            "    - [{}] {}: {}",
            status_text(p.status, lang),
            code_text(p.code, lang),
            crate::text::report::visible(&evidence_text(&p.evidence, lang))
        );
    }
    out
}

/// A signing guard in words.
pub fn guard_text(g: &Guard, lang: Lang) -> String {
    match (g, lang) {
        (Guard::LeaderAfterOrganization { signature, signer }, Lang::Vi) => format!(
            "tài liệu đã có chữ ký của cơ quan (chữ ký {signature}, {signer}); chữ ký của người có thẩm quyền phải có trước, cơ quan ký sau (Nghị định 30/2020 Điều 32.2)"
        ),
        (Guard::LeaderAfterOrganization { signature, signer }, Lang::En) => format!(
            "the document already carries the agency's signature (signature {signature}, {signer}); the competent person signs first, the agency after (Decree 30/2020 Art. 32.2)"
        ),
        (Guard::LeaderNotPerson { common_name }, Lang::Vi) => format!(
            "ký với vai trò lãnh đạo nhưng tên trong chứng thư \"{common_name}\" không phải tên người: chữ ký của người có thẩm quyền dùng chứng thư cá nhân"
        ),
        (Guard::LeaderNotPerson { common_name }, Lang::En) => format!(
            "the leader role, but the certificate's name \"{common_name}\" is not a person's name: the competent person signs with a personal certificate"
        ),
        (Guard::AnchorNotInSignerBlock { anchor, page, from_top_mm }, Lang::Vi) => format!(
            "tìm thấy \"{anchor}\" ở trang {page}, cách mép trên {from_top_mm:.0} mm (phần tiêu đề, không phải khối chữ ký): hình chữ ký sẽ nằm sai chỗ; cần văn bản neo là họ tên in dưới chữ ký, hoặc trang và vùng đặt chữ ký"
        ),
        (Guard::AnchorNotInSignerBlock { anchor, page, from_top_mm }, Lang::En) => format!(
            "\"{anchor}\" was found on page {page}, {from_top_mm:.0} mm from the top (the letterhead, not the signer block): the picture would be misplaced; an anchor text with the name printed under the signature, or a page and rectangle, is needed"
        ),
        (Guard::NumberBlankNotFound { number }, Lang::Vi) => format!(
            "không tìm thấy chỗ trống \"Số: ...\" ở trang 1 để điền số \"{number}\"; số sẽ chỉ nằm trong khối thông tin cạnh con dấu"
        ),
        (Guard::NumberBlankNotFound { number }, Lang::En) => format!(
            "no blank \"Số: ...\" found on page 1 for the number \"{number}\"; it would only appear in the text block beside the seal"
        ),
        (Guard::DateBlankNotFound { date }, Lang::Vi) => format!(
            "không tìm thấy chỗ trống \"ngày ... tháng ... năm\" ở trang 1 để điền ngày \"{date}\"; ngày sẽ chỉ nằm trong khối thông tin cạnh con dấu"
        ),
        (Guard::DateBlankNotFound { date }, Lang::En) => format!(
            "no blank \"ngày ... tháng ... năm\" found on page 1 for the date \"{date}\"; it would only appear in the text block beside the seal"
        ),
        (Guard::TextInBindingMargin { left_mm }, Lang::Vi) => format!(
            "khối thông tin cạnh con dấu bắt đầu cách mép trái {left_mm:.0} mm, trong lề đóng gáy ({} mm, Nghị định 30/2020 Phụ lục I); bỏ khối thông tin, hoặc chỉ định vùng đặt chữ ký",
            guard::BINDING_MARGIN_MM
        ),
        (Guard::TextInBindingMargin { left_mm }, Lang::En) => format!(
            "the text block beside the seal starts {left_mm:.0} mm from the left edge, inside the binding margin ({} mm, Decree 30/2020 Appendix I); draw no text block, or give a rectangle",
            guard::BINDING_MARGIN_MM
        ),
    }
}
