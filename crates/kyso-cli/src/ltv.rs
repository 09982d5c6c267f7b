//! Time-stamps and long-term validation on the command line: `kyso sign --tsa URL --level ...`
//! and `kyso extend`.

use std::path::PathBuf;
use std::sync::Arc;

use kyso::ltv::{LtvOptions, PadesLevel};
use kyso::request::{HttpClient, Offline, UreqClient};
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

impl TimestampArgs {
    /// Puts these flags into the library's request (the credentials are a secret: see
    /// [`credentials`]).
    pub fn fill(&self, r: &mut kyso::request::SignRequest) {
        r.tsa = self.tsa.clone();
        r.tsa_policy = self.tsa_policy.clone();
        r.ltv_certs = self.ltv_certs.clone();
        r.ltv_crl = self.ltv_crl.clone();
        r.ltv_ocsp = self.ltv_ocsp.clone();
    }
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

impl ExtendArgs {
    /// The library's request from these flags: everything but the files and the secrets
    /// (`options_map` checks that no flag is forgotten).
    pub fn request(&self) -> kyso::request::ExtendRequest {
        let mut r = kyso::request::ExtendRequest::default();
        r.level = Some(self.level.clone());
        r.tsa = self.timestamp.tsa.clone();
        r.tsa_policy = self.timestamp.tsa_policy.clone();
        r.ltv_certs = self.timestamp.ltv_certs.clone();
        r.ltv_crl = self.timestamp.ltv_crl.clone();
        r.ltv_ocsp = self.timestamp.ltv_ocsp.clone();
        r.renew_days = Some(self.renew_days);
        r.offline = self.offline;
        r
    }
}

fn read_all(paths: &[PathBuf]) -> Result<Vec<Vec<u8>>, String> {
    paths
        .iter()
        .map(|p| std::fs::read(p).map_err(|e| crate::help_text::io_text(p, &e)))
        .collect()
}

/// CRLs from files: DER as is, PEM blocks decoded.
fn read_crls(paths: &[PathBuf]) -> Result<Vec<Vec<u8>>, String> {
    crate::crl_files(paths)
}

/// The TSA credentials: KYSO_TSA_AUTH, else the first line of --tsa-auth-file.
pub fn credentials(args: &TimestampArgs) -> Result<Option<String>, String> {
    if let Ok(v) = std::env::var("KYSO_TSA_AUTH") {
        return Ok(Some(v));
    }
    match &args.tsa_auth_file {
        None => Ok(None),
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| crate::help_text::io_text(p, &e))?;
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
    let extra_certs = kyso::pki::trust_store::load_anchor_paths(&args.ltv_certs)
        .map_err(|e| crate::help_text::error_text(&e))?;
    let mut ltv = LtvOptions::default();
    ltv.level = level;
    ltv.timestamp = tsa.clone();
    ltv.http = http;
    ltv.extra_certs = extra_certs;
    ltv.crls = read_crls(&args.ltv_crl)?;
    ltv.ocsps = read_all(&args.ltv_ocsp)?;
    Ok((tsa, ltv))
}

pub fn run_extend(args: ExtendArgs) -> u8 {
    if !args.in_place && args.output.is_none() {
        return crate::usage(crate::help_text::say(
            "cần -o TỆP_KẾT_QUẢ (hoặc --in-place)",
            "-o OUTPUT is required (or --in-place)",
        ));
    }
    let output = args.output.clone().unwrap_or_else(|| args.input.clone());
    // B-T is reached when signing: say how on the command line.
    if matches!(PadesLevel::parse(&args.level), Ok(l) if l < PadesLevel::BLT) {
        return crate::usage(crate::help_text::say(
            &format!(
                "extend nâng lên B-LT hoặc B-LTA, không phải {} (B-T có được khi ký với --tsa)",
                args.level
            ),
            &format!(
                "extend reaches B-LT or B-LTA, not {} (B-T comes from signing with --tsa)",
                args.level
            ),
        ));
    }
    let tsa_credentials = match credentials(&args.timestamp) {
        Ok(c) => c,
        Err(e) => return crate::usage(e),
    };
    let pdf_password = match crate::pdf_password(args.password_file.as_deref()) {
        Ok(p) => p,
        Err(e) => return crate::fail(e),
    };
    let opts = match args.request().into_options(pdf_password, tsa_credentials) {
        Ok(o) => o,
        Err(e) => return crate::usage(crate::help_text::error_text(&e)),
    };
    match kyso::ltv::extend_file(&args.input, &output, &opts, args.in_place) {
        Ok(report) => {
            for w in &report.warnings {
                crate::help_text::print_sign_warning(w);
            }
            for m in &report.missing_revocation {
                crate::help_text::print_sign_warning(&kyso::sign::SignWarning::NoRevocationData {
                    certificate: m.clone(),
                });
            }
            if args.json {
                outln!(
                    "{}",
                    serde_json::to_string_pretty(&report).unwrap_or_default()
                );
            } else if report.unchanged {
                let (input, level) = (args.input.display(), &report.level);
                outln!(
                    "{}",
                    crate::help_text::say(
                        &format!("Không cần bổ sung: {input} đã ở mức {level}"),
                        &format!("nothing to add: {input} is already {level}"),
                    )
                );
            } else {
                let say = crate::help_text::say;
                outln!(
                    "{}: {} ({}; {} {}, {} OCSP, {} CRL{})",
                    say("Đã bổ sung", "extended"),
                    output.display(),
                    report.level,
                    report.certificates_added,
                    say("chứng thư", "certificates"),
                    report.ocsp_responses_added,
                    report.crls_added,
                    report
                        .document_timestamp
                        .as_deref()
                        .map(|t| format!(
                            ", {} {t}",
                            say("dấu thời gian văn bản", "document time-stamp")
                        ))
                        .unwrap_or_default()
                );
            }
            exit::OK
        }
        Err(e) => crate::fail(e),
    }
}
