//! USB tokens and smart cards through their PKCS#11 module: `kyso token list` and the
//! `--pkcs11` options of `kyso sign`. The PIN comes from the same places as the .p12 password
//! (KYSO_PIN, --pin-file, a prompt on a terminal), never from the command line, and is tried
//! once: tokens lock after a few wrong PINs.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use clap::Subcommand;

use kyso::pki::Certificate;
use kyso::sign::pkcs11::{list_tokens, KeySelector, Pkcs11Signer, TokenSelector, MODULE_ENV};
use kyso::Error;

#[derive(Subcommand)]
pub enum TokenCommand {
    /// List the tokens a PKCS#11 module sees: slot, label, maker, state of the PIN, and the
    /// certificates on each (no PIN needed).
    List {
        /// The token driver's PKCS#11 library (.so/.dll); default: $KYSO_PKCS11_MODULE.
        #[arg(long)]
        module: Option<PathBuf>,
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// The `kyso sign` options for signing with a token (instead of --p12). Each one also conflicts
/// with --p12 itself: clap drops `requires = "pkcs11"` when --pkcs11 conflicts with a present
/// --p12.
#[derive(clap::Args)]
pub struct TokenSignArgs {
    /// Sign with a USB token: the path of its driver's PKCS#11 library (.so/.dll), e.g.
    /// /usr/lib/libeTPkcs11.so. The PIN comes from KYSO_PIN, --pin-file or a prompt.
    #[arg(long, value_name = "MODULE", conflicts_with = "p12")]
    pub pkcs11: Option<PathBuf>,
    /// The token's slot id (see `kyso token list`).
    #[arg(long, requires = "pkcs11", conflicts_with_all = ["p12", "token"])]
    pub slot: Option<u64>,
    /// The token's label (see `kyso token list`).
    #[arg(long, requires = "pkcs11", conflicts_with = "p12")]
    pub token: Option<String>,
    /// The label of the key (or of its certificate) on the token.
    #[arg(long, requires = "pkcs11", conflicts_with_all = ["p12", "key_id"])]
    pub key_label: Option<String>,
    /// The CKA_ID of the key, in hex (e.g. 01 or 3a:f2:...).
    #[arg(long, requires = "pkcs11", conflicts_with = "p12", value_parser = parse_hex)]
    pub key_id: Option<HexId>,
    /// More certificates for the chain (PEM or DER), when the token lacks its CA certificates.
    /// Repeatable.
    #[arg(long, requires = "pkcs11", conflicts_with = "p12", value_name = "PEM")]
    pub chain: Vec<PathBuf>,
}

/// A CKA_ID given in hex.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HexId(pub Vec<u8>);

fn parse_hex(s: &str) -> Result<HexId, String> {
    let digits: String = s
        .trim()
        .trim_start_matches("0x")
        .chars()
        .filter(|c| !matches!(c, ':' | ' ' | '-'))
        .collect();
    if digits.is_empty() || !digits.len().is_multiple_of(2) {
        return Err(format!("{s:?} is not an even number of hex digits"));
    }
    (0..digits.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&digits[i..i + 2], 16).map_err(|_| format!("{s:?} is not hex")))
        .collect::<Result<Vec<u8>, String>>()
        .map(HexId)
}

/// Opens the token key `args` names, with the PIN from KYSO_PIN, else `pin_file`, else a prompt.
pub fn open_signer(args: &TokenSignArgs, pin_file: Option<&Path>) -> kyso::Result<Pkcs11Signer> {
    let pin = token_pin(pin_file)?;
    open_signer_with_pin(args, &pin)
}

/// Opens the token key `args` names with `pin` (`kyso serve` reads the PIN itself, once).
pub fn open_signer_with_pin(args: &TokenSignArgs, pin: &str) -> kyso::Result<Pkcs11Signer> {
    let module = args
        .pkcs11
        .as_deref()
        .ok_or_else(|| Error::InvalidArgument("--pkcs11 MODULE is required".into()))?;
    let mut extra = Vec::new();
    for path in &args.chain {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let certs = Certificate::parse_pem_or_der(&bytes)
            .map_err(|e| Error::InvalidArgument(format!("--chain {}: {e}", path.display())))?;
        extra.extend(certs.into_iter().map(|c| c.der));
    }
    Pkcs11Signer::open(
        module,
        TokenSelector {
            slot: args.slot,
            label: args.token.clone(),
        },
        KeySelector {
            label: args.key_label.clone(),
            id: args.key_id.clone().map(|id| id.0),
        },
        pin,
        extra,
    )
}

fn token_pin(pin_file: Option<&Path>) -> kyso::Result<String> {
    if let Ok(pin) = std::env::var("KYSO_PIN") {
        return Ok(pin);
    }
    if let Some(path) = pin_file {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        return Ok(text.lines().next().unwrap_or("").to_owned());
    }
    if std::io::stdin().is_terminal() {
        return rpassword::prompt_password(crate::help_text::say(
            "Mã PIN của token: ",
            "Token PIN: ",
        ))
        .map_err(|e| Error::io("<terminal>", e));
    }
    Err(Error::Pin(
        "no PIN given: set KYSO_PIN, use --pin-file, or run on a terminal to be asked".into(),
    ))
}

/// `kyso token ...`; returns the exit code.
pub fn run(cmd: TokenCommand) -> u8 {
    use crate::help_text::say;
    match cmd {
        TokenCommand::List { module, json } => {
            let Some(module) = module.or_else(|| std::env::var_os(MODULE_ENV).map(PathBuf::from))
            else {
                crate::help_text::print_error(&crate::help_text::say(
                    &format!("token list cần --module ĐƯỜNG_DẪN (hoặc {MODULE_ENV})"),
                    &format!("token list needs --module PATH (or {MODULE_ENV})"),
                ));
                return 2;
            };
            let tokens = match list_tokens(&module) {
                Ok(t) => t,
                Err(e) => {
                    crate::help_text::print_error(&crate::help_text::error_text(&e));
                    return 1;
                }
            };
            if json {
                outln!(
                    "{}",
                    serde_json::to_string_pretty(&tokens).unwrap_or_default()
                );
                return 0;
            }
            if tokens.is_empty() {
                outln!(
                    "{} ({}){}",
                    say("Không thấy token nào", "no token found"),
                    module.display(),
                    say("; token đã được cắm vào chưa?", "; is it plugged in?")
                );
            }
            for t in tokens {
                outln!("slot {}: token \"{}\"", t.slot, t.label);
                outln!("    {} {}, serial {}", t.manufacturer, t.model, t.serial);
                outln!("    {}: {}", say("trạng thái", "state"), t.flags.join(", "));
                if t.certificates.is_empty() {
                    outln!(
                        "    ({})",
                        say(
                            "không đọc được chứng thư nào khi chưa có PIN",
                            "no certificate readable without PIN"
                        )
                    );
                }
                for c in t.certificates {
                    outln!(
                        "    {} \"{}\" (id {}){}",
                        say("chứng thư", "certificate"),
                        c.label,
                        c.id,
                        if c.ca { " [CA]" } else { "" }
                    );
                    outln!("        {}: {}", say("chủ thể", "subject"), c.subject);
                    outln!("        {}: {}", say("cấp bởi", "issuer"), c.issuer);
                    outln!(
                        "        {}: {} → {}",
                        say("hiệu lực", "valid"),
                        c.not_before,
                        c.not_after
                    );
                }
            }
            0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{parse_hex, HexId};

    #[test]
    fn hex_ids() {
        assert_eq!(parse_hex("01").unwrap(), HexId(vec![1]));
        assert_eq!(parse_hex("0x3aF2").unwrap(), HexId(vec![0x3a, 0xf2]));
        assert_eq!(parse_hex("3a:f2").unwrap(), HexId(vec![0x3a, 0xf2]));
        assert!(parse_hex("1").is_err());
        assert!(parse_hex("zz").is_err());
        assert!(parse_hex("").is_err());
    }
}
