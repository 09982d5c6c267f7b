//! Signing with a key on a USB token or smart card, through the token's PKCS#11 module
//! (OASIS PKCS#11 v2.40/3.x, loaded at run time with `cryptoki`).
//!
//! The key never leaves the token: kyso hashes the CMS signed attributes itself and asks the
//! token for the raw operation only:
//! - RSASSA-PKCS1-v1_5: `CKM_RSA_PKCS` over the DER `DigestInfo` (RFC 8017 §9.2, note 1 prefixes
//!   for SHA-256/384/512), which kyso builds;
//! - RSASSA-PSS: `CKM_RSA_PKCS_PSS` over the digest, with `CK_RSA_PKCS_PSS_PARAMS` naming the same
//!   hash, MGF1 with that hash and a salt as long as the hash (RFC 4055 §3.1, as kyso writes in the
//!   CMS);
//! - ECDSA: `CKM_ECDSA` over the digest; the token's raw `r‖s` is re-encoded as the DER
//!   `Ecdsa-Sig-Value` CMS needs (RFC 5480 §2.2 / RFC 5753 §7.2).
//!
//! Every signature the token returns is checked against the certificate before it is used.
//!
//! # The PIN
//!
//! kyso logs in once per [`Pkcs11Signer::open`] and never retries a PIN by itself: most Vietnamese
//! CA tokens lock after 3 to 10 wrong PINs, and only the CA (or the SO PIN / PUK) can unlock them.
//! Before logging in, the token's flags are read and a locked PIN is refused without trying; after
//! a wrong PIN the error says how many tries the token admits to having left (`count low`,
//! `final try`).
//!
//! # Where the module is
//!
//! The module is the shared library installed with the token's driver ("middleware"). It is given
//! with `--pkcs11 PATH` / `--module PATH`, or by the environment variable
//! `KYSO_PKCS11_MODULE` ([`MODULE_ENV`]). Usual places:
//!
//! | token / middleware | Linux | Windows | confirmed? |
//! |---|---|---|---|
//! | SafeNet / Thales eToken (SafeNet Authentication Client) | `libeTPkcs11.so`, usually `/usr/lib/libeTPkcs11.so` | `eTPKCS11.dll` in `C:\Windows\System32` | file names widely used; paths unconfirmed |
//! | Thales IDPrime (SAC 10+) | `libIDPrimePKCS11.so` | `IDPrimePKCS11.dll` | unconfirmed |
//! | Bit4id | `libbit4xpki.so` (seen as `/usr/lib/bit4id/libbit4xpki.so` in public integration code) | `bit4xpki.dll` in `C:\Windows\System32` | Linux path from third-party code only; Windows path unconfirmed |
//! | Feitian ePass2003 (EnterSafe driver) | unconfirmed | `C:\Windows\System32\eps2003csp11.dll` (seen in public integration code) | third-party code only |
//! | OpenSC (ePass2003 and many cards; Debian `opensc-pkcs11`) | `/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so` | `C:\Program Files\OpenSC Project\OpenSC\pkcs11\opensc-pkcs11.dll` | unconfirmed here (Debian package layout) |
//! | Viettel-CA, VNPT-CA, BkavCA, FPT-CA… token drivers | a rebranded SafeNet, Bit4id or Feitian module, or the CA's own `*pkcs11*` / `*csp11*` / `*p11*` library installed with the driver | usually under `C:\Windows\System32` | **unconfirmed**: check the driver's own files |
//! | SoftHSM2 (the tests; Debian `softhsm2`) | `/usr/lib/softhsm/libsofthsm2.so` | — | yes (`dpkg -S`) |
//!
//! `kyso token list --module PATH` shows whether a module sees the token.
//!
//! # One module, one process
//!
//! A module is initialised (`C_Initialize`) once per process and finalised when the last
//! [`Pkcs11Signer`] or listing using it is done; if something else in the process initialised it
//! first, kyso leaves it initialised.
//!
//! # Examples
//!
//! Signing with the only key of the only token present (needs a token, so not run here; the
//! PIN comes from the environment, never from the command line):
//!
//! ```no_run
//! use kyso::sign::{list_tokens, sign_file, KeySelector, Pkcs11Signer, SignOptions, TokenSelector};
//!
//! let module = std::path::PathBuf::from(std::env::var("KYSO_PKCS11_MODULE")?);
//! let tokens = list_tokens(&module)?;
//! assert_eq!(tokens.len(), 1, "plug in exactly one token");
//!
//! let pin = std::env::var("KYSO_PIN")?;
//! let signer = Pkcs11Signer::open(
//!     &module, TokenSelector::default(), KeySelector::default(), &pin, Vec::new(),
//! )?;
//! let (input, output) = ("cong-van.pdf".as_ref(), "cong-van-ky.pdf".as_ref());
//! let outcome = sign_file(input, output, &signer, &SignOptions::default(), false)?;
//! assert_eq!(outcome.signer, signer.certificate().subject.to_rfc4514());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Weak};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::rsa::{PkcsMgfType, PkcsPssParams};
use cryptoki::mechanism::{Mechanism, MechanismType};
use cryptoki::object::{Attribute, AttributeType, CertificateType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;
use serde::Serialize;

use super::signer::{ecdsa_raw_to_der, KeyKind, Signer};
use crate::asn1::AlgorithmIdentifier;
use crate::cms;
use crate::crypto::{self, DigestAlgorithm, SignatureScheme};
use crate::error::{Error, Result};
use crate::pki::certificate::{Curve, PublicKeyKind};
use crate::pki::Certificate;

/// The environment variable that names the PKCS#11 module when none is given.
pub const MODULE_ENV: &str = "KYSO_PKCS11_MODULE";

/// Which token to use: by slot id, by token label, or (both `None`) the only token present.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TokenSelector {
    /// The slot id (as `kyso token list` shows it).
    pub slot: Option<u64>,
    /// The token label (CKA_LABEL of the token, trailing blanks ignored).
    pub label: Option<String>,
}

