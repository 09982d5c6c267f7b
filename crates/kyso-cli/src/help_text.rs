//! One language for everything the CLI says: `--lang`, else the locale (`LC_ALL`,
//! `LC_MESSAGES`, `LANG`), else Vietnamese. The clap definitions (doc comments) are the
//! English text; [`VI`] holds the Vietnamese one for every subcommand and argument, applied to
//! the built `clap::Command` before parsing, and clap's usage errors are said again in
//! Vietnamese. `tests` walks the whole command tree so a new flag cannot go untranslated.

use std::ffi::OsString;
use std::sync::OnceLock;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, Command};
use kyso::text::Lang;

static LANG: OnceLock<Lang> = OnceLock::new();

/// The language of this run, from argv and the environment (fixed at the first call).
pub fn lang() -> Lang {
    *LANG.get_or_init(|| prescan(std::env::args_os().skip(1)))
}

/// `--lang X` / `--lang=X` before any `--`; otherwise (or for a value that is neither `vi` nor
/// `en`, which clap then refuses) the environment's locale.
pub fn prescan(args: impl IntoIterator<Item = OsString>) -> Lang {
    let mut args = args.into_iter();
    let mut found = None;
    while let Some(a) = args.next() {
        let a = a.to_string_lossy().into_owned();
        let value = if a == "--" {
            break;
        } else if a == "--lang" {
            args.next().map(|v| v.to_string_lossy().into_owned())
        } else if let Some(v) = a.strip_prefix("--lang=") {
            Some(v.to_string())
        } else {
            continue;
        };
        match value.as_deref() {
            Some("vi") => found = Some(Lang::Vi),
            Some("en") => found = Some(Lang::En),
            _ => {}
        }
    }
    found.unwrap_or_else(Lang::from_env)
}

/// Words of the CLI itself: `vi` or `en` in the run's language.
pub fn say(vi: &str, en: &str) -> String {
    match lang() {
        Lang::Vi => vi.to_string(),
        Lang::En => en.to_string(),
    }
}

/// Prints "kyso: lỗi: MESSAGE" / "kyso: error: MESSAGE" (the message may come from a file:
/// made visible).
pub fn print_error(message: &str) {
    eprintln!(
        "kyso: {}: {}",
        kyso::text::errors::error_word(lang()),
        kyso::text::report::visible(message)
    );
}

/// Prints a signing's or an extension's warning in the run's language, with the command
/// line's hint where the library's words call for a flag.
pub fn print_sign_warning(w: &kyso::sign::SignWarning) {
    use kyso::sign::warning::{OwnStatusNotChecked, SignWarning};
    let text = kyso::text::sign::warning(w, lang());
    let hint = match w {
        SignWarning::OwnCertificateRevoked { .. } => say(" do --force", " (--force)"),
        SignWarning::OwnStatusNotChecked(OwnStatusNotChecked::Offline) => {
            say(" (--crl TỆP để kiểm tra)", " (--crl FILE to check)")
        }
        _ => String::new(),
    };
    print_warning(&format!("{text}{hint}"));
}

/// Prints "kyso: cảnh báo: MESSAGE" / "kyso: warning: MESSAGE".
pub fn print_warning(message: &str) {
    if crate::progress::quiet() {
        return;
    }
    eprintln!(
        "kyso: {}: {}",
        kyso::text::errors::warning_word(lang()),
        kyso::text::report::visible(message)
    );
}

/// Something to print as an error: a library error (translated) or a message already in the
/// run's language.
pub trait Say {
    fn say(&self) -> String;
}

impl Say for kyso::Error {
    fn say(&self) -> String {
        error_text(self)
    }
}

impl Say for String {
    fn say(&self) -> String {
        self.clone()
    }
}

impl Say for &str {
    fn say(&self) -> String {
        self.to_string()
    }
}

/// A library error in the run's language, with the flag that answers it when there is one
/// (the library says what is needed in its own terms; the flags are the command line's).
pub fn error_text(e: &kyso::Error) -> String {
    let text = kyso::text::errors::error_text(e, lang());
    match flag_hint(e) {
        Some(hint) => format!("{text} ({hint})"),
        None => text,
    }
}

