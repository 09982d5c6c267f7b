//! A private SoftHSM2 token store for PKCS#11 tests (Debian `softhsm2`), shared by
//! crates/kyso/tests/pkcs11.rs and tests/token.rs through `#[path]`. Tokens are initialised with
//! `softhsm2-util`, fixture keys imported as PKCS#8, certificates written through cryptoki
//! (softhsm2-util cannot import certificates). SoftHSM2 renumbers slots after initialisation, so
//! tokens are always found by label.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, MutexGuard};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::object::{Attribute, CertificateType, ObjectClass};
use cryptoki::session::UserType;
use cryptoki::types::AuthPin;

pub const MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";
pub const PIN: &str = "123456";
pub const SO_PIN: &str = "12345678";

/// SOFTHSM2_CONF is read by the module loaded in this process: one user at a time.
static LOCK: Mutex<()> = Mutex::new(());

fn fixture_pki(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/pki")
        .join(name)
}

/// Whether SoftHSM2 is installed; with KYSO_REQUIRE_TOOLS=1 its absence fails the test.
pub fn have_softhsm() -> bool {
    let util = Command::new("softhsm2-util")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if util && Path::new(MODULE).is_file() {
        return true;
    }
    if std::env::var("KYSO_REQUIRE_TOOLS").as_deref() == Ok("1") {
        panic!("SoftHSM2 ({MODULE}, softhsm2-util) is required (run scripts/install-test-deps.sh)");
    }
    eprintln!("SKIP: softhsm2 not installed (scripts/install-test-deps.sh installs it)");
    false
}

pub struct SoftHsm {
    pub dir: tempfile::TempDir,
    /// Held for the store's lifetime when the module is used in this process.
    guard: Option<MutexGuard<'static, ()>>,
}

impl SoftHsm {
    /// A store for child processes (`kyso` run with SOFTHSM2_CONF).
    pub fn new() -> SoftHsm {
        let dir = tempfile::tempdir().unwrap();
        let tokens = dir.path().join("tokens");
        std::fs::create_dir(&tokens).unwrap();
        std::fs::write(
            dir.path().join("softhsm2.conf"),
            format!(
                "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
                tokens.display()
            ),
        )
        .unwrap();
        SoftHsm { dir, guard: None }
    }

    /// A store used by the module loaded in this process: holds the lock and sets
    /// SOFTHSM2_CONF while alive.
    pub fn in_process() -> SoftHsm {
        let guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let mut store = SoftHsm::new();
        std::env::set_var("SOFTHSM2_CONF", store.conf());
        store.guard = Some(guard);
        store
    }

    pub fn conf(&self) -> PathBuf {
        self.dir.path().join("softhsm2.conf")
    }

    pub fn util(&self, args: &[&str]) {
        let o = Command::new("softhsm2-util")
            .args(args)
            .env("SOFTHSM2_CONF", self.conf())
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "softhsm2-util {args:?}: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
    }

    pub fn init_token(&self, label: &str) {
        self.util(&[
            "--init-token",
            "--free",
            "--label",
            label,
            "--pin",
            PIN,
            "--so-pin",
            SO_PIN,
        ]);
    }

    /// Imports fixture key `name` (e.g. `leader`) with its certificate under `label` / `id`.
    pub fn import(&self, token: &str, name: &str, label: &str, id: &[u8]) {
        let pk8 = self.dir.path().join(format!("{name}.pk8"));
        let o = Command::new("openssl")
            .args(["pkcs8", "-topk8", "-nocrypt", "-in"])
            .arg(fixture_pki(&format!("{name}.key.pem")))
            .arg("-out")
            .arg(&pk8)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let id_hex: String = id.iter().map(|b| format!("{b:02x}")).collect();
        self.util(&[
            "--import",
            pk8.to_str().unwrap(),
            "--token",
            token,
            "--label",
            label,
            "--id",
            &id_hex,
            "--pin",
            PIN,
        ]);
        self.write_certificate(token, &format!("{name}.pem"), label, id);
    }

    /// Writes fixture certificate `file` to the token as a CKO_CERTIFICATE object.
    pub fn write_certificate(&self, token: &str, file: &str, label: &str, id: &[u8]) {
        let cert =
            kyso::pki::Certificate::parse_pem_or_der(&std::fs::read(fixture_pki(file)).unwrap())
                .unwrap()
                .remove(0);
        let _local = match self.guard {
            Some(_) => None,
            None => {
                let g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
                std::env::set_var("SOFTHSM2_CONF", self.conf());
                Some(g)
            }
        };
        let ctx = Pkcs11::new(MODULE).unwrap();
        ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
            .unwrap();
        let slot = ctx
            .get_slots_with_token()
            .unwrap()
            .into_iter()
            .find(|s| ctx.get_token_info(*s).unwrap().label().trim() == token)
            .expect("token by label");
        {
            let session = ctx.open_rw_session(slot).unwrap();
            session
                .login(UserType::User, Some(&AuthPin::from(PIN.to_owned())))
                .unwrap();
            session
                .create_object(&[
                    Attribute::Class(ObjectClass::CERTIFICATE),
                    Attribute::CertificateType(CertificateType::X_509),
                    Attribute::Token(true),
                    Attribute::Private(false),
                    Attribute::Label(label.as_bytes().to_vec()),
                    Attribute::Id(id.to_vec()),
                    Attribute::Subject(cert.subject.der.clone()),
                    Attribute::Issuer(cert.issuer.der.clone()),
                    Attribute::Value(cert.der.clone()),
                ])
                .unwrap();
        }
        ctx.finalize().unwrap();
    }
}