/// Which key to use: by label (of the key or its certificate), by CKA_ID, or (both `None`) the only
/// key on the token that has a certificate.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeySelector {
    /// The CKA_LABEL of the private key or of its certificate.
    pub label: Option<String>,
    /// The CKA_ID shared by the key and its certificate.
    pub id: Option<Vec<u8>>,
}

/// A token as `kyso token list` shows it.
#[derive(Clone, Debug, Serialize)]
pub struct TokenInfo {
    /// The slot id (use with `--slot`; some modules renumber slots, the label is steadier).
    pub slot: u64,
    /// The token label (use with `--token`).
    pub label: String,
    /// manufacturerID of the token info (e.g. the CA's or the chip maker's name).
    pub manufacturer: String,
    /// The token model.
    pub model: String,
    /// The token's serial number, as the module reports it.
    pub serial: String,
    /// The token's state in words: `initialised`, `login required`, `PIN count low`,
    /// `PIN final try`, `PIN locked`, `PIN to be changed`, `PIN pad`…
    pub flags: Vec<String>,
    /// The certificates readable without logging in.
    pub certificates: Vec<TokenCertificate>,
}

/// A certificate object on a token.
#[derive(Clone, Debug, Serialize)]
pub struct TokenCertificate {
    /// CKA_LABEL (use with `--key-label`).
    pub label: String,
    /// CKA_ID in hex (use with `--key-id`).
    pub id: String,
    /// Subject (RFC 4514, Vietnamese text as is), or why the certificate cannot be read.
    pub subject: String,
    /// Issuer (RFC 4514); empty when the certificate cannot be read.
    pub issuer: String,
    /// Serial number in hex; empty when the certificate cannot be read.
    pub serial: String,
    /// Start of validity (RFC 3339, +07:00).
    pub not_before: String,
    /// End of validity (RFC 3339, +07:00).
    pub not_after: String,
    /// Whether the certificate is a CA certificate (basicConstraints cA).
    pub ca: bool,
}

/// Lists the tokens the module sees, with their flags and certificates (no PIN needed).
pub fn list_tokens(module: &Path) -> Result<Vec<TokenInfo>> {
    let module = Module::load(module)?;
    let slots = module
        .ctx
        .get_slots_with_token()
        .map_err(|e| token_error("listing the slots", e))?;
    let mut out = Vec::with_capacity(slots.len());
    for slot in slots {
        let info = module
            .ctx
            .get_token_info(slot)
            .map_err(|e| token_error("reading the token information", e))?;
        let certificates = match module.ctx.open_ro_session(slot) {
            Ok(session) => read_certificates(&session)
                .unwrap_or_default()
                .into_iter()
                .map(|c| c.describe())
                .collect(),
            Err(_) => Vec::new(),
        };
        out.push(TokenInfo {
            slot: slot.id(),
            label: info.label().trim().to_owned(),
            manufacturer: info.manufacturer_id().trim().to_owned(),
            model: info.model().trim().to_owned(),
            serial: info.serial_number().trim().to_owned(),
            flags: flag_words(&info),
            certificates,
        });
    }
    Ok(out)
}

/// A key on a PKCS#11 token with its certificate, logged in and ready to sign.
pub struct Pkcs11Signer {
    // Field order matters: the session closes before the module may be finalised.
    session: Mutex<Session>,
    key: ObjectHandle,
    kind: KeyKind,
    certificate: Certificate,
    chain: Vec<Vec<u8>>,
    description: String,
    _module: Arc<Module>,
}

impl fmt::Debug for Pkcs11Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pkcs11Signer")
            .field("key", &self.description)
            .field("kind", &self.kind)
            .field("chain_len", &self.chain.len())
            .finish_non_exhaustive()
    }
}

