//! `kyso sign --csc URL --credential ID`: remote signing services of the Cloud Signature
//! Consortium API v1 shape (VNPT SmartCA, Viettel MySign...). The access token comes from
//! KYSO_CSC_TOKEN or --csc-token-file; the PIN from KYSO_PIN, --pin-file or a prompt; a one-time
//! password from KYSO_OTP or a prompt. Never from an argument.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use kyso::sign::csc::{AuthRequest, AuthSecrets, CscClient, CscSigner};
use kyso::Error;

/// The remote-signing options of `kyso sign`.
#[derive(clap::Args)]
pub struct CscSignArgs {
    /// Base URL of a CSC API v1 remote signing service (e.g. https://…/csc/v1).
    #[arg(long, conflicts_with_all = ["p12", "pkcs11"], requires = "credential")]
    pub csc: Option<String>,
    /// The credential (key) ID at the service (`credentials/list` gives them).
    #[arg(long, requires = "csc")]
    pub credential: Option<String>,
    /// File holding the service's access token (used when KYSO_CSC_TOKEN is not set).
    #[arg(long, requires = "csc")]
    pub csc_token_file: Option<PathBuf>,
}

fn secret_from(env: &str, file: Option<&Path>, prompt: &str) -> Result<Option<String>, Error> {
    if let Ok(v) = std::env::var(env) {
        return Ok(Some(v));
    }
    if let Some(f) = file {
        let text = std::fs::read_to_string(f).map_err(|e| Error::io(f, e))?;
        return Ok(Some(text.lines().next().unwrap_or("").to_string()));
    }
    if std::io::stdin().is_terminal() {
        let v = rpassword::prompt_password(prompt).map_err(|e| Error::io("<terminal>", e))?;
        return Ok(Some(v));
    }
    Ok(None)
}

/// Opens the remote signer described by `args`.
pub fn open_signer(args: &CscSignArgs, pin_file: Option<&Path>) -> Result<CscSigner, Error> {
    let url = args.csc.clone().unwrap_or_default();
    let credential = args
        .credential
        .clone()
        .ok_or_else(|| Error::InvalidArgument("--csc needs --credential".into()))?;
    let token = secret_from("KYSO_CSC_TOKEN", args.csc_token_file.as_deref(), "")?
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            Error::InvalidArgument(
                "no access token: set KYSO_CSC_TOKEN or pass --csc-token-file".into(),
            )
        })?;
    let pin_file = pin_file.map(Path::to_path_buf);
    let authorize = Box::new(move |req: &AuthRequest| -> Result<AuthSecrets, Error> {
        if !req.needs_input() {
            eprintln!(
                "kyso: {} ({})",
                crate::help_text::say(
                    "xác nhận yêu cầu ký trên thiết bị của bạn",
                    "confirm the signing request on your device"
                ),
                req.signer
            );
            return Ok(AuthSecrets::default());
        }
        let pin = match &req.pin {
            Some(_) => secret_from(
                "KYSO_PIN",
                pin_file.as_deref(),
                &crate::help_text::say("Mã PIN ký số từ xa: ", "Remote signing PIN: "),
            )?,
            None => None,
        };
        let otp = match &req.otp {
            Some(_) => secret_from(
                "KYSO_OTP",
                None,
                &crate::help_text::say("Mã OTP (đã gửi tới điện thoại): ", "One-time password: "),
            )?,
            None => None,
        };
        Ok(AuthSecrets { pin, otp })
    });
    CscSigner::new(CscClient::over_http(url), credential, token, authorize)
}
