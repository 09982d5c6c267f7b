//! `kyso`: sign and verify Vietnamese official PDF documents. A thin layer over the `kyso`
//! library: argument parsing, secrets from the environment / a file / a prompt, printing.
//!
//! No unsafe code except one reviewed function, `serve::secret::wipe_environ_value`, which
//! overwrites the PIN in the C library's environment block (no safe interface exists for that).
#![deny(unsafe_code)]

/// `print!`/`println!` that stop quietly when the reader has gone (`kyso info | head`): a write
/// to a closed pipe is not an error of kyso's, and must not panic. The exit code stays the
/// command's own.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if !$crate::progress::quiet_stdout() {
            let _ = write!(std::io::stdout().lock(), $($arg)*);
        }
    }};
}
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if !$crate::progress::quiet_stdout() {
            let _ = writeln!(std::io::stdout().lock(), $($arg)*);
        }
    }};
}

// First: its macros (verbose!, note!) serve the modules below.
#[macro_use]
mod progress;

mod appearance;
mod batch;
mod deferred;
mod help_text;
mod html_report;
mod interrupt;
mod ltv;
#[cfg(test)]
mod options_map;
mod remote;
mod serve;
mod sign_batch;
mod token;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use kyso::pki::trust_store::TrustStore;
use kyso::request::{SignRequest, SignSecrets, VerifyRequest};
use kyso::sign::load_p12;
use kyso::text::report::visible;
use kyso::text::Lang;
use kyso::verify::VerifyOptions;
use kyso::Error;

/// Exit codes of `kyso verify` (a contract: scripts rely on them).
mod exit {
    pub const OK: u8 = 0;
    pub const FAILED: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const UNREADABLE: u8 = 4;
}