impl Pkcs11Signer {
    /// Loads `module`, picks the token and the key, logs in with `pin` (once: a refused PIN is
    /// reported, never retried) and returns a signer. `extra_chain` (DER) is added to the
    /// certificates found on the token for the CMS chain.
    ///
    /// An empty `pin` on a token with a PIN pad (CKF_PROTECTED_AUTHENTICATION_PATH) asks for the
    /// PIN on the pad.
    ///
    /// # Errors
    ///
    /// The module cannot be loaded; no token, or several and none selected; no key with a
    /// certificate, or several and none selected; the PIN is locked (not tried) or refused
    /// ([`Error::Pin`], with the tries the token says are left).
    pub fn open(
        module: &Path,
        token: TokenSelector,
        key: KeySelector,
        pin: &str,
        extra_chain: Vec<Vec<u8>>,
    ) -> Result<Pkcs11Signer> {
        let module = Module::load(module)?;
        let slot = select_token(&module.ctx, &token)?;
        let info = module
            .ctx
            .get_token_info(slot)
            .map_err(|e| token_error("reading the token information", e))?;
        let name = token_name(slot, info.label());
        if info.user_pin_locked() {
            return Err(Error::Pin(format!(
                "the user PIN of {name} is locked (too many wrong PINs); kyso did not try it. \
                 Unlock it with the token's management tool (SO PIN / PUK) or ask the CA"
            )));
        }
        if !info.token_initialized() {
            return Err(Error::Token(format!("{name} is not initialised")));
        }
        let session = module
            .ctx
            .open_ro_session(slot)
            .map_err(|e| token_error(&format!("opening a session on {name}"), e))?;

        if info.login_required() {
            let pin_pad = info.protected_authentication_path() && pin.is_empty();
            let auth = AuthPin::from(pin.to_owned());
            let result = session.login(UserType::User, (!pin_pad).then_some(&auth));
            match result {
                Ok(()) | Err(CkError::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => {}
                Err(CkError::Pkcs11(RvError::PinIncorrect, _)) => {
                    let left = module
                        .ctx
                        .get_token_info(slot)
                        .map(|i| tries_left_words(&i))
                        .unwrap_or_default();
                    return Err(Error::Pin(format!(
                        "wrong PIN for {name} (CKR_PIN_INCORRECT); kyso does not retry it{left}"
                    )));
                }
                Err(CkError::Pkcs11(RvError::PinLocked, _)) => {
                    return Err(Error::Pin(format!(
                        "the user PIN of {name} is locked (CKR_PIN_LOCKED); unlock it with the \
                         token's management tool (SO PIN / PUK) or ask the CA"
                    )));
                }
                Err(CkError::Pkcs11(RvError::PinLenRange, _)) => {
                    return Err(Error::Pin(format!(
                        "the PIN for {name} must have {} to {} characters (CKR_PIN_LEN_RANGE); \
                         nothing was tried",
                        info.min_pin_length(),
                        info.max_pin_length()
                    )));
                }
                Err(CkError::Pkcs11(RvError::PinExpired, _)) => {
                    return Err(Error::Pin(format!(
                        "the PIN of {name} has expired (CKR_PIN_EXPIRED); change it with the \
                         token's management tool"
                    )));
                }
                Err(e) => return Err(token_error(&format!("logging in to {name}"), e)),
            }
        }

        let certs = read_certificates(&session)
            .map_err(|e| token_error(&format!("reading the certificates on {name}"), e))?;
        let keys = read_private_keys(&session)
            .map_err(|e| token_error(&format!("reading the keys on {name}"), e))?;
        let candidates = pair_keys(&keys, &certs);
        let chosen = choose_key(&candidates, &key, &name, keys.len())?;
        let cert = &certs[chosen.cert];
        let certificate = cert.parsed.clone().map_err(|e| {
            Error::Token(format!(
                "the certificate {} on {name} cannot be read: {e}",
                cert.describe_short()
            ))
        })?;
        let kind = key_kind(&certificate)?;
        let chain = build_chain(&certificate, &certs, extra_chain);
        let description = format!("{} on {name}", chosen.describe(&certs));
        Ok(Pkcs11Signer {
            session: Mutex::new(session),
            key: keys[chosen.key].handle,
            kind,
            certificate,
            chain,
            description,
            _module: module,
        })
    }

    /// The parsed signer certificate.
    pub fn certificate(&self) -> &Certificate {
        &self.certificate
    }

    /// Which key and token this is, for messages (e.g. `key "An" (id 01) on token "Leader"`).
    pub fn description(&self) -> &str {
        &self.description
    }

    fn raw_sign(&self, mechanism: &Mechanism, data: &[u8]) -> Result<Vec<u8>> {
        let session = self
            .session
            .lock()
            .map_err(|_| Error::Token("the token session is unusable after a panic".into()))?;
        session
            .sign(mechanism, self.key, data)
            .map_err(|e| match e {
                CkError::Pkcs11(RvError::UserNotLoggedIn, _) => Error::Token(format!(
                    "{} asks for the PIN again for every signature (CKA_ALWAYS_AUTHENTICATE), \
                     which kyso does not support yet",
                    self.description
                )),
                CkError::Pkcs11(RvError::MechanismInvalid, _) => Error::Token(format!(
                    "the token does not offer {} for {}; try another scheme \
                     (e.g. PKCS#1 v1.5 instead of PSS)",
                    mechanism.mechanism_type(),
                    self.description
                )),
                CkError::Pkcs11(RvError::KeyFunctionNotPermitted, _) => Error::Token(format!(
                    "{} may not be used for signing (CKA_SIGN is false)",
                    self.description
                )),
                CkError::Pkcs11(RvError::DeviceRemoved | RvError::TokenNotPresent, _) => {
                    Error::Token("the token was removed while signing; plug it in again".into())
                }
                other => token_error(&format!("signing with {}", self.description), other),
            })
    }
}

impl Drop for Pkcs11Signer {
    fn drop(&mut self) {
        if let Ok(session) = self.session.lock() {
            let _ = session.logout();
        }
    }
}

impl Signer for Pkcs11Signer {
    fn certificate_der(&self) -> &[u8] {
        &self.certificate.der
    }

