//! `kyso prepare` and `kyso complete`: deferred (two-step) signing for remote signing services
//! that sign a hash, and for callers that sign with their own means.

use std::path::PathBuf;

use kyso::pki::Certificate;
use kyso::sign::deferred::{complete_file_with_password, prepare_file, SignatureInput};
use kyso::sign::SignOptions;

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
    /// Use RSASSA-PSS (RSA keys).
    #[arg(long)]
    pub pss: bool,
    /// Prepare even if the certificate is expired, not yet valid or not meant for signing.
    #[arg(long)]
    pub force: bool,
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
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let certs =
        Certificate::parse_pem_or_der(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    if certs.is_empty() {
        return Err(format!("{}: no certificate found", path.display()));
    }
    Ok(certs)
}

/// Runs `kyso prepare`; the exit code.
pub fn run_prepare(args: PrepareArgs) -> u8 {
    let result = (|| -> Result<(), String> {
        let mut certs = read_certs(&args.cert)?;
        let signer = certs.remove(0);
        let mut chain: Vec<Vec<u8>> = certs.into_iter().map(|c| c.der).collect();
        if let Some(p) = &args.chain {
            chain.extend(read_certs(p)?.into_iter().map(|c| c.der));
        }
        let opts = SignOptions {
            field_name: args.field.clone(),
            reason: args.reason.clone(),
            location: args.location.clone(),
            pss: args.pss,
            force: args.force,
            pdf_password: crate::pdf_password(args.password_file.as_deref())?,
            ..SignOptions::default()
        };
        let (prepared, outcome) = prepare_file(
            &args.input,
            &args.output,
            &signer.der,
            &chain,
            &opts,
            args.in_place,
        )
        .map_err(|e| e.to_string())?;
        for w in &outcome.warnings {
            note!("kyso: warning: {}", kyso::verify::text::visible(w));
        }
        if args.json {
            outln!(
                "{}",
                serde_json::to_string_pretty(&prepared).unwrap_or_default()
            );
        } else {
            outln!(
                "Đã chuẩn bị / prepared: {} (field \"{}\")",
                args.output.display(),
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
            eprintln!("kyso: {e}");
            1
        }
    }
}

/// Runs `kyso complete`; the exit code.
pub fn run_complete(args: CompleteArgs) -> u8 {
    let output = args.output.clone().unwrap_or_else(|| args.prepared.clone());
    let result = (|| -> Result<(), String> {
        let bytes = std::fs::read(&args.signature)
            .map_err(|e| format!("{}: {e}", args.signature.display()))?;
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
        .map_err(|e| e.to_string())?;
        if args.json {
            outln!(
                "{}",
                serde_json::to_string_pretty(&outcome).unwrap_or_default()
            );
        } else {
            outln!(
                "Đã ký / signed: {} (field \"{}\", signer: {})",
                output.display(),
                outcome.field,
                outcome.signer
            );
        }
        Ok(())
    })();
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("kyso: {e}");
            1
        }
    }
}
