//! A [`Signer`] whose signature values come from a C callback (an HSM, a token driver, a
//! remote service the host application talks to).

use std::ffi::{c_int, c_void};

use kyso::crypto::{DigestAlgorithm, SignatureScheme};
use kyso::pki::{Certificate, Curve, PublicKeyKind};
use kyso::sign::deferred::key_kind_of;
use kyso::sign::{KeyKind, Signer};
use kyso::{Error, Result};

use crate::{kyso_sign_callback, KYSO_SIGNATURE_CAPACITY_MIN};

pub struct CallbackSigner {
    certificate: Certificate,
    chain: Vec<Vec<u8>>,
    kind: KeyKind,
    callback: unsafe extern "C" fn(*mut c_void, *const u8, usize, *mut u8, *mut usize) -> c_int,
    user: *mut c_void,
}

// SAFETY: the signer lives only for one `kyso_sign_file_with_callback` call and is used on the
// calling thread; the callback and `user` are the caller's, who is told so in kyso.h.
unsafe impl Send for CallbackSigner {}
// SAFETY: as above.
unsafe impl Sync for CallbackSigner {}

impl CallbackSigner {
    /// `certificates`: the signer's certificate first, then the rest of the chain.
    pub fn new(
        mut certificates: Vec<Certificate>,
        callback: kyso_sign_callback,
        user: *mut c_void,
    ) -> Result<Self> {
        let callback = callback
            .ok_or_else(|| Error::InvalidArgument("the signing callback is NULL".into()))?;
        if certificates.is_empty() {
            return Err(Error::InvalidArgument(
                "certificate_pem holds no certificate".into(),
            ));
        }
        let certificate = certificates.remove(0);
        let kind = key_kind_of(&certificate)?;
        Ok(CallbackSigner {
            certificate,
            chain: certificates.into_iter().map(|c| c.der).collect(),
            kind,
            callback,
            user,
        })
    }
}

impl Signer for CallbackSigner {
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
        _digest: DigestAlgorithm,
        scheme: SignatureScheme,
    ) -> Result<Vec<u8>> {
        let capacity = KYSO_SIGNATURE_CAPACITY_MIN.max(4 * self.kind.max_signature_len());
        let mut buf = vec![0u8; capacity];
        let mut len = capacity;
        // SAFETY: `message` and `buf` are valid for the lengths given; the callback is the
        // caller's and must respect them (kyso.h).
        let rc = unsafe {
            (self.callback)(
                self.user,
                message.as_ptr(),
                message.len(),
                buf.as_mut_ptr(),
                &mut len,
            )
        };
        if rc != 0 {
            return Err(Error::Key(format!(
                "the signing callback failed (it returned {rc})"
            )));
        }
        if len == 0 || len > capacity {
            return Err(Error::Crypto(format!(
                "the signing callback returned a signature of {len} bytes (buffer: {capacity})"
            )));
        }
        buf.truncate(len);
        Ok(match (scheme, &self.certificate.public_key) {
            (SignatureScheme::Ecdsa, PublicKeyKind::Ec { curve }) => ecdsa_der(*curve, buf),
            _ => buf,
        })
    }
}

/// ECDSA values may come as raw r‖s (PKCS#11 CKM_ECDSA, most HSM APIs): CMS carries the DER
/// Ecdsa-Sig-Value (RFC 5753), so convert when the value is not already DER.
fn ecdsa_der(curve: Curve, value: Vec<u8>) -> Vec<u8> {
    let n = curve.field_len();
    if value.len() != 2 * n || is_der_ecdsa(&value) {
        return value;
    }
    let int = |b: &[u8]| {
        let mut v: Vec<u8> = b.iter().copied().skip_while(|&x| x == 0).collect();
        if v.first().is_none_or(|&x| x & 0x80 != 0) {
            v.insert(0, 0);
        }
        tlv(0x02, &v)
    };
    let body = [int(&value[..n]), int(&value[n..])].concat();
    tlv(0x30, &body)
}

fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        // Ecdsa-Sig-Values stay far below 64 KiB.
        out.push(0x81);
        out.push(len as u8);
    }
    out.extend_from_slice(content);
    out
}

/// SEQUENCE { INTEGER, INTEGER } filling `v` exactly (short or one-byte long lengths).
fn is_der_ecdsa(v: &[u8]) -> bool {
    fn header(v: &[u8], tag: u8) -> Option<(usize, usize)> {
        if *v.first()? != tag {
            return None;
        }
        match *v.get(1)? {
            l if l < 0x80 => Some((2, l as usize)),
            0x81 => Some((3, *v.get(2)? as usize)),
            _ => None,
        }
    }
    let Some((h, len)) = header(v, 0x30) else {
        return false;
    };
    if h + len != v.len() {
        return false;
    }
    let mut rest = &v[h..];
    for _ in 0..2 {
        let Some((h, len)) = header(rest, 0x02) else {
            return false;
        };
        if rest.len() < h + len {
            return false;
        }
        rest = &rest[h + len..];
    }
    rest.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_ecdsa_becomes_der() {
        let mut raw = vec![0x80u8; 32];
        raw.extend(vec![0x01u8; 32]);
        let der = ecdsa_der(Curve::P256, raw);
        assert!(is_der_ecdsa(&der));
        assert_eq!(der[3], 33); // r gets a leading zero
                                // DER stays as is.
        assert_eq!(ecdsa_der(Curve::P256, der.clone()), der);
    }
}
