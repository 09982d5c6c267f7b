//! Time-stamps and long-term validation on the command line: `kyso sign --tsa URL --level ...`
//! and `kyso extend`.

use std::path::PathBuf;
use std::sync::Arc;

use kyso::ltv::{LtvOptions, PadesLevel};
use kyso::net::{HttpClient, Offline, UreqClient};
use kyso::timestamp::TsaClient;

use crate::exit;

/// Time-stamp options shared by `sign` and `extend`.
#[derive(clap::Args, Clone, Default)]
pub struct TimestampArgs {
    /// Time-stamp authority (RFC 3161) URL; repeat for fallbacks, tried in order
    /// (e.g. http://ca.gov.vn/tsa). Needed from B-T up.
    #[arg(long = "tsa", value_name = "URL")]
    pub tsa: Vec<String>,
    /// File whose first line is `user:password` for the TSA's HTTP basic authentication
    /// (also KYSO_TSA_AUTH); never on the command line.
    #[arg(long, value_name = "FILE")]
    pub tsa_auth_file: Option<PathBuf>,
    /// Policy OID to ask the TSA for.
    #[arg(long, value_name = "OID")]
    pub tsa_policy: Option<String>,
    /// Extra certificates (intermediates) for the validation data (B-LT, B-LTA). Repeatable.
    #[arg(long = "ltv-certs", value_name = "FILE")]
    pub ltv_certs: Vec<PathBuf>,
    /// CRL files (DER or PEM) to embed where they apply (B-LT, B-LTA). Repeatable.
    #[arg(long = "ltv-crl", value_name = "FILE")]
    pub ltv_crl: Vec<PathBuf>,
    /// OCSP response files (DER) to embed where they apply (B-LT, B-LTA). Repeatable.
    #[arg(long = "ltv-ocsp", value_name = "FILE")]
    pub ltv_ocsp: Vec<PathBuf>,
}

/// `kyso extend` arguments.
#[derive(clap::Args)]
pub struct ExtendArgs {
    /// The signed PDF (never modified unless --in-place).
    pub input: PathBuf,
    /// Where to write the extended PDF.
    #[arg(short, long, required_unless_present = "in_place")]
    pub output: Option<PathBuf>,
    /// B-LT (DSS with validation data) or B-LTA (and a document time-stamp over it).
    #[arg(long, default_value = "B-LTA")]
    pub level: String,
    #[command(flatten)]
    pub timestamp: TimestampArgs,
    /// Add a new archive time-stamp when the last one's TSA certificate expires within this
    /// many days (B-LTA).
    #[arg(long, default_value_t = 90)]
    pub renew_days: i64,
    /// File whose first line is the password of an encrypted PDF (used when
    /// KYSO_PDF_PASSWORD is not set; default the empty user password).
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
    /// Use no network: only the data given and already in the document (no TSA either).
    /// Also set by KYSO_OFFLINE=1.
    #[arg(long)]
    pub offline: bool,
    /// Write the result over the input file (atomically; the original bytes stay a prefix).
    #[arg(long)]
    pub in_place: bool,
    /// Print what was done as JSON.
    #[arg(long)]
    pub json: bool,
}

fn offline_requested(flag: bool) -> bool {
    flag || std::env::var("KYSO_OFFLINE").is_ok_and(|v| v == "1")
}

fn read_all(paths: &[PathBuf]) -> Result<Vec<Vec<u8>>, String> {
    paths
        .iter()
        .map(|p| std::fs::read(p).map_err(|e| format!("{}: {e}", p.display())))
        .collect()
}

/// CRLs from files: DER as is, PEM blocks decoded.
fn read_crls(paths: &[PathBuf]) -> Result<Vec<Vec<u8>>, String> {
    let mut out = Vec::new();
    for bytes in read_all(paths)? {
        if bytes.starts_with(b"-----") || bytes.windows(10).any(|w| w == b"-----BEGIN") {
            out.extend(kyso::pem::blocks(&bytes, "X509 CRL")?);
        } else {
            out.push(bytes);
        }
    }
    Ok(out)
}

/// The TSA credentials: KYSO_TSA_AUTH, else the first line of --tsa-auth-file.
fn credentials(args: &TimestampArgs) -> Result<Option<String>, String> {
    if let Ok(v) = std::env::var("KYSO_TSA_AUTH") {
        return Ok(Some(v));
    }
    match &args.tsa_auth_file {
        None => Ok(None),
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
            let line = text.lines().next().unwrap_or("").to_string();
            if !line.contains(':') {
                return Err(format!(
                    "{}: the first line must be user:password",
                    p.display()
                ));
            }
            Ok(Some(line))
        }
    }
}

