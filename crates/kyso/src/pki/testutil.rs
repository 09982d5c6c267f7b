//! Test helpers: the throw-away PKI of the `kyso-testpki` crate (the one test CA of kyso), with
//! each certificate loaded as a [`Certificate`].

use std::path::{Path, PathBuf};

pub use kyso_testpki::{openssl, Key};

use crate::pki::Certificate;

/// A generated certificate and its key files.
pub struct Issued {
    pub pem: PathBuf,
    pub key: PathBuf,
    pub cert: Certificate,
}

impl kyso_testpki::Load for Issued {
    fn load(pem: PathBuf, key: PathBuf) -> Self {
        let certs = Certificate::parse_pem_or_der(&std::fs::read(&pem).unwrap()).unwrap();
        Issued {
            cert: certs.into_iter().next().unwrap(),
            pem,
            key,
        }
    }
    fn pem(&self) -> &Path {
        &self.pem
    }
    fn key(&self) -> &Path {
        &self.key
    }
}

/// A temporary directory with the test PKI's openssl configuration.
pub type Pki = kyso_testpki::Pki<Issued>;

/// Root (RSA) → intermediate (P-384) → leaf of the given key type with a Vietnamese subject.
pub fn standard_chain(pki: &Pki, leaf_key: Key) -> (Issued, Issued, Issued) {
    kyso_testpki::standard_chain(pki, leaf_key)
}