#[derive(Parser)]
#[command(
    name = "kyso",
    version,
    about = "Ký số và kiểm tra chữ ký số văn bản PDF / Sign and verify PDF documents (PAdES)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Language of every message, report and help text: vi or en (default: vi, or en with an
    /// English locale in LC_ALL / LC_MESSAGES / LANG).
    #[arg(long, value_enum, global = true)]
    lang: Option<LangArg>,
    /// Say what each stage does and how long it takes, on stderr (-vv: more).
    #[arg(short, long, global = true, action = clap::ArgAction::Count, conflicts_with = "quiet")]
    verbose: u8,
    /// Print only errors: no progress, warnings or success lines (output asked for with
    /// --json is still printed; the exit code tells the result).
    #[arg(short, long, global = true)]
    quiet: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Sign a PDF (PAdES B-B, incremental update). The .p12 password comes from KYSO_PIN,
    /// --pin-file, or a prompt — never from the command line.
    Sign(Box<SignArgs>),
    /// Verify every signature in a PDF. Exit: 0 valid, 1 invalid, 3 indeterminate,
    /// 4 no signature or unreadable input, 2 usage error (with --require-decree30, 1 also when
    /// the document does not conform to Decree 30/2020).
    Verify(VerifyArgs),
    /// Show revisions, fields and signatures without validating them.
    Info(InfoArgs),
    /// Write the signed version of a signature: the file as it was when that signature was
    /// made (up to the end of the revision it signs), a PDF any viewer opens.
    Extract(ExtractArgs),
    /// Draw each signature's signed version and the current file, page by page, and show what
    /// changed: per changed page, the two pictures and a difference picture (the current page
    /// dimmed, changed regions outlined in red; orange inside widgets later revisions were
    /// allowed to add).
    Compare(CompareArgs),
    /// Deferred signing, step 1: write the document with an empty signature for a certificate
    /// and print what must be signed (for remote services that sign a hash).
    Prepare(Box<deferred::PrepareArgs>),
    /// Deferred signing, step 2: put the signature value (or a whole CMS) into a prepared
    /// document; refused unless it verifies against the certificate and the prepared data.
    Complete(deferred::CompleteArgs),
    /// Bring a signed PDF (whoever signed it) to PAdES B-LT (a DSS with the certificates,
    /// OCSP responses and CRLs its signatures need) or B-LTA (and a document time-stamp), or
    /// renew its archive time-stamp.
    Extend(ltv::ExtendArgs),
    /// Manage the trust anchors `kyso verify` uses when no --trust is given
    /// (kept in $KYSO_TRUST_DIR, else $XDG_CONFIG_HOME/kyso/trust; on Windows
    /// %APPDATA%\kyso\trust).
    #[command(subcommand)]
    Trust(TrustCommand),
    /// USB tokens (PKCS#11): list them and the certificates they hold.
    #[command(subcommand)]
    Token(token::TokenCommand),
    /// A local signing and verification service with a web page (loopback only by default):
    /// GET /, GET /v1/health, POST /v1/verify, POST /v1/sign.
    Serve(Box<serve::ServeArgs>),
    /// Write the manual pages (roff: kyso.1, kyso-sign.1, …) into DIR, for packaging.
    #[command(hide = true)]
    Man {
        /// The folder to write them into (created if missing).
        dir: PathBuf,
    },
    /// Write the shell completion script for bash, zsh, fish or powershell to stdout (e.g.
    /// `kyso completions bash > /etc/bash_completion.d/kyso`).
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Subcommand)]
enum TrustCommand {
    /// Add certificates (PEM, possibly several, or DER) as trust anchors.
    Add { files: Vec<PathBuf> },
    /// List the trust anchors: subject, fingerprint, validity, label.
    List {
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Remove the anchor whose id (or fingerprint prefix) is given.
    Remove { id: String },
}

#[derive(clap::Args)]
struct SignArgs {
    /// The PDF to sign (never modified unless --in-place).
    #[arg(required_unless_present = "batch")]
    input: Option<PathBuf>,
    /// Where to write the signed PDF (with --batch: the folder for the signed PDFs).
    #[arg(short, long, required_unless_present = "in_place")]
    output: Option<PathBuf>,
    /// Sign every PDF in this folder into the -o folder, loading the key (and asking the PIN)
    /// once. A failure on one file does not stop the others; existing outputs are skipped
    /// (so a stopped run can be started again), or replaced with --overwrite.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["input", "in_place"])]
    batch: Option<PathBuf>,
    /// With --batch: also the PDFs in subfolders (the output folder mirrors them).
    #[arg(short, long, requires = "batch")]
    recursive: bool,
    /// With --batch: files signed at once (default: twice the number of CPU cores). A token or
    /// a remote signing service always signs one file at a time.
    #[arg(short, long, requires = "batch", value_parser = clap::value_parser!(u32).range(1..=1024))]
    jobs: Option<u32>,
    /// PKCS#12 (.p12/.pfx) file with the signer's key and certificate chain.
    #[arg(long, required_unless_present_any = ["pkcs11", "csc"])]
    p12: Option<PathBuf>,
    #[command(flatten)]
    token: token::TokenSignArgs,
    #[command(flatten)]
    remote: remote::CscSignArgs,
    /// File whose first line is the .p12 password (used when KYSO_PIN is not set).
    #[arg(long)]
    pin_file: Option<PathBuf>,
    /// File whose first line is the password of an encrypted PDF (used when
    /// KYSO_PDF_PASSWORD is not set; default the empty user password).
    #[arg(long, value_name = "FILE")]
    password_file: Option<PathBuf>,
    /// Reason for signing (/Reason).
    #[arg(long)]
    reason: Option<String>,
    /// Where the document was signed (/Location).
    #[arg(long)]
    location: Option<String>,
    /// How to reach the signer (/ContactInfo).
    #[arg(long)]
    contact: Option<String>,
    /// Name of the signer (/Name); by default taken from the certificate.
    #[arg(long)]
    name: Option<String>,
    /// Signature field name (an existing empty signature field of that name is filled).
    #[arg(long)]
    field: Option<String>,
    /// Page (1-based) the signature widget belongs to (default 1; with --role, the page of
    /// --rect or the only page searched for the anchor).
    #[arg(long)]
    page: Option<usize>,
    /// Digest algorithm (default: SHA-256; SHA-384 for P-384 keys).
    #[arg(long, value_enum)]
    hash: Option<HashArg>,
    /// Use RSASSA-PSS instead of PKCS#1 v1.5 (RSA keys).
    #[arg(long)]
    pss: bool,
    /// Certify the document (first signature only) with DocMDP permissions: 1 no changes,
    /// 2 form filling and signing, 3 also annotations.
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=3))]
    certify: Option<u8>,
    /// Sign even if the certificate is expired, not yet valid, revoked or not meant for
    /// signing.
    #[arg(long)]
    force: bool,
    /// CRL files (DER or PEM) to check the signing certificate against before signing (it is
    /// also asked online, by OCSP and its CRL distribution points, unless --offline).
    /// Repeatable.
    #[arg(long, value_name = "FILE")]
    crl: Vec<PathBuf>,
    /// Write the result over the input file (atomically; the original bytes stay a prefix).
    #[arg(long)]
    in_place: bool,
    /// Replace an existing output file (without it, an existing output is refused; with
    /// --batch, skipped).
    #[arg(long)]
    overwrite: bool,
    /// Print what was done as JSON.
    #[arg(long)]
    json: bool,
    /// PAdES level: B-B (default; B-T when --tsa is given), B-T (signature time-stamp, needs
    /// --tsa), B-LT (and the validation data in a DSS), B-LTA (and a document time-stamp).
    #[arg(long)]
    level: Option<String>,
    #[command(flatten)]
    timestamp: ltv::TimestampArgs,
    /// Room kept in the signature for its time-stamp token and TSA certificates, in bytes.
    #[arg(long, default_value_t = kyso::sign::DEFAULT_RESERVE)]
    reserve: usize,
    /// With B-LT/B-LTA: use no network for validation data (only --ltv-* files). Also
    /// KYSO_OFFLINE=1. The TSA is still asked.
    #[arg(long)]
    offline: bool,
    #[command(flatten)]
    appearance: appearance::AppearanceArgs,
}

