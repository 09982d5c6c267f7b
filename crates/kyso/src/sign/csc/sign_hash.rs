//! `signatures/signHash` (CSC API v1.0.4.0 §11.9): the signature algorithm asked for, and
//! the returned value (raw r||s ECDSA values become DER).

use super::*;

/// `signAlgo` and `signAlgoParams` (DER) for a scheme and digest.
pub(super) fn sign_algo(
    scheme: SignatureScheme,
    digest: DigestAlgorithm,
) -> Result<(String, Option<Vec<u8>>)> {
    match scheme {
        // The service builds the DigestInfo from hashAlgo (CSC §11.9).
        SignatureScheme::RsaPkcs1v15 => Ok((oid::RSA_ENCRYPTION.to_string(), None)),
        SignatureScheme::RsaPss | SignatureScheme::Ecdsa => {
            let ai = AlgorithmIdentifier::from_der(&crate::cms::build::signature_algorithm_der(
                scheme, digest,
            )?)?;
            let params = if scheme == SignatureScheme::RsaPss {
                ai.params_der
            } else {
                None
            };
            Ok((ai.oid, params))
        }
        other => Err(Error::UnsupportedAlgorithm(format!(
            "{other:?} through a remote signing service"
        ))),
    }
}

impl CscClient {
    /// `signatures/signHash` for one hash (already computed with `digest`): the signature value
    /// as the service returned it (ECDSA may be raw r‖s or DER).
    pub fn sign_hash(
        &self,
        token: &str,
        credential_id: &str,
        sad: &str,
        hash: &[u8],
        digest: DigestAlgorithm,
        scheme: SignatureScheme,
    ) -> Result<Vec<u8>> {
        if hash.len() != digest.output_len() {
            return Err(Error::InvalidArgument(format!(
                "a {} hash is {} bytes, not {}",
                digest.name(),
                digest.output_len(),
                hash.len()
            )));
        }
        let (algo, params) = sign_algo(scheme, digest)?;
        let mut body = json!({
            "credentialID": credential_id,
            "SAD": sad,
            "hash": [crate::base64::encode(hash)],
            "hashAlgo": digest.oid(),
            "signAlgo": algo,
        });
        if let Some(p) = params {
            body["signAlgoParams"] = json!(crate::base64::encode(&p));
        }
        let (url, v) = self.call("signatures/signHash", token, &body)?;
        let sigs = v
            .get("signatures")
            .and_then(Value::as_array)
            .ok_or_else(|| malformed(&url, "no signatures in the answer"))?;
        if sigs.len() != 1 {
            return Err(malformed(
                &url,
                format!("{} signatures for one hash", sigs.len()),
            ));
        }
        sigs[0]
            .as_str()
            .and_then(decode_b64)
            .ok_or_else(|| malformed(&url, "the signature is not base64"))
    }
}

pub(super) fn is_der_ecdsa(sig: &[u8]) -> bool {
    let check = || -> Result<()> {
        let seq = Reader::new(sig).read_single()?;
        seq.expect_universal(tag::SEQUENCE, "Ecdsa-Sig-Value")?;
        let mut r = seq.children()?;
        r.read_universal(tag::INTEGER, "r")?.as_integer()?;
        r.read_universal(tag::INTEGER, "s")?.as_integer()?;
        r.finish("Ecdsa-Sig-Value")
    };
    check().is_ok()
}

/// An ECDSA value as DER `Ecdsa-Sig-Value` (RFC 5480 §2.2): kept when it is DER, converted when
/// it is raw r‖s of `2 × field_len` bytes.
pub(super) fn ecdsa_to_der(sig: &[u8], field_len: usize) -> Option<Vec<u8>> {
    if is_der_ecdsa(sig) {
        return Some(sig.to_vec());
    }
    if sig.len() != 2 * field_len {
        return None;
    }
    let (r, s) = sig.split_at(field_len);
    Some(writer::sequence(&[
        &writer::integer_unsigned(r),
        &writer::integer_unsigned(s),
    ]))
}