    fn chain_der(&self) -> &[Vec<u8>] {
        &self.chain
    }

    fn key_kind(&self) -> KeyKind {
        self.kind
    }

    fn sign(
        &self,
        message: &[u8],
        digest: DigestAlgorithm,
        scheme: SignatureScheme,
    ) -> Result<Vec<u8>> {
        self.kind.check(digest, scheme)?;
        let hash = crypto::digest(digest, message);
        let signature = match scheme {
            SignatureScheme::RsaPkcs1v15 => {
                let mut digest_info = digest_info_prefix(digest)?.to_vec();
                digest_info.extend_from_slice(&hash);
                self.raw_sign(&Mechanism::RsaPkcs, &digest_info)?
            }
            SignatureScheme::RsaPss => {
                let (hash_alg, mgf) = match digest {
                    DigestAlgorithm::Sha256 => (MechanismType::SHA256, PkcsMgfType::MGF1_SHA256),
                    DigestAlgorithm::Sha384 => (MechanismType::SHA384, PkcsMgfType::MGF1_SHA384),
                    DigestAlgorithm::Sha512 => (MechanismType::SHA512, PkcsMgfType::MGF1_SHA512),
                    other => {
                        return Err(Error::UnsupportedAlgorithm(format!(
                            "RSASSA-PSS with {}",
                            other.name()
                        )))
                    }
                };
                let s_len = hash
                    .len()
                    .try_into()
                    .map_err(|_| Error::Crypto("salt length".into()))?;
                let params = PkcsPssParams {
                    hash_alg,
                    mgf,
                    s_len,
                };
                self.raw_sign(&Mechanism::RsaPkcsPss(params), &hash)?
            }
            SignatureScheme::Ecdsa => {
                let raw = self.raw_sign(&Mechanism::Ecdsa, &hash)?;
                ecdsa_raw_to_der(&raw)?
            }
            other => {
                return Err(Error::UnsupportedAlgorithm(format!(
                    "{other:?} with a PKCS#11 token"
                )))
            }
        };
        // Never hand back a signature that does not verify against the certificate.
        let alg =
            AlgorithmIdentifier::from_der(&cms::build::signature_algorithm_der(scheme, digest)?)?;
        crypto::verify_signature(
            &self.certificate.spki_der,
            &alg,
            digest,
            message,
            &signature,
        )
        .map_err(|e| {
            Error::Token(format!(
                "{} returned a signature that does not verify against its certificate ({e}); \
                 the certificate on the token may not belong to this key",
                self.description
            ))
        })?;
        Ok(signature)
    }
}

/// The DER `DigestInfo` prefix for each hash (RFC 8017 §9.2, note 1).
fn digest_info_prefix(digest: DigestAlgorithm) -> Result<&'static [u8]> {
    const SHA256: &[u8] = &[
        0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
        0x05, 0x00, 0x04, 0x20,
    ];
    const SHA384: &[u8] = &[
        0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02,
        0x05, 0x00, 0x04, 0x30,
    ];
    const SHA512: &[u8] = &[
        0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03,
        0x05, 0x00, 0x04, 0x40,
    ];
    match digest {
        DigestAlgorithm::Sha256 => Ok(SHA256),
        DigestAlgorithm::Sha384 => Ok(SHA384),
        DigestAlgorithm::Sha512 => Ok(SHA512),
        other => Err(Error::UnsupportedAlgorithm(format!(
            "RSASSA-PKCS1-v1_5 with {}",
            other.name()
        ))),
    }
}

fn key_kind(cert: &Certificate) -> Result<KeyKind> {
    match &cert.public_key {
        PublicKeyKind::Rsa { bits } => Ok(KeyKind::Rsa { bits: *bits }),
        PublicKeyKind::Ec { curve: Curve::P256 } => Ok(KeyKind::EcP256),
        PublicKeyKind::Ec { curve: Curve::P384 } => Ok(KeyKind::EcP384),
        other => Err(Error::UnsupportedAlgorithm(format!(
            "signing with a {other:?} key on a token"
        ))),
    }
}