impl SignArgs {
    /// The library's request from these flags: everything but the files to read and write,
    /// the key and the secrets (`options_map` checks that no flag is forgotten).
    fn request(&self) -> SignRequest {
        let mut r = SignRequest::default();
        r.reason = self.reason.clone();
        r.location = self.location.clone();
        r.contact = self.contact.clone();
        r.name = self.name.clone();
        r.field = self.field.clone();
        r.page = self.page;
        r.hash = self.hash.map(|h| {
            match h {
                HashArg::Sha256 => "sha256",
                HashArg::Sha384 => "sha384",
                HashArg::Sha512 => "sha512",
            }
            .to_string()
        });
        r.pss = self.pss;
        r.certify = self.certify;
        r.force = self.force;
        r.level = self.level.clone();
        r.reserve = Some(self.reserve);
        r.offline = self.offline;
        self.timestamp.fill(&mut r);
        self.appearance.fill(&mut r);
        r
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum HashArg {
    Sha256,
    Sha384,
    Sha512,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum RevocationArg {
    Require,
    Off,
}

#[derive(Clone, Copy, ValueEnum)]
enum LangArg {
    Vi,
    En,
}

/// Trust, chain and revocation inputs of verification (`kyso verify`, `kyso serve`), filled
/// into the library's `kyso::request::VerifyRequest`.
#[derive(clap::Args)]
pub(crate) struct ValidationArgs {
    /// Trust anchor certificates: PEM (one or many) or DER files, or folders of them.
    /// Repeatable. Without it, the trust store (`kyso trust`) is used.
    #[arg(long)]
    pub trust: Vec<PathBuf>,
    /// File whose first line is the password of an encrypted PDF (used when
    /// KYSO_PDF_PASSWORD is not set; default the empty user password). Never on the command
    /// line itself: other users see it there.
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
    /// Extra intermediate certificates to build chains with (not trusted). Repeatable.
    #[arg(long)]
    pub extra_certs: Vec<PathBuf>,
    /// Extra revocation data: CRL files (DER or PEM). Repeatable.
    #[arg(long)]
    pub crl: Vec<PathBuf>,
    /// Never use the network (no OCSP, no CRL download): only what the document and the
    /// given files hold. Also set by KYSO_OFFLINE=1.
    #[arg(long)]
    pub offline: bool,
    /// Revocation checking: `require` (default; without an answer for the signer the result
    /// is at best INDETERMINATE) or `off` (not checked, and the report says so).
    #[arg(long, value_enum, default_value_t = RevocationArg::Require)]
    pub revocation: RevocationArg,
    /// Accept CA certificates whose revocation status cannot be determined (a warning in the
    /// report) instead of INDETERMINATE (ETSI EN 319 102-1). The report says it was given.
    #[arg(long)]
    pub accept_unknown_ca_status: bool,
    /// Network requests one document may cause at most (OCSP, CRLs, CA issuers; the URLs come
    /// from its certificates). Every URL is listed in the report.
    #[arg(long, default_value_t = kyso::request::NetworkBudget::default().max_fetches)]
    pub max_fetches: u32,
    /// Seconds all network requests for one document may take together.
    #[arg(long, default_value_t = kyso::request::NetworkBudget::default().deadline.as_secs())]
    pub network_deadline: u64,
    /// The visual check: the signed version of each signature followed by later revisions is
    /// drawn and compared with the current file; visible changes outside allowed widgets fail
    /// the signature (VISIBLE_DIFFERENCE). On by default.
    #[arg(long, value_enum, default_value_t = VisualArg::On)]
    pub visual: VisualArg,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub(crate) enum VisualArg {
    On,
    Off,
}

impl ValidationArgs {
    /// The library's request from these flags (the PDF password aside: a secret).
    pub(crate) fn request(&self) -> VerifyRequest {
        let mut r = VerifyRequest::default();
        // No --trust: the trust store.
        r.trust = (!self.trust.is_empty()).then(|| self.trust.clone());
        r.extra_certs = self.extra_certs.clone();
        r.crls = self.crl.clone();
        r.offline = self.offline;
        r.revocation = Some(
            match self.revocation {
                RevocationArg::Require => "require",
                RevocationArg::Off => "off",
            }
            .into(),
        );
        r.accept_unknown_ca_status = self.accept_unknown_ca_status;
        r.max_fetches = Some(self.max_fetches);
        r.network_deadline = Some(self.network_deadline);
        r.visual = Some(
            match self.visual {
                VisualArg::On => "on",
                VisualArg::Off => "off",
            }
            .into(),
        );
        r
    }

    /// Verification options from `request` (made from these arguments) and the PDF password
    /// of --password-file / KYSO_PDF_PASSWORD, or a message.
    pub(crate) fn verify_options(&self, request: VerifyRequest) -> Result<VerifyOptions, String> {
        let password = pdf_password(self.password_file.as_deref())?;
        request
            .into_options(password)
            .map_err(|e| help_text::error_text(&e))
    }
}

impl VerifyArgs {
    /// The library's request from these flags (`options_map` checks that none is forgotten).
    fn request(&self) -> VerifyRequest {
        let mut r = self.validation.request();
        r.at = self.at.clone();
        r.require_decree30 = self.require_decree30;
        r.lang = Some(
            match help_text::lang() {
                Lang::Vi => "vi",
                Lang::En => "en",
            }
            .into(),
        );
        r
    }
}

#[derive(clap::Args)]
struct VerifyArgs {
    /// The PDFs to verify: files, or folders (their *.pdf files). With several files or any
    /// folder, a summary table follows the reports; the exit code is the worst of all files
    /// (1 > 4 > 3 > 0).
    #[arg(required = true, value_name = "PATH")]
    input: Vec<PathBuf>,
    /// Also verify the PDFs in the subfolders of the given folders.
    #[arg(short, long)]
    recursive: bool,
    /// Files verified at once (default: the number of CPU cores).
    #[arg(short, long, value_parser = clap::value_parser!(u32).range(1..=1024))]
    jobs: Option<u32>,
    #[command(flatten)]
    validation: ValidationArgs,
    /// Validate as of this time (RFC 3339, e.g. 2026-11-22T09:00:00+07:00) instead of now.
    #[arg(long)]
    at: Option<String>,
    /// Print the report as one JSON object (several files: one JSON array of reports).
    #[arg(long)]
    json: bool,
    /// Print one JSON report per line per file (unreadable: {"file": ..., "error": ...}).
    #[arg(long, conflicts_with = "json")]
    json_lines: bool,
    /// Also write a self-contained, printable HTML report of all files to this file
    /// (in the --lang language).
    #[arg(long, value_name = "FILE.html")]
    report: Option<PathBuf>,
    /// Exit with 1 when a document does not conform to Decree 30/2020 (the signatures'
    /// layout: leader then agency, pictures, attachments and copies; see the report's
    /// "Thể thức chữ ký số" section). Without it conformity is reported but never changes the
    /// exit code.
    #[arg(long)]
    require_decree30: bool,
}

#[derive(clap::Args)]
struct InfoArgs {
    /// The PDF to inspect.
    input: PathBuf,
    /// File whose first line is the password of an encrypted PDF (used when
    /// KYSO_PDF_PASSWORD is not set; default the empty user password).
    #[arg(long, value_name = "FILE")]
    password_file: Option<PathBuf>,
    /// Print as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("which").required(true).args(["signature", "field"])))]
struct ExtractArgs {
    /// The signed PDF.
    input: PathBuf,
    /// The signature, numbered as `kyso verify` numbers them (1 = the first).
    #[arg(long)]
    signature: Option<usize>,
    /// The signature by its field's name.
    #[arg(long)]
    field: Option<String>,
    /// Where to write the signed version (never over the input).
    #[arg(short, long)]
    output: PathBuf,
    /// File whose first line is the password of an encrypted PDF (used when
    /// KYSO_PDF_PASSWORD is not set; default the empty user password).
    #[arg(long, value_name = "FILE")]
    password_file: Option<PathBuf>,
    /// Print what was extracted as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
struct CompareArgs {
    /// The signed PDF.
    input: PathBuf,
    /// Only this signature (numbered as `kyso verify` numbers them, 1 = the first).
    #[arg(long)]
    signature: Option<usize>,
    /// Folder for the pictures (created if missing): sigN-pageP-signed.png, -current.png,
    /// -difference.png. Without it, nothing is written.
    #[arg(short, long, value_name = "DIR")]
    output: Option<PathBuf>,
    /// Resolution of the pictures.
    #[arg(long, default_value_t = 72.0)]
    dpi: f64,
    /// Print pages and difference boxes (PDF points) as JSON.
    #[arg(long)]
    json: bool,
}

fn run_compare(args: CompareArgs) -> u8 {
    if !(args.dpi.is_finite() && (1.0..=600.0).contains(&args.dpi)) {
        return usage(help_text::say(
            "--dpi phải trong khoảng 1 đến 600",
            "--dpi must be between 1 and 600",
        ));
    }
    let source = match kyso::pdf::FileSource::open(&args.input) {
        Ok(s) => std::sync::Arc::new(s),
        Err(e) => return fail(e),
    };
    let found = match kyso::verify::compare_visual(source, args.signature, args.dpi, 500) {
        Ok(f) => f,
        Err(e @ kyso::Error::InvalidArgument(_)) => return usage(e),
        Err(e) => return fail(e),
    };
    if let Some(dir) = &args.output {
        if let Err(e) = std::fs::create_dir_all(dir) {
            return fail(help_text::io_text(dir, &e));
        }
        for c in &found {
            for p in &c.pictures {
                for (kind, png) in [
                    ("signed", &p.signed),
                    ("current", &p.current),
                    ("difference", &p.difference),
                ] {
                    let Some(png) = png else { continue };
                    let path = dir.join(format!("sig{}-page{}-{kind}.png", c.signature, p.page));
                    let written = kyso::output::AtomicOutput::create(&path).and_then(|mut o| {
                        std::io::Write::write_all(o.writer(), png)
                            .map_err(|e| kyso::Error::io(&path, e))?;
                        o.commit()
                    });
                    if let Err(e) = written {
                        return fail(e);
                    }
                }
            }
        }
    }
    let differs = found
        .iter()
        .any(|c| c.visual.status == kyso::visual::VisualStatus::Difference);
    if args.json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&found).unwrap_or_default()
        );
    } else if found.is_empty() {
        outln!(
            "{}",
            help_text::say(
                "Mọi chữ ký đều phủ toàn bộ tệp: không có gì để so sánh.",
                "Every signature covers the whole file: nothing to compare."
            )
        );
    } else {
        use help_text::say;
        for c in &found {
            let v = &c.visual;
            outln!(
                "{} {} ({}), {} {}: {}",
                say("Chữ ký", "Signature"),
                c.signature,
                visible(&c.field),
                say("phiên bản được ký", "signed revision"),
                v.signed_revision,
                match v.status {
                    kyso::visual::VisualStatus::NoDifference => say(
                        "không có khác biệt nhìn thấy được ngoài các ô được phép",
                        "no visible difference outside allowed widgets"
                    ),
                    kyso::visual::VisualStatus::Difference =>
                        say("CÓ KHÁC BIỆT NHÌN THẤY ĐƯỢC", "VISIBLE DIFFERENCE"),
                    kyso::visual::VisualStatus::NotPerformed => format!(
                        "{} ({:?})",
                        say("không so sánh", "not compared"),
                        v.not_performed
                    ),
                    kyso::visual::VisualStatus::Error => format!(
                        "{}: {}",
                        say("lỗi", "error"),
                        visible(v.error.as_deref().unwrap_or(""))
                    ),
                }
            );
            let page = say("trang", "page");
            for p in &v.pages_added {
                outln!(
                    "    {page} {p}: {}",
                    say("thêm vào sau khi ký", "added after signing")
                );
            }
            for p in &v.pages_removed {
                outln!(
                    "    {page} {p}: {}",
                    say("bị bỏ đi sau khi ký", "removed after signing")
                );
            }
            for b in &v.boxes {
                let r = b.diff.rect;
                outln!(
                    "    {page} {}: ({:.1}, {:.1})–({:.1}, {:.1}) pt, {} {}{}",
                    b.page,
                    r[0],
                    r[1],
                    r[2],
                    r[3],
                    b.diff.differing_pixels,
                    say("điểm ảnh", "pixels"),
                    if b.diff.inside_allowed_widget {
                        say(" (trong một ô được phép)", " (inside an allowed widget)")
                    } else {
                        String::new()
                    }
                );
            }
            if !v.pages_not_compared.is_empty() {
                outln!(
                    "    {}: {:?}",
                    say(
                        "các trang không so sánh (giới hạn)",
                        "pages not compared (limit)"
                    ),
                    v.pages_not_compared
                );
            }
        }
    }
    if differs {
        exit::FAILED
    } else {
        exit::OK
    }
}

fn run_extract(args: ExtractArgs) -> u8 {
    let which = match (args.signature, args.field) {
        (Some(n), _) => kyso::extract::Which::Number(n),
        (None, Some(f)) => kyso::extract::Which::Field(f),
        (None, None) => return exit::USAGE,
    };
    let password = match pdf_password(args.password_file.as_deref()) {
        Ok(p) => p,
        Err(e) => return usage(e),
    };
    match kyso::extract::extract_to_with_password(&args.input, &which, &args.output, &password) {
        Ok(v) => {
            if args.json {
                outln!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
            } else {
                outln!(
                    "{}: signature {} ({}) signs revision {}: {} bytes{}",
                    args.output.display(),
                    v.signature,
                    visible(&v.field),
                    v.revision,
                    v.length,
                    if v.covers_whole_document {
                        " (the whole file)"
                    } else {
                        ""
                    }
                );
            }
            exit::OK
        }
        Err(e) => {
            help_text::print_error(&help_text::error_text(&e));
            match e {
                kyso::Error::InvalidArgument(_)
                | kyso::Error::Output(_)
                | kyso::Error::Needs {
                    need: kyso::error::Need::DistinctOutput,
                    ..
                } => exit::USAGE,
                _ => exit::UNREADABLE,
            }
        }
    }
}

fn main() -> ExitCode {
    use clap::{CommandFactory, FromArgMatches};
    let matches = help_text::get_matches(Cli::command());
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    // Outputs asked for by name are printed even with --quiet.
    let explicit_output = match &cli.command {
        Command::Sign(a) => a.json,
        Command::Verify(a) => a.json || a.json_lines,
        Command::Info(a) => a.json,
        Command::Extract(a) => a.json,
        Command::Compare(a) => a.json,
        Command::Trust(TrustCommand::List { json }) => *json,
        Command::Token(token::TokenCommand::List { json, .. }) => *json,
        Command::Prepare(a) => a.json,
        Command::Complete(a) => a.json,
        Command::Extend(a) => a.json,
        Command::Completions { .. } => true,
        _ => false,
    };
    progress::init(cli.verbose, cli.quiet, explicit_output);
    interrupt::install();
    let code = match cli.command {
        Command::Sign(args) => run_sign(*args),
        Command::Verify(args) => run_verify(args),
        Command::Info(args) => run_info(args),
        Command::Extract(args) => run_extract(args),
        Command::Compare(args) => run_compare(args),
        Command::Prepare(args) => deferred::run_prepare(*args),
        Command::Complete(args) => deferred::run_complete(args),
        Command::Extend(args) => ltv::run_extend(args),
        Command::Trust(cmd) => run_trust(cmd),
        Command::Token(cmd) => token::run(cmd),
        Command::Serve(args) => serve::run(*args),
        Command::Man { dir } => run_man(&dir),
        Command::Completions { shell } => run_completions(shell),
    };
    ExitCode::from(code)
}

/// `kyso man DIR`: kyso.1 and one page per subcommand (kyso-sign.1, …), from the clap
/// definitions, so the pages never drift from `--help`.
fn run_man(dir: &Path) -> u8 {
    use clap::CommandFactory;
    let write = |name: &str, cmd: clap::Command| -> Result<(), String> {
        let path = dir.join(format!("{name}.1"));
        let mut out =
            kyso::output::AtomicOutput::create(&path).map_err(|e| help_text::error_text(&e))?;
        clap_mangen::Man::new(cmd)
            .render(out.writer())
            .map_err(|e| help_text::io_text(&path, &e))?;
        out.commit().map_err(|e| help_text::error_text(&e))
    };
    let result = std::fs::create_dir_all(dir).map_err(|e| help_text::io_text(dir, &e));
    let result = result.and_then(|()| {
        let cli = Cli::command().name("kyso");
        for sub in cli.get_subcommands().filter(|c| !c.is_hide_set()) {
            // clap names are &'static str; this process ends right after.
            let name: &'static str = Box::leak(format!("kyso-{}", sub.get_name()).into_boxed_str());
            write(name, sub.clone().name(name))?;
        }
        write("kyso", cli)
    });
    match result {
        Ok(()) => exit::OK,
        Err(e) => fail(e),
    }
}

/// `kyso completions SHELL`: the completion script, from the clap definition.
fn run_completions(shell: clap_complete::Shell) -> u8 {
    use clap::CommandFactory;
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "kyso", &mut script);
    outln!("{}", String::from_utf8_lossy(&script).trim_end());
    exit::OK
}

/// "PATH: error", unless the error names that path itself already (an I/O error does): a
/// message never shows the same path twice.
pub(crate) fn about(path: &Path, e: &dyn std::fmt::Display) -> String {
    let shown = path.display().to_string();
    let text = e.to_string();
    if text.starts_with(&format!("{shown}: ")) {
        text
    } else {
        format!("{shown}: {text}")
    }
}

/// Prints an error in the run's language; its details may come from a file, so they are
/// made visible.
fn fail(msg: impl help_text::Say) -> u8 {
    help_text::print_error(&msg.say());
    exit::FAILED
}

/// Prints a usage error in the run's language; exit code 2.
fn usage(msg: impl help_text::Say) -> u8 {
    help_text::print_error(&msg.say());
    exit::USAGE
}

fn run_sign(args: SignArgs) -> u8 {
    let input = args.input.clone().unwrap_or_default();
    let output = args.output.clone().unwrap_or_else(|| input.clone());
    if !args.in_place && args.output.is_none() {
        return usage(help_text::say(
            "cần -o TỆP_KẾT_QUẢ (hoặc --in-place)",
            "-o OUTPUT is required (or --in-place)",
        ));
    }
    // An existing output is never replaced unless asked (a signed original lost is not
    // recoverable); --batch refuses per file in the same way.
    if args.batch.is_none()
        && !args.in_place
        && !args.overwrite
        && output.exists()
        // The output being the input has its own message (--in-place), from the library.
        && !kyso::output::same_file(&input, &output)
    {
        let path = output.display();
        return usage(help_text::say(
            &format!("{path} đã có (dùng --overwrite để thay)"),
            &format!("{path} already exists (--overwrite to replace it)"),
        ));
    }
    if let Err(e) = args.appearance.check() {
        return usage(e);
    }
    if let Some(code) = sign_batch::check_args(args.batch.as_deref(), &output, args.recursive) {
        return code;
    }
    let pdf_password = match pdf_password(args.password_file.as_deref()) {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    // Before the key is opened: no PIN asked for a command refused anyway.
    let own_crls = match crl_files(&args.crl) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("kyso: --crl {}", kyso::text::report::visible(&e));
            return exit::USAGE;
        }
    };
    let tsa_credentials = match ltv::credentials(&args.timestamp) {
        Ok(c) => c,
        Err(e) => {
            return usage(e);
        }
    };
    // The options before the key: a mistake is told before a PIN is asked.
    let opts = match args
        .request()
        .into_options(SignSecrets::new(pdf_password, tsa_credentials))
    {
        Ok(o) => o,
        Err(e) => {
            help_text::print_error(&help_text::error_text(&e));
            return exit::USAGE;
        }
    };
    let identity: Box<dyn kyso::sign::Signer> = match &args.p12 {
        None if args.remote.csc.is_some() => {
            match remote::open_signer(&args.remote, args.pin_file.as_deref()) {
                Ok(signer) => Box::new(signer),
                Err(e) => return fail(e),
            }
        }
        None => match token::open_signer(&args.token, args.pin_file.as_deref()) {
            Ok(signer) => Box::new(signer),
            Err(e) => return fail(e),
        },
        Some(path) => match std::fs::read(path) {
            Err(e) => return fail(help_text::io_text(path, &e)),
            Ok(p12) => {
                match progress::stage("mở tệp khóa / opening the key file (.p12)", || {
                    open_p12(&p12, args.pin_file.as_deref())
                }) {
                    Ok(id) => Box::new(id),
                    Err(e) => return fail(e),
                }
            }
        },
    };
    let lang = help_text::lang();
    let online = !(args.offline || std::env::var("KYSO_OFFLINE").is_ok_and(|v| v == "1"));
    if let Err(code) = check_own_certificate(
        identity.certificate_der(),
        identity.chain_der(),
        &own_crls,
        online,
        args.force,
        lang,
    ) {
        return code;
    }
    if let Some(dir) = &args.batch {
        // Software keys sign in parallel; a token or a remote service one file at a time.
        // Two per core: each file also waits for its output to reach the disk (fsync), and
        // another file's signing fills that wait (1,000 letters: 2.3 s with 2, 1.4 s with 4
        // on 2 cores).
        let workers = match args.p12 {
            Some(_) => batch::workers(args.jobs, 2),
            None => 1,
        };
        return sign_batch::run(
            dir,
            &output,
            args.recursive,
            identity.as_ref(),
            &opts,
            workers,
            args.json,
            args.overwrite,
        );
    }
    verbose!(
        1,
        "ký / signing {} → {} ({})",
        kyso::text::report::visible(&input.display().to_string()),
        kyso::text::report::visible(&output.display().to_string()),
        opts.level.name()
    );
    let signed = progress::stage("ký / signing", || {
        kyso::ltv::sign_file(&input, &output, identity.as_ref(), &opts, args.in_place)
    });
    match signed {
        Ok(outcome) => {
            // Guards and checks overridden with --force and other remarks, in the user's
            // language.
            for w in &outcome.warnings {
                help_text::print_sign_warning(w);
            }
            if args.json {
                outln!(
                    "{}",
                    serde_json::to_string_pretty(&outcome).unwrap_or_default()
                );
            } else {
                outln!(
                    "{}: {} ({} \"{}\", {}, {}: {}, {}{})",
                    help_text::say("Đã ký", "signed"),
                    output.display(),
                    help_text::say("trường", "field"),
                    kyso::text::report::visible(&outcome.field),
                    outcome.signing_time,
                    help_text::say("người ký", "signer"),
                    kyso::text::report::visible(&outcome.signer),
                    outcome.level,
                    outcome
                        .timestamp_time
                        .as_deref()
                        .map(|t| format!(", {} {t}", help_text::say("dấu thời gian", "time-stamp")))
                        .unwrap_or_default()
                );
            }
            exit::OK
        }
        Err(kyso::Error::Decree30(guards)) => {
            let (head, tail) = match lang {
                Lang::Vi => (
                    "không ký: văn bản sẽ không đúng thể thức Nghị định 30/2020",
                    "dùng --force để vẫn ký",
                ),
                Lang::En => (
                    "not signed: the document would not conform to Decree 30/2020",
                    "use --force to sign anyway",
                ),
            };
            help_text::print_error(&format!("{head}:"));
            for g in &guards {
                eprintln!(
                    "  - {}",
                    kyso::text::report::visible(&kyso::text::decree30::guard_text(g, lang))
                );
            }
            eprintln!("kyso: {tail}");
            exit::FAILED
        }
        Err(e) => fail(e),
    }
}

/// The CRLs of `--crl` files (DER each), or why a file is not one: a certificate given by
/// mistake is refused, not ignored (a check meant to use it would run without it).
pub(crate) fn crl_files(paths: &[PathBuf]) -> Result<Vec<Vec<u8>>, String> {
    let mut out = Vec::new();
    for path in paths {
        let crls = kyso::pki::crl_file::load_crl_file(path).map_err(|e| match e {
            Error::InvalidArgument(m) => m,
            other => help_text::error_text(&other),
        })?;
        out.extend(crls.into_iter().map(|c| c.der));
    }
    Ok(out)
}

/// The warning a check of the signer's own certificate calls for before signing (none when it
/// is not revoked; a revoked one is refused unless forced, by the caller).
pub(crate) fn own_warning(
    status: &kyso::verify::own_certificate::OwnRevocation,
) -> Option<kyso::sign::SignWarning> {
    use kyso::sign::warning::OwnStatusNotChecked;
    use kyso::sign::SignWarning;
    use kyso::verify::own_certificate::{NotCheckedWhy, OwnRevocation};
    match status {
        OwnRevocation::Good => None,
        OwnRevocation::Revoked { time, reason } => Some(SignWarning::OwnCertificateRevoked {
            time: time.clone(),
            reason: reason.clone(),
        }),
        OwnRevocation::Unknown(detail) => Some(SignWarning::OwnStatusUnknown {
            detail: detail.clone(),
        }),
        OwnRevocation::NotChecked(NotCheckedWhy::Offline) => Some(
            SignWarning::OwnStatusNotChecked(OwnStatusNotChecked::Offline),
        ),
        OwnRevocation::NotChecked(NotCheckedWhy::NoIssuer) => Some(
            SignWarning::OwnStatusNotChecked(OwnStatusNotChecked::NoIssuer),
        ),
    }
}

/// A signing certificate found revoked (RFC 3339 time and RFC 5280 reason, when known).
pub(crate) struct OwnRevoked {
    pub time: Option<String>,
    pub reason: Option<String>,
}

/// The check of the signer's own certificate before signing (Circular 15/2025/TT-BKHCN),
/// shared by `kyso sign`, `kyso prepare` and `kyso serve`: revoked → Err unless `force`; its
/// status unknown or not checked (offline) → a warning; expiring within 30 days → a warning.
pub(crate) fn own_certificate_check(
    certificate_der: &[u8],
    chain_der: &[Vec<u8>],
    crl: &[Vec<u8>],
    online: bool,
    force: bool,
) -> Result<Vec<kyso::sign::SignWarning>, OwnRevoked> {
    use kyso::verify::own_certificate::{own_revocation, OwnRevocation};
    let crls: Vec<_> = crl
        .iter()
        .filter_map(|d| kyso::pki::crl::Crl::from_der(d).ok())
        .collect();
    // The trust store may hold the issuer when the key file lacks it; without one the check
    // uses the key file's chain alone.
    let anchors = TrustStore::default_location()
        .and_then(|s| s.certificates())
        .unwrap_or_default();
    let http: Option<std::sync::Arc<dyn kyso::request::HttpClient>> = if online {
        Some(std::sync::Arc::new(kyso::request::UreqClient::new()))
    } else {
        None
    };
    let now = time::OffsetDateTime::now_utc();
    let status = progress::stage(
        "kiểm tra thu hồi chứng thư ký / checking the signing certificate's revocation",
        || own_revocation(certificate_der, chain_der, &anchors, &crls, http, now),
    );
    if let OwnRevocation::Revoked { time, reason } = &status {
        if !force {
            return Err(OwnRevoked {
                time: time.clone(),
                reason: reason.clone(),
            });
        }
    }
    let mut warnings = Vec::new();
    match own_warning(&status) {
        Some(w) => warnings.push(w),
        None => verbose!(1, "chứng thư ký chưa bị thu hồi / not revoked"),
    }
    if let Ok(cert) = kyso::pki::Certificate::from_der(certificate_der) {
        if let Some(days) = kyso::verify::own_certificate::expires_soon(&cert, now) {
            warnings.push(kyso::sign::SignWarning::OwnCertificateExpiresSoon {
                days,
                not_after: kyso::vntime::display(cert.not_after),
            });
        }
    }
    Ok(warnings)
}

/// [`own_certificate_check`] on the command line: the warnings printed, a revoked certificate
/// refused with the flag that overrides it; Err is the exit code.
pub(crate) fn check_own_certificate(
    certificate_der: &[u8],
    chain_der: &[Vec<u8>],
    crl: &[Vec<u8>],
    online: bool,
    force: bool,
    lang: Lang,
) -> Result<(), u8> {
    match own_certificate_check(certificate_der, chain_der, crl, online, force) {
        Ok(warnings) => {
            for w in &warnings {
                help_text::print_sign_warning(w);
            }
            Ok(())
        }
        Err(OwnRevoked { time, reason }) => {
            help_text::print_error(&format!(
                "{} ({})",
                kyso::text::sign::own_certificate_revoked(&time, &reason, lang),
                help_text::say("--force để vẫn ký", "--force to sign anyway")
            ));
            Err(exit::FAILED)
        }
    }
}

/// The password of an encrypted PDF: KYSO_PDF_PASSWORD, else the first line of
/// --password-file, else the empty user password (ISO 32000-1 §7.6.3.4).
pub(crate) fn pdf_password(file: Option<&Path>) -> Result<kyso::pdf::Password, String> {
    if let Ok(p) = std::env::var("KYSO_PDF_PASSWORD") {
        return Ok(kyso::pdf::Password::from_text(&p));
    }
    match file {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| help_text::io_text(path, &e))?;
            Ok(kyso::pdf::Password::from_text(
                text.lines().next().unwrap_or(""),
            ))
        }
        None => Ok(kyso::pdf::Password::default()),
    }
}

