//! Signing with a key of the Windows certificate store through CNG (Windows only).
//!
//! Vietnamese CA tokens usually come with a minidriver: Windows then shows the token's
//! certificate in the current user's "MY" store and the key is reached through the Key Storage
//! Provider (NCrypt), which asks for the PIN in its own dialog. kyso picks the certificate by
//! SHA-1 thumbprint (as certmgr.msc shows it) or by a part of its subject, takes its key with
//! `CryptAcquireCertificatePrivateKey(CRYPT_ACQUIRE_ONLY_NCRYPT_KEY_FLAG)` and signs the hash
//! with `NCryptSignHash`: RSASSA-PKCS1-v1_5 (`BCRYPT_PAD_PKCS1`, the KSP adds the DigestInfo),
//! RSASSA-PSS (`BCRYPT_PAD_PSS`, salt = hash length, RFC 4055 §3.1) or ECDSA (raw r‖s,
//! re-encoded as DER, RFC 5753 §7.2). Every value is checked against the certificate.
//!
//! Tested here: only that it compiles for x86_64-pc-windows-gnu (there is no certificate store
//! under Wine's test prefix and no token); see crates/kyso-ffi/README.md.

use std::ffi::c_void;
use std::sync::Mutex;

use windows_sys::Win32::Security::Cryptography::{
    CertCloseStore, CertDuplicateCertificateContext, CertEnumCertificatesInStore,
    CertFreeCertificateContext, CertOpenSystemStoreW, CryptAcquireCertificatePrivateKey,
    NCryptFreeObject, NCryptSignHash, BCRYPT_PAD_PKCS1, BCRYPT_PAD_PSS, BCRYPT_PKCS1_PADDING_INFO,
    BCRYPT_PSS_PADDING_INFO, CERT_CONTEXT, CERT_NCRYPT_KEY_SPEC,
    CRYPT_ACQUIRE_ONLY_NCRYPT_KEY_FLAG,
};

use super::signer::{KeyKind, Signer};
use crate::asn1::AlgorithmIdentifier;
use crate::cms;
use crate::crypto::{self, DigestAlgorithm, SignatureScheme};
use crate::error::{Error, Result};
use crate::pki::Certificate;

/// Which certificate of the store: by SHA-1 thumbprint (hex, spaces and colons allowed) or
/// by a case-insensitive part of its subject (RFC 4514 form).
#[derive(Clone, Debug)]
pub enum CertSelector {
    /// The certificate's SHA-1 thumbprint (20 bytes), as Windows shows it in certmgr.
    Thumbprint(Vec<u8>),
    /// A part of the subject, compared case-insensitively with its RFC 4514 text.
    Subject(String),
}

/// A certificate-store key, opened and ready to sign.
pub struct CngSigner {
    context: *const CERT_CONTEXT,
    key: Mutex<usize>,
    free_key: bool,
    certificate: Certificate,
    kind: KeyKind,
    description: String,
}

// SAFETY: the certificate context is read-only after opening and the key handle is only used
// under the mutex; CNG key handles may be used from any thread.
unsafe impl Send for CngSigner {}
// SAFETY: as above.
unsafe impl Sync for CngSigner {}

fn wide(s: &str) -> Vec<u16> {
    s.encode_utf16().chain(std::iter::once(0)).collect()
}

impl CngSigner {
    /// Opens the current user's "MY" store and the key of the one certificate `sel` names.
    pub fn open(sel: &CertSelector) -> Result<CngSigner> {
        let store_name = wide("MY");
        // SAFETY: a NUL-terminated UTF-16 name; the store is closed below.
        let store = unsafe { CertOpenSystemStoreW(0, store_name.as_ptr()) };
        if store.is_null() {
            return Err(Error::Token(format!(
                "cannot open the Windows certificate store \"MY\": {}",
                std::io::Error::last_os_error()
            )));
        }
        let mut found: Vec<(*const CERT_CONTEXT, Certificate)> = Vec::new();
        let mut prev: *const CERT_CONTEXT = std::ptr::null();
        loop {
            // SAFETY: `prev` is NULL or the context the previous call returned (freed by it).
            let ctx = unsafe { CertEnumCertificatesInStore(store, prev) };
            if ctx.is_null() {
                break;
            }
            prev = ctx;
            // SAFETY: the context is valid until the next enumeration call.
            let der = unsafe {
                std::slice::from_raw_parts((*ctx).pbCertEncoded, (*ctx).cbCertEncoded as usize)
            };
            let Ok(mut parsed) = Certificate::parse_pem_or_der(der) else {
                continue; // not a certificate kyso reads: never chosen
            };
            let Some(cert) = parsed.pop() else { continue };
            let matches = match sel {
                CertSelector::Thumbprint(t) => crypto::digest(DigestAlgorithm::Sha1, der) == *t,
                CertSelector::Subject(s) => cert
                    .subject
                    .to_rfc4514()
                    .to_lowercase()
                    .contains(&s.to_lowercase()),
            };
            if matches {
                // SAFETY: keeps a reference of its own past the enumeration.
                found.push((unsafe { CertDuplicateCertificateContext(ctx) }, cert));
            }
        }
        // SAFETY: the store handle is valid; the duplicated contexts keep what they need.
        unsafe { CertCloseStore(store, 0) };
        let release = |v: &[(*const CERT_CONTEXT, Certificate)]| {
            for (c, _) in v {
                // SAFETY: each was duplicated above.
                unsafe { CertFreeCertificateContext(*c) };
            }
        };
        if found.len() != 1 {
            let n = found.len();
            release(&found);
            return Err(Error::Token(match n {
                0 => format!("no certificate in the Windows store \"MY\" matches {sel:?}"),
                n => format!(
                    "{n} certificates in the Windows store \"MY\" match {sel:?}: give the thumbprint"
                ),
            }));
        }
        let (context, certificate) = found.remove(0);
        let kind = match super::deferred::key_kind_of(&certificate) {
            Ok(k) => k,
            Err(e) => {
                // SAFETY: duplicated above.
                unsafe { CertFreeCertificateContext(context) };
                return Err(e);
            }
        };
        let mut key: usize = 0;
        let mut spec: u32 = 0;
        let mut free_key: i32 = 0;
        // SAFETY: valid context and out pointers.
        let ok = unsafe {
            CryptAcquireCertificatePrivateKey(
                context,
                CRYPT_ACQUIRE_ONLY_NCRYPT_KEY_FLAG,
                std::ptr::null(),
                &mut key,
                &mut spec,
                &mut free_key,
            )
        };
        if ok == 0 || spec != CERT_NCRYPT_KEY_SPEC {
            let err = std::io::Error::last_os_error();
            // SAFETY: duplicated above.
            unsafe { CertFreeCertificateContext(context) };
            return Err(Error::Token(format!(
                "the certificate has no CNG private key here (is the token plugged in and its \
                 minidriver installed?): {err}"
            )));
        }
        let description = format!(
            "certificate \"{}\" of the Windows store",
            certificate.subject.common_name().unwrap_or_default()
        );
        Ok(CngSigner {
            context,
            key: Mutex::new(key),
            free_key: free_key != 0,
            certificate,
            kind,
            description,
        })
    }