/// The command line's words for what an error needs: "--tsa URL", "--force to sign anyway"...
pub fn flag_hint(e: &kyso::Error) -> Option<String> {
    use kyso::error::Need;
    Some(match e {
        kyso::Error::Needs { need, .. } => match need {
            Need::TimestampAuthority => "--tsa URL".to_string(),
            Need::DistinctOutput => say(
                "-o TỆP khác, hoặc --in-place",
                "another -o OUTPUT, or --in-place",
            ),
            Need::LargerReserve { at_least } => format!("--reserve {at_least}"),
            Need::OtherFieldName => say("--field TÊN khác", "another --field NAME"),
            Need::TokenChoice => "--token LABEL, --slot N".to_string(),
            Need::SlotChoice => "--slot N".to_string(),
            Need::KeyChoice => "--key-label LABEL, --key-id HEX".to_string(),
            Need::KeyIdChoice => "--key-id HEX".to_string(),
            Need::TsaCredentials => say(
                "--tsa-auth-file TỆP hoặc KYSO_TSA_AUTH",
                "--tsa-auth-file FILE or KYSO_TSA_AUTH",
            ),
            Need::Image => say("--image TỆP_PNG", "--image PNG"),
            Need::Placement => say(
                "--anchor VĂN_BẢN, hoặc --page N --rect x,y,w,h",
                "--anchor TEXT, or --page N --rect x,y,w,h",
            ),
            Need::DocumentNumber => say("--doc-number SỐ", "--doc-number NUMBER"),
            Need::Agency => say("--agency TÊN", "--agency NAME"),
            _ => return None,
        },
        kyso::Error::PdfPassword(_) => say(
            "mật khẩu qua KYSO_PDF_PASSWORD hoặc --password-file TỆP",
            "the password with KYSO_PDF_PASSWORD or --password-file FILE",
        ),
        kyso::Error::CertificateNotAcceptable(_) | kyso::Error::Decree30(_) => {
            say("dùng --force để vẫn ký", "use --force to sign anyway")
        }
        _ => return None,
    })
}

/// An error about the file `path`: "PATH: error", the path said once (an I/O error names
/// it already).
pub fn file_error(path: &std::path::Path, e: &kyso::Error) -> String {
    match e {
        kyso::Error::Io { path: p, .. } if p == path => error_text(e),
        _ => format!("{}: {}", path.display(), error_text(e)),
    }
}

/// A file error in the run's language.
pub fn io_text(path: &std::path::Path, e: &std::io::Error) -> String {
    kyso::text::errors::io_text(path, e, lang())
}

const TEMPLATE_VI: &str =
    "{before-help}{about-with-newline}\nCách dùng: {usage}\n\n{all-args}{after-help}\n";

/// The command tree in `lang`: as defined (English), or with every text in Vietnamese.
pub fn localized(cmd: Command, lang: Lang) -> Command {
    let mut cmd = cmd;
    cmd.build();
    match lang {
        Lang::En => cmd,
        Lang::Vi => localize(cmd, "", &mut Vec::new()),
    }
}

/// Vietnamese for the subcommand at `path` (`"sign"`, `"trust add"`) or an argument (`"sign
/// --reason"`); an argument shared by several subcommands may be found by its id alone.
fn vi_text(path: &str, id: Option<&str>) -> Option<&'static str> {
    let key = match id {
        Some(id) => format!("{path} {id}").trim().to_string(),
        None => path.to_string(),
    };
    let find = |k: &str| VI.iter().find(|(key, _)| *key == k).map(|(_, v)| *v);
    find(&key)
        // `kyso prepare` takes the request of `kyso sign` (at B-B): the same words.
        .or_else(|| match (path, id) {
            ("prepare", Some(id)) => find(&format!("sign {id}")),
            _ => None,
        })
        .or_else(|| id.and_then(|id| find(&format!("* {id}"))))
}

fn localize(mut cmd: Command, path: &str, missing: &mut Vec<String>) -> Command {
    match vi_text(path, None) {
        Some(vi) => cmd = cmd.about(vi).long_about(None),
        None => missing.push(format!("command {path:?}")),
    }
    cmd = cmd
        .help_template(TEMPLATE_VI)
        .subcommand_help_heading("Lệnh")
        .next_help_heading("Tùy chọn");
    let ids: Vec<(String, bool)> = cmd
        .get_arguments()
        .map(|a| (a.get_id().to_string(), a.is_positional()))
        .collect();
    for (id, positional) in ids {
        let text = match id.as_str() {
            "help" => Some("In trợ giúp"),
            "version" => Some("In phiên bản"),
            _ => vi_text(path, Some(&id)),
        };
        if text.is_none() {
            missing.push(format!("argument {path:?} {id:?}"));
        }
        let heading = if positional {
            "Tham số"
        } else {
            "Tùy chọn"
        };
        cmd = cmd.mut_arg(&id, |a: Arg| {
            let a = a.help_heading(heading);
            match text {
                Some(t) => a.help(t).long_help(None),
                None => a,
            }
        });
    }
    let subs: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in subs {
        if name == "help" {
            // clap's own `help` subcommand (its children only mirror the tree).
            cmd = cmd.mut_subcommand("help", |s| {
                s.about(vi_text("help", None).unwrap_or_default())
                    .help_template(TEMPLATE_VI)
            });
            continue;
        }
        let sub_path = format!("{path} {name}").trim().to_string();
        cmd = cmd.mut_subcommand(&name, |s| localize(s, &sub_path, missing));
    }
    cmd
}