/// The TSA client and validation-data options for a run.
pub fn options(
    args: &TimestampArgs,
    level: PadesLevel,
    offline: bool,
) -> Result<(Option<TsaClient>, LtvOptions), String> {
    let http: Option<Arc<dyn HttpClient>> = if offline {
        None
    } else {
        Some(Arc::new(UreqClient::new()))
    };
    let tsa = if args.tsa.is_empty() {
        None
    } else {
        let transport: Arc<dyn HttpClient> = match &http {
            Some(h) => h.clone(),
            None => Arc::new(Offline),
        };
        let mut client = TsaClient::with_http(args.tsa.clone(), transport);
        client.credentials = credentials(args)?;
        client.policy = args.tsa_policy.clone();
        Some(client)
    };
    let extra_certs =
        kyso::pki::trust_store::load_anchor_paths(&args.ltv_certs).map_err(|e| e.to_string())?;
    let ltv = LtvOptions {
        level,
        timestamp: tsa.clone(),
        http,
        extra_certs,
        crls: read_crls(&args.ltv_crl)?,
        ocsps: read_all(&args.ltv_ocsp)?,
        ..LtvOptions::default()
    };
    Ok((tsa, ltv))
}

/// The signing level (B-T by default when a TSA is given); B-T and up need a TSA.
pub fn sign_level(level: Option<&str>, args: &TimestampArgs) -> Result<PadesLevel, String> {
    let level = match level {
        Some(l) => PadesLevel::parse(l).map_err(|e| e.to_string())?,
        None if args.tsa.is_empty() => PadesLevel::BB,
        // A TSA without a level: a signature time-stamp is what the user wants.
        None => PadesLevel::BT,
    };
    if level >= PadesLevel::BT && args.tsa.is_empty() {
        return Err(format!(
            "--level {} needs a time-stamp authority: --tsa URL",
            level.name()
        ));
    }
    Ok(level)
}

pub fn run_extend(args: ExtendArgs) -> u8 {
    if !args.in_place && args.output.is_none() {
        eprintln!("kyso: -o OUTPUT is required (or --in-place)");
        return exit::USAGE;
    }
    let output = args.output.clone().unwrap_or_else(|| args.input.clone());
    let level = match PadesLevel::parse(&args.level) {
        Ok(l) if l >= PadesLevel::BLT => l,
        Ok(l) => {
            eprintln!(
                "kyso: extend reaches B-LT or B-LTA, not {} (B-T comes from signing with --tsa)",
                l.name()
            );
            return exit::USAGE;
        }
        Err(e) => {
            eprintln!("kyso: {e}");
            return exit::USAGE;
        }
    };
    let (_, mut opts) = match options(&args.timestamp, level, offline_requested(args.offline)) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("kyso: {e}");
            return exit::USAGE;
        }
    };
    opts.renew_within = time::Duration::days(args.renew_days.max(0));
    opts.pdf_password = match crate::pdf_password(args.password_file.as_deref()) {
        Ok(p) => p,
        Err(e) => return crate::fail(e),
    };
    match kyso::ltv::extend_file(&args.input, &output, &opts, args.in_place) {
        Ok(report) => {
            for w in &report.warnings {
                eprintln!("kyso: warning: {}", kyso::verify::text::visible(w));
            }
            for m in &report.missing_revocation {
                eprintln!(
                    "kyso: warning: no revocation data for {}",
                    kyso::verify::text::visible(m)
                );
            }
            if args.json {
                outln!(
                    "{}",
                    serde_json::to_string_pretty(&report).unwrap_or_default()
                );
            } else if report.unchanged {
                outln!(
                    "Không cần bổ sung / nothing to add: {} is already {}",
                    args.input.display(),
                    report.level
                );
            } else {
                outln!(
                    "Đã gia hạn / extended: {} ({}; {} certificates, {} OCSP, {} CRL{})",
                    output.display(),
                    report.level,
                    report.certificates_added,
                    report.ocsp_responses_added,
                    report.crls_added,
                    report
                        .document_timestamp
                        .as_deref()
                        .map(|t| format!(", document time-stamp {t}"))
                        .unwrap_or_default()
                );
            }
            exit::OK
        }
        Err(e) => crate::fail(e),
    }
}