/// The .p12 password: KYSO_PIN, else --pin-file, else the empty password, else a prompt (up
/// to three tries: a key file does not lock, unlike a token, whose PIN is never retried).
/// A key file without a password opens whatever KYSO_PIN or --pin-file says: it has nothing to
/// protect, and a PIN set for other keys must not make it unusable.
fn open_p12(p12: &[u8], pin_file: Option<&Path>) -> kyso::Result<kyso::sign::SoftwareIdentity> {
    let given = match std::env::var("KYSO_PIN") {
        Ok(pin) => Some(pin),
        Err(_) => match pin_file {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
                Some(text.lines().next().unwrap_or("").to_string())
            }
            None => None,
        },
    };
    if let Some(pin) = given {
        return match load_p12(p12, &pin) {
            Err(Error::WrongPassword) if !pin.is_empty() => match load_p12(p12, "") {
                Ok(id) => {
                    verbose!(
                        1,
                        "tệp khóa không có mật khẩu / the key file has no password"
                    );
                    Ok(id)
                }
                Err(_) => Err(Error::WrongPassword),
            },
            other => other,
        };
    }
    match load_p12(p12, "") {
        Err(Error::WrongPassword) if std::io::stdin().is_terminal() => {
            const TRIES: usize = 3;
            for left in (0..TRIES).rev() {
                let pin = rpassword::prompt_password(help_text::say(
                    "Mật khẩu tệp khóa (.p12): ",
                    "Key file (.p12) password: ",
                ))
                .map_err(|e| Error::io("<terminal>", e))?;
                match load_p12(p12, &pin) {
                    Err(Error::WrongPassword) if left > 0 => {
                        help_text::print_error(&help_text::say(
                            &format!("sai mật khẩu, còn {left} lần thử"),
                            &format!("wrong password, {left} tries left"),
                        ));
                    }
                    other => return other,
                }
            }
            Err(Error::WrongPassword)
        }
        other => other,
    }
}