/// Parses argv with the tree in the run's language; usage errors are printed in it and end
/// the process with 2 (help and version with 0), as clap does.
pub fn get_matches(cmd: Command) -> clap::ArgMatches {
    let lang = lang();
    let mut cmd = localized(cmd, lang);
    match cmd.try_get_matches_from_mut(std::env::args_os()) {
        Ok(m) => m,
        Err(e) => {
            if lang == Lang::En || e.kind() == ErrorKind::DisplayVersion {
                e.exit()
            }
            if matches!(
                e.kind(),
                ErrorKind::DisplayHelp | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            ) {
                // clap's few fixed words inside the help, in Vietnamese (plain text).
                let text = vi_help_words(&e.render().to_string());
                if e.kind() == ErrorKind::DisplayHelp {
                    use std::io::Write as _;
                    let _ = std::io::stdout().lock().write_all(text.as_bytes());
                    std::process::exit(0);
                }
                eprint!("{text}");
                std::process::exit(2);
            }
            eprint!("{}", vi_error(&e));
            std::process::exit(2)
        }
    }
}

/// clap's fixed words in a help text, in Vietnamese.
pub fn vi_help_words(help: &str) -> String {
    help.replace("[possible values: ", "[các giá trị: ")
        .replace("[default: ", "[mặc định: ")
        .replace("[aliases: ", "[tên khác: ")
        .replace("[env: ", "[biến môi trường: ")
}

fn value(e: &clap::Error, kind: ContextKind) -> Option<String> {
    Some(match e.get(kind)? {
        ContextValue::String(s) => s.clone(),
        ContextValue::Strings(v) => v.join(", "),
        ContextValue::StyledStr(s) => s.to_string(),
        ContextValue::StyledStrs(v) => v
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .join(", "),
        ContextValue::Number(n) => n.to_string(),
        ContextValue::Bool(b) => b.to_string(),
        _ => return None,
    })
}

/// A clap usage error in Vietnamese: what is wrong, clap's suggestion, the usage line.
pub fn vi_error(e: &clap::Error) -> String {
    let arg = value(e, ContextKind::InvalidArg).unwrap_or_default();
    let val = value(e, ContextKind::InvalidValue).unwrap_or_default();
    let mut msg = match e.kind() {
        ErrorKind::InvalidValue => format!("giá trị '{val}' không hợp lệ cho '{arg}'"),
        ErrorKind::UnknownArgument => format!("không có tham số '{arg}'"),
        ErrorKind::InvalidSubcommand => format!(
            "không có lệnh '{}'",
            value(e, ContextKind::InvalidSubcommand).unwrap_or_default()
        ),
        ErrorKind::NoEquals => format!("'{arg}' cần giá trị viết liền sau dấu '='"),
        ErrorKind::ValueValidation => format!("giá trị '{val}' không hợp lệ cho '{arg}'"),
        ErrorKind::TooManyValues => format!("quá nhiều giá trị cho '{arg}' ('{val}')"),
        ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            format!("số giá trị cho '{arg}' không đúng")
        }
        ErrorKind::ArgumentConflict => format!(
            "'{arg}' không dùng được cùng '{}'",
            value(e, ContextKind::PriorArg).unwrap_or_default()
        ),
        ErrorKind::MissingRequiredArgument => format!("thiếu tham số bắt buộc: {arg}"),
        ErrorKind::MissingSubcommand => "thiếu lệnh".to_string(),
        ErrorKind::InvalidUtf8 => "tham số không phải văn bản UTF-8".to_string(),
        ErrorKind::Io | ErrorKind::Format => "không in được".to_string(),
        _ => "tham số không hợp lệ".to_string(),
    };
    // clap's own reason for a refused value (a range, a number...) stays, after ours.
    if e.kind() == ErrorKind::ValueValidation {
        if let Some(source) = std::error::Error::source(e) {
            msg.push_str(&format!(" ({source})"));
        }
    }
    if let Some(valid) = value(e, ContextKind::ValidValue) {
        msg.push_str(&format!(" [các giá trị: {valid}]"));
    }
    let mut out = format!("kyso: lỗi: {msg}\n");
    for kind in [
        ContextKind::SuggestedArg,
        ContextKind::SuggestedSubcommand,
        ContextKind::SuggestedValue,
    ] {
        if let Some(s) = value(e, kind) {
            out.push_str(&format!("\n  gợi ý: '{s}'\n"));
        }
    }
    if let Some(usage) = value(e, ContextKind::Usage) {
        let usage = usage.trim();
        let usage = usage.strip_prefix("Usage:").unwrap_or(usage).trim();
        out.push_str(&format!("\nCách dùng: {usage}\n"));
    }
    out.push_str("\nXem thêm: '--help'.\n");
    out
}