    fn sign_hash(&self, hash: &[u8], padding: *const c_void, flags: u32) -> Result<Vec<u8>> {
        let key = self
            .key
            .lock()
            .map_err(|_| Error::Token("the CNG key is unusable after a panic".into()))?;
        let mut out = vec![0u8; 1024];
        let mut len: u32 = 0;
        // SAFETY: hash and out are valid for their lengths; padding matches the flags.
        let status = unsafe {
            NCryptSignHash(
                *key,
                padding,
                hash.as_ptr(),
                hash.len() as u32,
                out.as_mut_ptr(),
                out.len() as u32,
                &mut len,
                flags,
            )
        };
        if status != 0 {
            return Err(Error::Token(format!(
                "NCryptSignHash with {} failed (0x{:08x})",
                self.description, status as u32
            )));
        }
        out.truncate(len as usize);
        Ok(out)
    }
}

impl Drop for CngSigner {
    fn drop(&mut self) {
        // SAFETY: the key and context were obtained in `open` and are released once.
        unsafe {
            if self.free_key {
                if let Ok(k) = self.key.lock() {
                    NCryptFreeObject(*k);
                }
            }
            CertFreeCertificateContext(self.context);
        }
    }
}

fn bcrypt_alg(digest: DigestAlgorithm) -> Result<Vec<u16>> {
    Ok(wide(match digest {
        DigestAlgorithm::Sha256 => "SHA256",
        DigestAlgorithm::Sha384 => "SHA384",
        DigestAlgorithm::Sha512 => "SHA512",
        other => {
            return Err(Error::UnsupportedAlgorithm(format!(
                "{} with the Windows certificate store",
                other.name()
            )))
        }
    }))
}

impl Signer for CngSigner {
    fn certificate_der(&self) -> &[u8] {
        &self.certificate.der
    }

    fn chain_der(&self) -> &[Vec<u8>] {
        &[]
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
        let alg = bcrypt_alg(digest)?;
        let signature = match scheme {
            SignatureScheme::RsaPkcs1v15 => {
                let info = BCRYPT_PKCS1_PADDING_INFO {
                    pszAlgId: alg.as_ptr(),
                };
                self.sign_hash(
                    &hash,
                    (&info as *const BCRYPT_PKCS1_PADDING_INFO).cast(),
                    BCRYPT_PAD_PKCS1,
                )?
            }
            SignatureScheme::RsaPss => {
                let info = BCRYPT_PSS_PADDING_INFO {
                    pszAlgId: alg.as_ptr(),
                    cbSalt: hash.len() as u32,
                };
                self.sign_hash(
                    &hash,
                    (&info as *const BCRYPT_PSS_PADDING_INFO).cast(),
                    BCRYPT_PAD_PSS,
                )?
            }
            SignatureScheme::Ecdsa => {
                let raw = self.sign_hash(&hash, std::ptr::null(), 0)?;
                super::signer::ecdsa_raw_to_der(&raw)?
            }
            other => {
                return Err(Error::UnsupportedAlgorithm(format!(
                    "{other:?} with the Windows certificate store"
                )))
            }
        };
        // Never hand back a signature that does not verify against the certificate.
        let alg_id =
            AlgorithmIdentifier::from_der(&cms::build::signature_algorithm_der(scheme, digest)?)?;
        crypto::verify_signature(
            &self.certificate.spki_der,
            &alg_id,
            digest,
            message,
            &signature,
        )
        .map_err(|e| {
            Error::Token(format!(
                "{} returned a signature that does not verify against its certificate ({e})",
                self.description
            ))
        })?;
        Ok(signature)
    }
}