fn run_trust(cmd: TrustCommand) -> u8 {
    let store = match TrustStore::default_location() {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    match cmd {
        TrustCommand::Add { files } => {
            if files.is_empty() {
                return usage(help_text::say(
                    "trust add cần ít nhất một tệp chứng thư",
                    "trust add needs at least one certificate file",
                ));
            }
            for f in files {
                let bytes = match std::fs::read(&f) {
                    Ok(b) => b,
                    Err(e) => return fail(help_text::io_text(&f, &e)),
                };
                match store.add(&bytes) {
                    Ok(added) => {
                        for e in added {
                            outln!(
                                "{} {}  {}{}",
                                help_text::say("Đã thêm", "added"),
                                e.id,
                                visible(&e.subject),
                                e.label.map(|l| format!("  [{l}]")).unwrap_or_default()
                            );
                        }
                    }
                    Err(e) => {
                        return fail(format!("{}: {}", f.display(), help_text::error_text(&e)))
                    }
                }
            }
            exit::OK
        }
        TrustCommand::List { json } => match store.list() {
            Ok(list) => {
                if json {
                    outln!(
                        "{}",
                        serde_json::to_string_pretty(&list).unwrap_or_default()
                    );
                } else if list.is_empty() {
                    outln!(
                        "{} ({})",
                        help_text::say("Chưa có chứng thư gốc tin cậy nào", "no trust anchors"),
                        store.dir().display()
                    );
                } else {
                    for e in list {
                        outln!("{}  {}", e.id, visible(&e.subject));
                        outln!("    SHA-256: {}", e.sha256_fingerprint);
                        outln!(
                            "    {}: {} → {}",
                            help_text::say("hiệu lực", "valid"),
                            e.not_before,
                            e.not_after
                        );
                        if let Some(l) = e.label {
                            outln!("    {l}");
                        }
                    }
                }
                exit::OK
            }
            Err(e) => fail(e),
        },
        TrustCommand::Remove { id } => match store.remove(&id) {
            Ok(e) => {
                outln!(
                    "{} {}  {}",
                    help_text::say("Đã gỡ", "removed"),
                    e.id,
                    visible(&e.subject)
                );
                exit::OK
            }
            Err(e) => fail(e),
        },
    }
}

fn run_verify(args: VerifyArgs) -> u8 {
    let lang = help_text::lang();
    let request = args.request();
    let opts = match args.validation.verify_options(request.clone()) {
        Ok(o) => o,
        Err(e) => return usage(e),
    };
    if args.json_lines || batch::is_batch(&args.input) {
        let format = match (args.json, args.json_lines) {
            (_, true) => batch::Format::JsonLines,
            (true, _) => batch::Format::Json,
            _ => batch::Format::Human,
        };
        let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        return batch::run(
            &args.input,
            args.recursive,
            batch::workers(args.jobs, 1),
            &opts,
            batch::Presentation {
                format,
                colour,
                report: args.report.as_deref(),
                require_decree30: args.require_decree30,
                lang,
            },
        );
    }
    let input = &args.input[0];
    let verified = progress::stage("kiểm tra / verifying", || {
        kyso::verify::verify_file(input, &opts)
    });
    match verified {
        Ok(mut report) => {
            kyso::text::report::localise(&mut report, lang);
            if args.json {
                outln!(
                    "{}",
                    serde_json::to_string_pretty(&report).unwrap_or_default()
                );
            } else {
                let colour =
                    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
                out!(
                    "{}",
                    kyso::text::report::render_styled(&report, lang, colour)
                );
            }
            let item = html_report::Item {
                file: input.display().to_string(),
                result: Ok(&report),
            };
            let code = request.result_code(&report);
            match html_report::write_to(args.report.as_deref(), &[item], lang) {
                Ok(()) => code as u8,
                Err(code) => code,
            }
        }
        Err(e) => {
            let msg = kyso::text::errors::error_text(&e, lang);
            help_text::print_error(&help_text::file_error(input, &e));
            let item = html_report::Item {
                file: input.display().to_string(),
                result: Err(&msg),
            };
            if let Err(code) = html_report::write_to(args.report.as_deref(), &[item], lang) {
                return code;
            }
            exit::UNREADABLE
        }
    }
}

fn run_info(args: InfoArgs) -> u8 {
    let password = match pdf_password(args.password_file.as_deref()) {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    match kyso::inspect::inspect_file_with_password(&args.input, &password) {
        Ok(info) => {
            if args.json {
                outln!(
                    "{}",
                    serde_json::to_string_pretty(&info).unwrap_or_default()
                );
            } else {
                out!("{}", info.render());
            }
            exit::OK
        }
        Err(e) => {
            help_text::print_error(&help_text::file_error(&args.input, &e));
            exit::UNREADABLE
        }
    }
}