/// A loaded and initialised module, shared by everything in the process that uses the same path.
struct Module {
    ctx: Pkcs11,
    /// Whether kyso initialised it (and so finalises it when done).
    owned: bool,
}

impl Drop for Module {
    fn drop(&mut self) {
        if self.owned {
            let _ = self.ctx.clone().finalize();
        }
    }
}

static MODULES: Mutex<Vec<(PathBuf, Weak<Module>)>> = Mutex::new(Vec::new());

impl Module {
    fn load(path: &Path) -> Result<Arc<Module>> {
        if !path.is_file() {
            return Err(Error::Token(format!(
                "PKCS#11 module {} not found; install the token's driver and give the path of \
                 its PKCS#11 library (.so/.dll), or set {MODULE_ENV}",
                path.display()
            )));
        }
        let key = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        let mut modules = MODULES.lock().unwrap_or_else(|e| e.into_inner());
        modules.retain(|(_, m)| m.strong_count() > 0);
        if let Some(m) = modules
            .iter()
            .find(|(p, _)| *p == key)
            .and_then(|(_, m)| m.upgrade())
        {
            return Ok(m);
        }
        let ctx = Pkcs11::new(loadable(&key)).map_err(|e| {
            Error::Token(format!(
                "cannot load the PKCS#11 module {} ({e}); is it the token driver's PKCS#11 \
                 library for this system (64-bit, right OS)?",
                path.display()
            ))
        })?;
        let owned = match ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
            Ok(()) => true,
            Err(CkError::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => false,
            Err(e) => {
                return Err(token_error(
                    &format!("initialising the PKCS#11 module {}", path.display()),
                    e,
                ))
            }
        };
        let module = Arc::new(Module { ctx, owned });
        modules.push((key, Arc::downgrade(&module)));
        Ok(module)
    }
}

/// The path to give the loader. On Windows `canonicalize` answers in the verbatim form
/// (`\\?\C:\…`, `\\?\UNC\server\share\…`), which some vendor modules resolving their own
/// folder mishandle: hand LoadLibrary the ordinary form (`C:\…`, `\\server\share\…`).
fn loadable(path: &Path) -> PathBuf {
    match path.to_str() {
        Some(s) => PathBuf::from(strip_verbatim(s)),
        None => path.to_path_buf(),
    }
}

fn strip_verbatim(s: &str) -> String {
    if let Some(rest) = s.strip_prefix(r"\\?\UNC\") {
        format!(r"\\{rest}")
    } else if let Some(rest) = s.strip_prefix(r"\\?\") {
        // Only drive paths: other verbatim forms (\\?\Volume{…}) have no ordinary spelling.
        let b = rest.as_bytes();
        if b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && b[2] == b'\\' {
            rest.to_string()
        } else {
            s.to_string()
        }
    } else {
        s.to_string()
    }
}

fn token_error(doing: &str, e: CkError) -> Error {
    let hint = match &e {
        CkError::Pkcs11(RvError::TokenNotPresent | RvError::DeviceRemoved, _) => {
            "; is the token plugged in?"
        }
        CkError::Pkcs11(RvError::TokenNotRecognized, _) => {
            "; the module does not recognise this token: use the driver of the token's vendor"
        }
        CkError::Pkcs11(RvError::DeviceError | RvError::DeviceMemory, _) => {
            "; unplug the token and plug it in again"
        }
        _ => "",
    };
    Error::Token(format!("{doing}: {e}{hint}"))
}

fn token_name(slot: Slot, label: &str) -> String {
    format!("token \"{}\" (slot {})", label.trim(), slot.id())
}