/// Vietnamese for each subcommand (`"sign"`) and argument (`"sign reason"`; `"* id"` for an
/// argument with the same meaning wherever it appears).
const VI: &[(&str, &str)] = &[
    ("", "Ký số và kiểm tra chữ ký số văn bản PDF (PAdES)"),
    ("help", "In trợ giúp này hoặc trợ giúp của lệnh con"),
    ("* lang", "Ngôn ngữ của mọi thông báo, báo cáo và trợ giúp: vi hoặc en (mặc định: vi; en khi LC_ALL / LC_MESSAGES / LANG là tiếng Anh)"),
    ("* json", "In kết quả dạng JSON"),
    ("* password_file", "Tệp có dòng đầu là mật khẩu của tệp PDF được mã hóa (dùng khi không đặt KYSO_PDF_PASSWORD; mặc định là mật khẩu người dùng rỗng). Không bao giờ ghi mật khẩu trên dòng lệnh"),
    ("* in_place", "Ghi kết quả đè lên tệp đầu vào (an toàn, nguyên tử; các byte gốc được giữ nguyên ở đầu tệp)"),
    ("* reason", "Lý do ký (/Reason)"),
    ("* location", "Nơi ký (/Location)"),
    ("* force", "Vẫn ký dù chứng thư đã hết hạn, chưa có hiệu lực hoặc không dành cho việc ký"),
    ("* pss", "Dùng RSASSA-PSS thay cho PKCS#1 v1.5 (khóa RSA)"),
    ("* field", "Tên trường chữ ký (nếu đã có trường chữ ký trống cùng tên thì điền vào đó)"),
    ("* tsa", "Địa chỉ máy chủ cấp dấu thời gian (RFC 3161); lặp lại để có máy chủ dự phòng, thử lần lượt (ví dụ http://ca.gov.vn/tsa). Cần từ mức B-T trở lên"),
    ("* tsa_auth_file", "Tệp có dòng đầu là `người_dùng:mật_khẩu` cho xác thực HTTP basic với máy chủ dấu thời gian (hoặc KYSO_TSA_AUTH); không bao giờ trên dòng lệnh"),
    ("* tsa_policy", "OID chính sách yêu cầu máy chủ dấu thời gian áp dụng"),
    ("* ltv_certs", "Chứng thư bổ sung (trung gian) cho dữ liệu kiểm tra (B-LT, B-LTA). Lặp lại được"),
    ("* ltv_crl", "Tệp CRL (DER hoặc PEM) để nhúng vào nơi cần (B-LT, B-LTA). Lặp lại được"),
    ("* ltv_ocsp", "Tệp câu trả lời OCSP (DER) để nhúng vào nơi cần (B-LT, B-LTA). Lặp lại được"),
    ("* pkcs11", "Ký bằng thiết bị ký USB (token): đường dẫn thư viện PKCS#11 của trình điều khiển (.so/.dll), ví dụ /usr/lib/libeTPkcs11.so. Mã PIN lấy từ KYSO_PIN, --pin-file hoặc hỏi khi chạy"),
    ("* slot", "Số khe (slot) của token (xem `kyso token list`)"),
    ("* token", "Nhãn của token (xem `kyso token list`)"),
    ("* key_label", "Nhãn của khóa (hoặc của chứng thư) trên token"),
    ("* key_id", "CKA_ID của khóa, dạng hex (ví dụ 01 hoặc 3a:f2:...)"),
    ("* chain", "Chứng thư bổ sung cho chuỗi (PEM hoặc DER), khi token thiếu chứng thư của CA. Lặp lại được"),
    ("* trust", "Chứng thư gốc tin cậy: tệp PEM (một hoặc nhiều) hoặc DER, hoặc thư mục chứa chúng. Lặp lại được. Không có thì dùng kho tin cậy (`kyso trust`)"),
    ("* extra_certs", "Chứng thư trung gian bổ sung để dựng chuỗi (không được tin cậy). Lặp lại được"),
    ("* crl", "Dữ liệu thu hồi bổ sung: tệp CRL (DER hoặc PEM). Lặp lại được"),
    ("* revocation", "Kiểm tra thu hồi: `require` (mặc định; không có câu trả lời cho người ký thì kết quả tốt nhất là CHƯA XÁC ĐỊNH) hoặc `off` (không kiểm tra, báo cáo ghi rõ điều đó)"),
    ("* accept_unknown_ca_status", "Chấp nhận chứng thư CA không xác định được tình trạng thu hồi (có cảnh báo trong báo cáo) thay vì CHƯA XÁC ĐỊNH (ETSI EN 319 102-1). Báo cáo ghi rõ tùy chọn này"),
    ("* max_fetches", "Số yêu cầu mạng tối đa cho một văn bản (OCSP, CRL, chứng thư CA; địa chỉ lấy từ chứng thư trong văn bản). Mọi địa chỉ được liệt kê trong báo cáo"),
    ("* network_deadline", "Tổng số giây mọi yêu cầu mạng cho một văn bản được dùng"),
    ("* visual", "Kiểm tra hình ảnh: bản đã ký của mỗi chữ ký có phiên bản sau được vẽ và so với tệp hiện tại; thay đổi nhìn thấy được ngoài các ô được phép làm chữ ký không hợp lệ (VISIBLE_DIFFERENCE). Mặc định bật"),
    ("sign", "Ký một tệp PDF (PAdES B-B, cập nhật nối tiếp). Mật khẩu tệp .p12 lấy từ KYSO_PIN, --pin-file hoặc hỏi khi chạy — không bao giờ trên dòng lệnh"),
    ("sign input", "Tệp PDF cần ký (không bị sửa, trừ khi dùng --in-place)"),
    ("sign output", "Nơi ghi tệp PDF đã ký (với --batch: thư mục chứa các tệp đã ký)"),
    ("sign batch", "Ký mọi tệp PDF trong thư mục này vào thư mục -o, chỉ nạp khóa (và hỏi PIN) một lần. Lỗi ở một tệp không dừng các tệp khác; tệp kết quả đã có bị từ chối"),
    ("sign recursive", "Với --batch: cả các tệp PDF trong thư mục con (thư mục kết quả giữ cùng cấu trúc)"),
    ("sign jobs", "Với --batch: số tệp ký cùng lúc (mặc định: gấp đôi số lõi CPU). Token hoặc dịch vụ ký từ xa luôn ký từng tệp một"),
    ("* p12", "Tệp PKCS#12 (.p12/.pfx) chứa khóa và chuỗi chứng thư của người ký"),
    ("sign csc", "Địa chỉ gốc của dịch vụ ký từ xa theo CSC API v1 (ví dụ https://…/csc/v1)"),
    ("sign credential", "Mã chứng thư (khóa) tại dịch vụ (`credentials/list` liệt kê chúng)"),
    ("sign csc_token_file", "Tệp chứa mã truy cập dịch vụ (dùng khi không đặt KYSO_CSC_TOKEN)"),
    ("sign pin_file", "Tệp có dòng đầu là mật khẩu tệp .p12 (dùng khi không đặt KYSO_PIN)"),
    ("sign contact", "Cách liên hệ người ký (/ContactInfo)"),
    ("sign name", "Tên người ký (/Name); mặc định lấy từ chứng thư"),
    ("sign page", "Trang (đếm từ 1) chứa ô chữ ký (mặc định 1; với --role: trang của --rect hoặc trang duy nhất được tìm văn bản neo)"),
    ("sign hash", "Thuật toán băm (mặc định: SHA-256; SHA-384 với khóa P-384)"),
    ("sign certify", "Chứng nhận văn bản (chỉ chữ ký đầu tiên) với quyền DocMDP: 1 không được sửa, 2 điền biểu mẫu và ký, 3 thêm cả chú thích"),
    ("sign overwrite", "Thay tệp kết quả đã có (không có tùy chọn này thì tệp kết quả đã có bị từ chối, như với --batch)"),
    ("sign json", "In những gì đã làm dạng JSON"),
    ("sign level", "Mức PAdES: B-B (mặc định; B-T khi có --tsa), B-T (dấu thời gian cho chữ ký, cần --tsa), B-LT (thêm dữ liệu kiểm tra vào DSS), B-LTA (thêm dấu thời gian cho văn bản)"),
    ("sign reserve", "Chỗ dành sẵn trong chữ ký cho dấu thời gian và chứng thư của máy chủ dấu thời gian, tính bằng byte"),
    ("sign offline", "Với B-LT/B-LTA: không dùng mạng để lấy dữ liệu kiểm tra (chỉ các tệp --ltv-*). Hoặc KYSO_OFFLINE=1. Máy chủ dấu thời gian vẫn được hỏi"),
    ("sign role", "Chữ ký hiển thị, trình bày theo vai trò (Phụ lục I Nghị định 30/2020): leader (hình chữ ký), organization (dấu + chữ), attachment (phụ lục), copy (bản sao). Không có --role thì chữ ký không hiển thị"),
    ("sign image", "Ảnh PNG nền trong suốt: chữ ký màu xanh của người có thẩm quyền hoặc con dấu đỏ của cơ quan"),
    ("sign rect", "Vị trí cụ thể trên --page: x,y,w,h tính bằng point từ góc dưới bên trái (hậu tố `mm` là milimét). Mặc định: tìm theo văn bản neo hoặc chữ ký của người có thẩm quyền"),
    ("sign anchor", "Văn bản mà hình chữ ký đặt phía trên (mặc định: tên trong chứng thư)"),
    ("sign seal_diameter_mm", "Đường kính thật của con dấu, tính bằng milimét (mặc định: theo độ phân giải của ảnh PNG, nếu không có thì 36)"),
    ("sign no_text", "Vai trò cơ quan: không có khối chữ bên cạnh con dấu"),
    ("sign doc_number", "Số và ký hiệu văn bản, ví dụ \"123/UBND-VP\" (phụ lục, bản sao, cơ quan)"),
    ("sign doc_date", "Ngày ban hành ghi trong khối chữ của cơ quan"),
    ("sign copy_type", "Hình thức sao cho --role copy: \"SAO Y\" (mặc định), \"SAO LỤC\" hoặc \"TRÍCH SAO\""),
    ("sign agency", "Tên cơ quan hiển thị (mặc định: lấy từ chứng thư)"),
    ("sign font", "Phông TrueType cho chữ (mặc định: Liberation Serif đi kèm, tương thích Times)"),
    ("verify", "Kiểm tra mọi chữ ký trong tệp PDF. Mã thoát: 0 hợp lệ, 1 không hợp lệ, 3 chưa xác định, 4 không có chữ ký hoặc không đọc được tệp, 2 sai cách dùng (với --require-decree30, 1 cả khi văn bản không đúng thể thức Nghị định 30/2020)"),
    ("verify input", "Các tệp PDF cần kiểm tra: tệp hoặc thư mục (các tệp *.pdf trong đó). Với nhiều tệp hoặc thư mục, bảng tổng hợp theo sau các báo cáo; mã thoát là mã xấu nhất của mọi tệp (1 > 4 > 3 > 0)"),
    ("verify recursive", "Kiểm tra cả các tệp PDF trong thư mục con của các thư mục đã cho"),
    ("verify jobs", "Số tệp kiểm tra cùng lúc (mặc định: số lõi CPU)"),
    ("* offline", "Không bao giờ dùng mạng (không OCSP, không tải CRL): chỉ dùng dữ liệu trong văn bản và các tệp đã cho. Hoặc KYSO_OFFLINE=1"),
    ("verify at", "Kiểm tra tại thời điểm này (RFC 3339, ví dụ 2026-11-22T09:00:00+07:00) thay vì bây giờ"),
    ("verify json", "In báo cáo dạng một đối tượng JSON (nhiều tệp: một mảng JSON các báo cáo)"),
    ("verify json_lines", "In mỗi tệp một báo cáo JSON trên một dòng (tệp không đọc được: {\"file\": ..., \"error\": ...})"),
    ("verify report", "Ghi thêm một báo cáo HTML độc lập, in được, cho mọi tệp vào tệp này (theo ngôn ngữ --lang)"),
    ("verify require_decree30", "Thoát với mã 1 khi văn bản không đúng thể thức Nghị định 30/2020 (bố cục chữ ký: người có thẩm quyền rồi cơ quan, hình ảnh, phụ lục và bản sao; xem mục \"Thể thức chữ ký số\" của báo cáo). Không có tùy chọn này thì thể thức chỉ được báo cáo, không đổi mã thoát"),
    ("info", "Hiện các phiên bản, trường và chữ ký của tệp mà không kiểm tra chúng"),
    ("info input", "Tệp PDF cần xem"),
    ("extract", "Ghi ra bản đã ký của một chữ ký: tệp như lúc chữ ký đó được tạo (đến hết phiên bản nó ký), một tệp PDF mọi trình xem đều mở được"),
    ("extract input", "Tệp PDF đã ký"),
    ("extract signature", "Chữ ký, đánh số như `kyso verify` (1 = chữ ký đầu tiên)"),
    ("extract field", "Chữ ký theo tên trường của nó"),
    ("extract output", "Nơi ghi bản đã ký (không bao giờ đè lên tệp đầu vào)"),
    ("extract json", "In phần đã trích ra dạng JSON"),
    ("compare", "Vẽ bản đã ký của mỗi chữ ký và tệp hiện tại, từng trang, và chỉ ra chỗ thay đổi: với mỗi trang thay đổi, hai hình và một hình khác biệt (trang hiện tại làm mờ, vùng thay đổi viền đỏ; viền cam trong các ô mà phiên bản sau được phép thêm)"),
    ("compare input", "Tệp PDF đã ký"),
    ("compare signature", "Chỉ chữ ký này (đánh số như `kyso verify`, 1 = chữ ký đầu tiên)"),
    ("compare output", "Thư mục chứa hình (tạo nếu chưa có): sigN-pageP-signed.png, -current.png, -difference.png. Không có thì không ghi gì"),
    ("compare dpi", "Độ phân giải của hình"),
    ("compare json", "In các trang và vùng khác biệt (đơn vị point của PDF) dạng JSON"),
    ("prepare", "Ký hoãn, bước 1: ghi văn bản với một chữ ký trống cho một chứng thư và in ra phần cần ký (cho dịch vụ ký từ xa ký giá trị băm)"),
    ("prepare input", "Tệp PDF cần chuẩn bị (không bị sửa, trừ khi dùng --in-place)"),
    ("prepare output", "Nơi ghi tệp PDF đã chuẩn bị"),
    ("prepare cert", "Chứng thư của người ký (PEM hoặc DER)"),
    ("prepare chain", "Phần còn lại của chuỗi (gói PEM hoặc DER), chứng thư cấp trên trước"),
    ("prepare field", "Tên trường chữ ký"),
    ("prepare force", "Vẫn chuẩn bị dù chứng thư đã hết hạn, chưa có hiệu lực hoặc không dành cho việc ký"),
    ("prepare json", "In phần cần ký dạng một đối tượng JSON"),
    ("complete", "Ký hoãn, bước 2: đưa giá trị chữ ký (hoặc cả CMS) vào văn bản đã chuẩn bị; bị từ chối nếu không khớp với chứng thư và dữ liệu đã chuẩn bị"),
    ("complete prepared", "Tệp PDF đã chuẩn bị"),
    ("complete signature", "Giá trị chữ ký (nhị phân: RSA, hoặc ECDSA dạng DER hay r‖s thô), hoặc với --cms là một CMS"),
    ("complete cms", "Tệp cho ở --signature là cả một CMS SignedData (DER)"),
    ("complete output", "Nơi ghi tệp PDF đã ký"),
    ("complete json", "In những gì đã làm dạng JSON"),
    ("complete tsa", "Thêm dấu thời gian cho chữ ký từ máy chủ này (PAdES B-T; chỉ với giá trị chữ ký thô). Lặp lại để có máy chủ dự phòng"),
    ("extend", "Nâng tệp PDF đã ký (của bất kỳ ai) lên PAdES B-LT (DSS chứa chứng thư, câu trả lời OCSP và CRL mà các chữ ký cần) hoặc B-LTA (thêm dấu thời gian cho văn bản), hoặc gia hạn dấu thời gian lưu trữ"),
    ("extend input", "Tệp PDF đã ký (không bị sửa, trừ khi dùng --in-place)"),
    ("extend output", "Nơi ghi tệp PDF đã nâng mức"),
    ("extend level", "B-LT (DSS có dữ liệu kiểm tra) hoặc B-LTA (thêm dấu thời gian cho văn bản)"),
    ("extend renew_days", "Thêm dấu thời gian lưu trữ mới khi chứng thư máy chủ dấu thời gian của lần trước hết hạn trong số ngày này (B-LTA)"),
    ("extend offline", "Không dùng mạng: chỉ dữ liệu đã cho và đã có trong văn bản (cũng không hỏi máy chủ dấu thời gian). Hoặc KYSO_OFFLINE=1"),
    ("extend json", "In những gì đã làm dạng JSON"),
    ("trust", "Quản lý chứng thư gốc tin cậy mà `kyso verify` dùng khi không có --trust (lưu ở $KYSO_TRUST_DIR, nếu không thì $XDG_CONFIG_HOME/kyso/trust; trên Windows %APPDATA%\\kyso\\trust)"),
    ("trust add", "Thêm chứng thư (PEM, có thể nhiều, hoặc DER) làm chứng thư gốc tin cậy"),
    ("trust add files", "Các tệp chứng thư cần thêm"),
    ("trust list", "Liệt kê chứng thư gốc tin cậy: chủ thể, dấu vân tay, thời hạn, nhãn"),
    ("trust remove", "Gỡ chứng thư gốc có mã (hoặc phần đầu dấu vân tay) đã cho"),
    ("trust remove id", "Mã hoặc phần đầu dấu vân tay của chứng thư gốc cần gỡ"),
    ("token", "Thiết bị ký USB (PKCS#11): liệt kê chúng và các chứng thư chứa trong đó"),
    ("token list", "Liệt kê các token mà một thư viện PKCS#11 thấy: khe, nhãn, nhà sản xuất, tình trạng PIN và các chứng thư trên mỗi token (không cần PIN)"),
    ("token list module", "Thư viện PKCS#11 của trình điều khiển token (.so/.dll); mặc định: $KYSO_PKCS11_MODULE"),
    ("serve", "Dịch vụ ký và kiểm tra chạy trên máy, có trang web (mặc định chỉ nghe trên loopback): GET /, GET /v1/health, POST /v1/verify, POST /v1/sign"),
    ("serve listen", "Địa chỉ và cổng để nghe. Chỉ địa chỉ loopback, trừ khi có --allow-remote"),
    ("serve allow_remote", "Cho phép nghe trên địa chỉ không phải loopback. Khi đó ai tới được cổng này cũng kiểm tra được và, nếu đã cấu hình khóa, ký được"),
    ("serve public_name", "Tên khác mà dịch vụ trả lời, ngoài địa chỉ đang nghe (và localhost): HOST hoặc HOST:PORT (mặc định: cổng đang nghe). Yêu cầu có Host khác bị từ chối. Lặp lại được"),
    ("serve allow_origin", "Một origin web được phép gọi API từ trình duyệt (CORS), ví dụ https://vanban.example.gov.vn. Lặp lại được. Origin khác bị từ chối với 403"),
    ("serve max_body", "Kích thước lớn nhất của nội dung yêu cầu, ví dụ 50M, 200K hoặc số byte; lớn hơn thì trả 413"),
    ("serve workers", "Số yêu cầu xử lý cùng lúc (mặc định: số lõi CPU)"),
    ("serve queue", "Số yêu cầu được chờ một luồng xử lý; vượt quá thì trả 503"),
    ("serve max_connections", "Số kết nối mở cùng lúc (đang đọc, đang chờ hoặc đang trả lời); vượt quá thì trả 503"),
    ("serve timeout", "Số giây từ lúc nhận kết nối đến hết câu trả lời (phần đầu yêu cầu trong 10 giây)"),
    ("serve p12", "Ký bằng tệp PKCS#12 này (POST /v1/sign). Mật khẩu lấy từ KYSO_PIN, --pin-file hoặc hỏi trên terminal này khi khởi động"),
    ("serve pin_file", "Tệp có dòng đầu là mật khẩu tệp .p12 hoặc mã PIN token (khi không đặt KYSO_PIN)"),
    ("serve image_dir", "Thư mục chứa hình chữ ký và con dấu mà POST /v1/sign có thể gọi bằng `image=TÊN` (chỉ tên tệp trong thư mục này, không bao giờ là đường dẫn). Không có thì hình phải được tải lên"),
    ("serve max_image", "Kích thước lớn nhất của hình tải lên POST /v1/sign, ví dụ 2M; lớn hơn thì trả 413"),
    ("serve confirm", "Hỏi trên terminal này trước mỗi lần ký (tên tệp, số trang, vai trò): y/N. Không có terminal, hoặc không trả lời trong --confirm-timeout, thì không ký gì"),
    ("serve confirm_timeout", "Số giây chờ câu trả lời của --confirm (cộng thêm vào --timeout)"),
    // Flags other branches add (--verbose, --quiet, --overwrite, `kyso completions`).
    ("* verbose", "In thêm chi tiết về những gì đang làm"),
    ("* quiet", "Không in tiến độ và ghi chú (chỉ in lỗi)"),
    ("* overwrite", "Thay tệp kết quả đã có (không có tùy chọn này thì tệp kết quả đã có bị từ chối)"),
    ("completions", "In đoạn mã tự hoàn thành lệnh cho shell (bash, zsh, fish, powershell)"),
    ("completions shell", "Shell cần đoạn mã: bash, zsh, fish hoặc powershell"),
    ("man", "Ghi các trang hướng dẫn (roff: kyso.1, kyso-sign.1, …) vào DIR, để đóng gói"),
    ("man dir", "Thư mục để ghi (tạo nếu chưa có)"),
];

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn every_subcommand_and_argument_has_vietnamese_text() {
        let mut cmd = crate::Cli::command();
        cmd.build();
        let mut missing = Vec::new();
        let _ = localize(cmd, "", &mut missing);
        assert!(
            missing.is_empty(),
            "no Vietnamese text for:\n{}",
            missing.join("\n")
        );
    }

    #[test]
    fn lang_flag_is_found_before_parsing() {
        let os = |v: &[&str]| v.iter().map(OsString::from).collect::<Vec<_>>();
        assert_eq!(prescan(os(&["verify", "--lang", "en", "a.pdf"])), Lang::En);
        assert_eq!(prescan(os(&["--lang=en", "verify"])), Lang::En);
        assert_eq!(prescan(os(&["--lang=vi"])), Lang::Vi);
        // After `--` it is a file name, not the flag.
        assert_eq!(prescan(os(&["--lang", "vi", "--", "--lang=en"])), Lang::Vi);
    }
}
