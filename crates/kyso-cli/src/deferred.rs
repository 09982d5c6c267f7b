//! `kyso prepare` and `kyso complete`: deferred (two-step) signing for remote signing services
//! that sign a hash, and for callers that sign with their own means.

use std::path::PathBuf;

use kyso::pki::Certificate;
use kyso::sign::deferred::{complete_file_with_password, prepare_file, SignatureInput};

/// Arguments of `kyso prepare`.
#[derive(clap::Args)]
pub struct PrepareArgs {
    /// The PDF to prepare (never modified unless --in-place).
    pub input: PathBuf,
    /// Where to write the prepared PDF.
    #[arg(short, long)]
    pub output: PathBuf,
    /// The signer's certificate (PEM or DER).
    #[arg(long)]
    pub cert: PathBuf,
    /// The rest of the chain (PEM bundle or DER), issuer first.
    #[arg(long)]
    pub chain: Option<PathBuf>,
    /// Signature field name.
    #[arg(long)]
    pub field: Option<String>,
    #[arg(long)]
    pub reason: Option<String>,
    #[arg(long)]
    pub location: Option<String>,
    /// Contact information (/ContactInfo).
    #[arg(long)]
    pub contact: Option<String>,
    /// Signer name (/Name; default: from the certificate).
    #[arg(long)]
    pub name: Option<String>,
    /// Page of the visible signature (1-based).
    #[arg(long)]
    pub page: Option<usize>,
    /// Digest algorithm (default: the key's natural digest).
    #[arg(long, value_parser = ["sha256", "sha384", "sha512"])]
    pub hash: Option<String>,
    /// Use RSASSA-PSS (RSA keys).
    #[arg(long)]
    pub pss: bool,
    /// A certification signature with DocMDP permissions 1, 2 or 3.
    #[arg(long, value_name = "P")]
    pub certify: Option<u8>,
    /// Prepare even if the certificate is expired, not yet valid or not meant for signing.
    #[arg(long)]
    pub force: bool,
    /// Room kept in /Contents for a time-stamp added on completion, in bytes.
    #[arg(long, value_name = "BYTES")]
    pub reserve: Option<usize>,
    #[command(flatten)]
    pub appearance: crate::appearance::AppearanceArgs,
    /// CRL files (DER or PEM) for the check of the signer's certificate before preparing.
    /// Repeatable.
    #[arg(long = "crl", value_name = "FILE")]
    pub crl: Vec<PathBuf>,
    /// File whose first line is the password of an encrypted PDF (used when
    /// KYSO_PDF_PASSWORD is not set; default the empty user password).
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
    #[arg(long)]
    pub in_place: bool,
    /// Print what must be signed as one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `kyso complete`.
#[derive(clap::Args)]
pub struct CompleteArgs {
    /// The prepared PDF.
    pub prepared: PathBuf,
    /// The signature value (binary: RSA, or ECDSA as DER or raw r‖s), or with --cms a CMS.
    #[arg(long)]
    pub signature: PathBuf,
    /// The file given with --signature is a whole CMS SignedData (DER).
    #[arg(long)]
    pub cms: bool,
    /// Where to write the signed PDF.
    #[arg(short, long, required_unless_present = "in_place")]
    pub output: Option<PathBuf>,
    #[arg(long)]
    pub in_place: bool,
    #[arg(long)]
    pub json: bool,
    /// Add a signature time-stamp from this TSA (PAdES B-T; raw signature values only).
    /// Repeatable for fallbacks.
    #[arg(long = "tsa", value_name = "URL")]
    pub tsa: Vec<String>,
    /// File whose first line is the password of an encrypted PDF (used when
    /// KYSO_PDF_PASSWORD is not set; default the empty user password).
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
}

fn read_certs(path: &PathBuf) -> Result<Vec<Certificate>, String> {
    let bytes = std::fs::read(path).map_err(|e| crate::help_text::io_text(path, &e))?;
    let certs = Certificate::parse_pem_or_der(&bytes)
        .map_err(|e| format!("{}: {}", path.display(), crate::help_text::error_text(&e)))?;
    if certs.is_empty() {
        return Err(format!("{}: no certificate found", path.display()));
    }
    Ok(certs)
}

impl PrepareArgs {
    /// The library's request from these flags: everything but the files, the certificates
    /// and the secrets (`options_map` checks that no flag is forgotten).
    pub fn request(&self) -> kyso::request::SignRequest {
        let mut r = kyso::request::SignRequest::default();
        r.field = self.field.clone();
        r.reason = self.reason.clone();
        r.location = self.location.clone();
        r.contact = self.contact.clone();
        r.name = self.name.clone();
        r.page = self.page;
        r.hash = self.hash.clone();
        r.pss = self.pss;
        r.certify = self.certify;
        r.force = self.force;
        r.reserve = self.reserve;
        self.appearance.fill(&mut r);
        r
    }
}

/// Runs `kyso prepare`; the exit code.
pub fn run_prepare(args: PrepareArgs) -> u8 {
    if let Err(e) = args.appearance.check() {
        return crate::usage(e);
    }
    let result = (|| -> Result<(), String> {
        let mut certs = read_certs(&args.cert)?;
        let signer = certs.remove(0);
        let mut chain: Vec<Vec<u8>> = certs.into_iter().map(|c| c.der).collect();
        if let Some(p) = &args.chain {
            chain.extend(read_certs(p)?.into_iter().map(|c| c.der));
        }
        // As `kyso sign` does: a revoked certificate is refused unless --force (offline with
        // no CRL it is said to be unchecked).
        let online = !std::env::var("KYSO_OFFLINE").is_ok_and(|v| v == "1");
        let crls = crate::crl_files(&args.crl)?;
        match crate::own_certificate_check(&signer.der, &chain, &crls, online, args.force) {
            Ok(warnings) => warnings
                .iter()
                .for_each(crate::help_text::print_sign_warning),
            Err(crate::OwnRevoked { time, reason }) => {
                return Err(format!(
                    "{} ({})",
                    kyso::text::sign::own_certificate_revoked(
                        &time,
                        &reason,
                        crate::help_text::lang()
                    ),
                    crate::help_text::say("--force để vẫn ký", "--force to sign anyway")
                ))
            }
        }
        let secrets = kyso::request::SignSecrets::new(
            crate::pdf_password(args.password_file.as_deref())?,
            None,
        );
        let opts = args
            .request()
            .into_prepare_options(secrets)
            .map_err(|e| crate::help_text::error_text(&e))?;
        let (prepared, outcome) = prepare_file(
            &args.input,
            &args.output,
            &signer.der,
            &chain,
            &opts,
            args.in_place,
        )
        .map_err(|e| crate::help_text::error_text(&e))?;
        for w in &outcome.warnings {
            crate::help_text::print_sign_warning(w);
        }
        if args.json {
            outln!(
                "{}",
                serde_json::to_string_pretty(&prepared).unwrap_or_default()
            );
        } else {
            outln!(
                "{}: {} ({} \"{}\")",
                crate::help_text::say("Đã chuẩn bị", "prepared"),
                args.output.display(),
                crate::help_text::say("trường", "field"),
                prepared.field
            );
            outln!("to_be_signed_base64: {}", prepared.to_be_signed_base64);
            outln!(
                "digest ({}): {}",
                prepared.digest_algorithm,
                prepared.digest_base64
            );
            outln!("signature_algorithm: {}", prepared.signature_algorithm);
        }
        Ok(())
    })();
    match result {
        Ok(()) => 0,
        Err(e) => {
            crate::help_text::print_error(&e);
            1
        }
    }
}

/// Runs `kyso complete`; the exit code.
pub fn run_complete(args: CompleteArgs) -> u8 {
    let output = args.output.clone().unwrap_or_else(|| args.prepared.clone());
    let result = (|| -> Result<(), String> {
        let bytes = std::fs::read(&args.signature)
            .map_err(|e| crate::help_text::io_text(&args.signature, &e))?;
        let input = if args.cms {
            SignatureInput::Cms(bytes)
        } else {
            SignatureInput::Raw(bytes)
        };
        let tsa = (!args.tsa.is_empty()).then(|| {
            let ts_args = crate::ltv::TimestampArgs {
                tsa: args.tsa.clone(),
                ..Default::default()
            };
            crate::ltv::options(&ts_args, kyso::ltv::PadesLevel::BT, false)
        });
        let tsa = match tsa {
            Some(Ok((client, _))) => client,
            Some(Err(e)) => return Err(e),
            None => None,
        };
        let password = crate::pdf_password(args.password_file.as_deref())?;
        let outcome = complete_file_with_password(
            &args.prepared,
            &output,
            input,
            args.in_place,
            tsa.as_ref(),
            &password,
        )
        .map_err(|e| crate::help_text::error_text(&e))?;
        if args.json {
            outln!(
                "{}",
                serde_json::to_string_pretty(&outcome).unwrap_or_default()
            );
        } else {
            outln!(
                "{}: {} ({} \"{}\", {}: {})",
                crate::help_text::say("Đã ký", "signed"),
                output.display(),
                crate::help_text::say("trường", "field"),
                outcome.field,
                crate::help_text::say("người ký", "signer"),
                outcome.signer
            );
        }
        Ok(())
    })();
    match result {
        Ok(()) => 0,
        Err(e) => {
            crate::help_text::print_error(&e);
            1
        }
    }
}