fn select_token(ctx: &Pkcs11, sel: &TokenSelector) -> Result<Slot> {
    let slots = ctx
        .get_slots_with_token()
        .map_err(|e| token_error("listing the slots", e))?;
    let mut present = Vec::new();
    for slot in slots {
        let label = ctx
            .get_token_info(slot)
            .map(|i| i.label().trim().to_owned())
            .unwrap_or_default();
        present.push((slot, label));
    }
    if present.is_empty() {
        return Err(Error::Token(
            "no token found; plug the token in (and check that its driver is installed)".into(),
        ));
    }
    let names = || {
        present
            .iter()
            .map(|(s, l)| token_name(*s, l))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let matching: Vec<&(Slot, String)> = present
        .iter()
        .filter(|(s, l)| {
            sel.slot.is_none_or(|id| s.id() == id)
                && sel.label.as_deref().is_none_or(|want| want.trim() == l)
        })
        .collect();
    match matching.as_slice() {
        [(slot, _)] => Ok(*slot),
        [] => Err(Error::Token(format!(
            "no token matches {}; present: {}",
            describe_token_selector(sel),
            names()
        ))),
        _ if sel.slot.is_none() && sel.label.is_none() => Err(Error::Needs {
            need: crate::error::Need::TokenChoice,
            detail: format!(
                "{} tokens are present: {}; one must be chosen by label or slot",
                matching.len(),
                names()
            ),
        }),
        _ => Err(Error::Needs {
            need: crate::error::Need::SlotChoice,
            detail: format!(
                "several tokens match {}: {}; one must be chosen by slot",
                describe_token_selector(sel),
                names()
            ),
        }),
    }
}

fn describe_token_selector(sel: &TokenSelector) -> String {
    match (sel.slot, &sel.label) {
        (Some(s), Some(l)) => format!("slot {s} with label \"{l}\""),
        (Some(s), None) => format!("slot {s}"),
        (None, Some(l)) => format!("label \"{l}\""),
        (None, None) => "(any)".into(),
    }
}

fn flag_words(info: &cryptoki::slot::TokenInfo) -> Vec<String> {
    let mut words = Vec::new();
    let mut add = |on: bool, w: &str| {
        if on {
            words.push(w.to_owned());
        }
    };
    add(info.token_initialized(), "initialised");
    add(!info.token_initialized(), "not initialised");
    add(info.login_required(), "login required");
    add(!info.user_pin_initialized(), "user PIN not set");
    add(info.user_pin_count_low(), "PIN count low");
    add(info.user_pin_final_try(), "PIN final try");
    add(info.user_pin_locked(), "PIN locked");
    add(info.user_pin_to_be_changed(), "PIN to be changed");
    add(info.protected_authentication_path(), "PIN pad");
    add(info.write_protected(), "write protected");
    add(info.error_state(), "error state");
    words
}

/// What a token says about its remaining PIN tries, as a sentence tail for error messages.
fn tries_left_words(info: &cryptoki::slot::TokenInfo) -> String {
    if info.user_pin_locked() {
        "; the PIN is now LOCKED: unlock it with the SO PIN / PUK or ask the CA".into()
    } else if info.user_pin_final_try() {
        "; the token reports FINAL TRY: one more wrong PIN locks it".into()
    } else if info.user_pin_count_low() {
        "; the token reports PIN count low: few tries are left before it locks".into()
    } else {
        "; the token does not report a low try count".into()
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A certificate object read from the token.
struct TokenCert {
    der: Vec<u8>,
    id: Vec<u8>,
    label: String,
    parsed: std::result::Result<Certificate, String>,
}

impl TokenCert {
    fn describe(&self) -> TokenCertificate {
        let (subject, issuer, serial, not_before, not_after, ca) = match &self.parsed {
            Ok(c) => (
                c.subject.to_rfc4514(),
                c.issuer.to_rfc4514(),
                c.serial_hex(),
                crate::vntime::rfc3339(c.not_before),
                crate::vntime::rfc3339(c.not_after),
                c.basic_constraints.as_ref().is_some_and(|b| b.ca),
            ),
            Err(e) => (
                format!("(unreadable certificate: {e})"),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                false,
            ),
        };
        TokenCertificate {
            label: self.label.clone(),
            id: hex(&self.id),
            subject,
            issuer,
            serial,
            not_before,
            not_after,
            ca,
        }
    }

    fn describe_short(&self) -> String {
        format!("\"{}\" (id {})", self.label, hex(&self.id))
    }

    fn common_name(&self) -> Option<String> {
        self.parsed.as_ref().ok()?.subject.common_name()
    }

    fn rsa_modulus(&self) -> Option<Vec<u8>> {
        let cert = self.parsed.as_ref().ok()?;
        if !matches!(cert.public_key, PublicKeyKind::Rsa { .. }) {
            return None;
        }
        let spki = cert.spki().ok()?;
        // RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } (RFC 8017 §A.1.1)
        let seq = crate::asn1::Reader::new(&spki.key_bytes).read().ok()?;
        let modulus = seq.children().ok()?.read().ok()?;
        Some(strip_zeros(modulus.value))
    }
}

fn strip_zeros(b: &[u8]) -> Vec<u8> {
    let skip = b.iter().take_while(|&&x| x == 0).count();
    b[skip..].to_vec()
}

struct TokenKey {
    handle: ObjectHandle,
    id: Vec<u8>,
    label: String,
    modulus: Option<Vec<u8>>,
}

fn read_certificates(session: &Session) -> cryptoki::error::Result<Vec<TokenCert>> {
    let handles = session.find_objects(&[
        Attribute::Class(ObjectClass::CERTIFICATE),
        Attribute::CertificateType(CertificateType::X_509),
    ])?;
    let mut out = Vec::new();
    for h in handles {
        let attrs = session.get_attributes(
            h,
            &[
                AttributeType::Value,
                AttributeType::Id,
                AttributeType::Label,
            ],
        )?;
        let (mut der, mut id, mut label) = (Vec::new(), Vec::new(), String::new());
        for a in attrs {
            match a {
                Attribute::Value(v) => der = v,
                Attribute::Id(v) => id = v,
                Attribute::Label(v) => label = String::from_utf8_lossy(&v).into_owned(),
                _ => {}
            }
        }
        if der.is_empty() {
            continue;
        }
        let parsed = Certificate::from_der(&der).map_err(|e| e.to_string());
        if out.iter().any(|c: &TokenCert| c.der == der) {
            continue;
        }
        out.push(TokenCert {
            der,
            id,
            label,
            parsed,
        });
    }
    Ok(out)
}

fn read_private_keys(session: &Session) -> cryptoki::error::Result<Vec<TokenKey>> {
    let handles = session.find_objects(&[Attribute::Class(ObjectClass::PRIVATE_KEY)])?;
    let mut out = Vec::new();
    for handle in handles {
        let attrs = session.get_attributes(
            handle,
            &[
                AttributeType::Id,
                AttributeType::Label,
                AttributeType::Modulus,
            ],
        )?;
        let mut key = TokenKey {
            handle,
            id: Vec::new(),
            label: String::new(),
            modulus: None,
        };
        for a in attrs {
            match a {
                Attribute::Id(v) => key.id = v,
                Attribute::Label(v) => key.label = String::from_utf8_lossy(&v).into_owned(),
                Attribute::Modulus(v) => key.modulus = Some(strip_zeros(&v)),
                _ => {}
            }
        }
        out.push(key);
    }
    Ok(out)
}

/// A private key and the certificate that belongs to it (indices into the read lists).
struct Pair {
    key: usize,
    cert: usize,
    key_label: String,
    cert_label: String,
    id: Vec<u8>,
}

impl Pair {
    fn describe(&self, certs: &[TokenCert]) -> String {
        let label = if self.key_label.is_empty() {
            &self.cert_label
        } else {
            &self.key_label
        };
        let cn = certs[self.cert]
            .common_name()
            .map(|cn| format!(", {cn}"))
            .unwrap_or_default();
        format!("key \"{label}\" (id {}{cn})", hex(&self.id))
    }

    fn matches(&self, sel: &KeySelector) -> bool {
        sel.label
            .as_deref()
            .is_none_or(|l| l == self.key_label || l == self.cert_label)
            && sel.id.as_deref().is_none_or(|id| id == self.id)
    }
}

/// Pairs each private key with its certificate: same non-empty CKA_ID (PKCS#11 v2.40 §4.6.3),
/// else (RSA) the same modulus.
fn pair_keys(keys: &[TokenKey], certs: &[TokenCert]) -> Vec<Pair> {
    let mut pairs = Vec::new();
    for (ki, key) in keys.iter().enumerate() {
        let by_id = (!key.id.is_empty())
            .then(|| {
                certs
                    .iter()
                    .position(|c| c.id == key.id && c.parsed.is_ok())
            })
            .flatten();
        let by_modulus = || {
            key.modulus.as_ref().and_then(|m| {
                certs
                    .iter()
                    .position(|c| c.rsa_modulus().as_ref() == Some(m))
            })
        };
        if let Some(ci) = by_id.or_else(by_modulus) {
            pairs.push(Pair {
                key: ki,
                cert: ci,
                key_label: key.label.clone(),
                cert_label: certs[ci].label.clone(),
                id: if key.id.is_empty() {
                    certs[ci].id.clone()
                } else {
                    key.id.clone()
                },
            });
        }
    }
    pairs
}

fn choose_key<'a>(
    pairs: &'a [Pair],
    sel: &KeySelector,
    token: &str,
    key_count: usize,
) -> Result<&'a Pair> {
    let list = |certs: &[&Pair]| -> String {
        certs
            .iter()
            .map(|p| {
                let label = if p.key_label.is_empty() {
                    &p.cert_label
                } else {
                    &p.key_label
                };
                format!("\"{label}\" (id {})", hex(&p.id))
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    if pairs.is_empty() {
        return Err(Error::Token(if key_count == 0 {
            format!("{token} holds no private key visible after login")
        } else {
            format!(
                "{token} holds {key_count} private key(s) but no certificate with the same \
                 CKA_ID; write the certificate to the token first"
            )
        }));
    }
    let all: Vec<&Pair> = pairs.iter().collect();
    let matching: Vec<&Pair> = pairs.iter().filter(|p| p.matches(sel)).collect();
    let selected = sel.label.is_some() || sel.id.is_some();
    match matching.as_slice() {
        [one] => Ok(one),
        [] => Err(Error::Token(format!(
            "no key on {token} matches {}; keys with a certificate: {}",
            describe_key_selector(sel),
            list(&all)
        ))),
        many if !selected => Err(Error::Needs {
            need: crate::error::Need::KeyChoice,
            detail: format!(
                "{token} holds {} keys with a certificate: {}; one must be chosen by label or id",
                many.len(),
                list(many)
            ),
        }),
        many => Err(Error::Needs {
            need: crate::error::Need::KeyIdChoice,
            detail: format!(
                "several keys on {token} match {}: {}; one must be chosen by id",
                describe_key_selector(sel),
                list(many)
            ),
        }),
    }
}

fn describe_key_selector(sel: &KeySelector) -> String {
    let mut parts = Vec::new();
    if let Some(l) = &sel.label {
        parts.push(format!("label \"{l}\""));
    }
    if let Some(id) = &sel.id {
        parts.push(format!("id {}", hex(id)));
    }
    parts.join(" and ")
}

/// The CMS chain: the certificates on the path from the signer up (issuer first, each found by
/// subject = issuer among the token's certificates and `extra`), then the rest of `extra`, then
/// the token's other CA certificates. Other end-entity certificates on the token (someone else's
/// key, an authentication certificate) are left out.
fn build_chain(leaf: &Certificate, token: &[TokenCert], extra: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    let mut pool: Vec<(Vec<u8>, Option<Certificate>, bool)> = Vec::new();
    for der in extra {
        let parsed = Certificate::from_der(&der).ok();
        pool.push((der, parsed, true));
    }
    for c in token {
        pool.push((c.der.clone(), c.parsed.clone().ok(), false));
    }
    let mut seen = vec![leaf.der.clone()];
    pool.retain(|(der, _, _)| {
        if seen.contains(der) {
            false
        } else {
            seen.push(der.clone());
            true
        }
    });
    let mut chain = Vec::new();
    let mut current = leaf.clone();
    while current.subject.der != current.issuer.der {
        let Some(pos) = pool.iter().position(|(_, p, _)| {
            p.as_ref()
                .is_some_and(|c| c.subject.der == current.issuer.der)
        }) else {
            break;
        };
        let (der, parsed, _) = pool.remove(pos);
        chain.push(der);
        match parsed {
            Some(p) => current = p,
            None => break,
        }
    }
    for (der, _, from_extra) in &pool {
        if *from_extra {
            chain.push(der.clone());
        }
    }
    for (der, parsed, from_extra) in pool {
        let ca = parsed
            .as_ref()
            .and_then(|c| c.basic_constraints.as_ref())
            .is_some_and(|b| b.ca);
        if !from_extra && ca {
            chain.push(der);
        }
    }
    chain
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asn1::writer;

    #[test]
    fn digest_info_prefixes_match_the_der_encoding() {
        for alg in [
            DigestAlgorithm::Sha256,
            DigestAlgorithm::Sha384,
            DigestAlgorithm::Sha512,
        ] {
            let hash = crypto::digest(alg, b"x");
            let alg_id = writer::sequence(&[&writer::oid(alg.oid()).unwrap(), &writer::null()]);
            let expected = writer::sequence(&[&alg_id, &writer::octet_string(&hash)]);
            let mut ours = digest_info_prefix(alg).unwrap().to_vec();
            ours.extend_from_slice(&hash);
            assert_eq!(ours, expected, "{}", alg.name());
        }
        assert!(digest_info_prefix(DigestAlgorithm::Sha1).is_err());
    }

    #[test]
    fn windows_module_paths() {
        let cases = [
            (
                r"\\?\C:\Windows\System32\eTPKCS11.dll",
                r"C:\Windows\System32\eTPKCS11.dll",
            ),
            (
                r"\\?\C:\Program Files\Viettel-CA\Trình điều khiển\p11.dll",
                r"C:\Program Files\Viettel-CA\Trình điều khiển\p11.dll",
            ),
            (
                r"\\?\UNC\may-chu\chia-se\p11.dll",
                r"\\may-chu\chia-se\p11.dll",
            ),
            (r"\\?\Volume{1234}\p11.dll", r"\\?\Volume{1234}\p11.dll"),
            (
                r"C:\Windows\System32\p11.dll",
                r"C:\Windows\System32\p11.dll",
            ),
            (
                "/usr/lib/softhsm/libsofthsm2.so",
                "/usr/lib/softhsm/libsofthsm2.so",
            ),
        ];
        for (given, expected) in cases {
            assert_eq!(strip_verbatim(given), expected, "{given}");
        }
    }

    #[test]
    fn raw_ecdsa_becomes_der() {
        let mut raw = vec![0u8; 64];
        raw[0] = 0x80; // r needs a leading zero
        raw[32..].copy_from_slice(&[0u8; 32]);
        raw[63] = 5; // s = 5
        let der = ecdsa_raw_to_der(&raw).unwrap();
        assert_eq!(&der[..4], &[0x30, 2 + 33 + 3, 0x02, 33]);
        assert_eq!(&der[der.len() - 3..], &[0x02, 0x01, 0x05]);
        assert!(ecdsa_raw_to_der(&[1, 2, 3]).is_err());
        assert!(ecdsa_raw_to_der(&[]).is_err());
    }

    #[test]
    fn missing_module_is_actionable() {
        let err = list_tokens(Path::new("/nonexistent/libnothing.so")).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("not found") && msg.contains(MODULE_ENV),
            "{msg}"
        );
    }
}
