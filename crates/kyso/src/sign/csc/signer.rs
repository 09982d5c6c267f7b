//! [`CscSigner`]: a [`Signer`] backed by one remote credential.

use super::*;

/// A [`Signer`] whose key is in a CSC API v1 service (see the module docs for the flow).
pub struct CscSigner {
    pub(super) client: CscClient,
    pub(super) credential_id: String,
    pub(super) access_token: String,
    pub(super) authorize: AuthCallback,
    pub(super) info: CredentialInfo,
    pub(super) certificate: Certificate,
    pub(super) chain: Vec<Vec<u8>>,
    pub(super) kind: KeyKind,
}

impl fmt::Debug for CscSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CscSigner")
            .field("client", &self.client)
            .field("credential_id", &self.credential_id)
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

impl CscSigner {
    /// Reads the credential (`credentials/info`) and checks kyso can sign with it. `authorize`
    /// is called once per signature for the PIN/OTP (see [`AuthRequest`]).
    pub fn new(
        client: CscClient,
        credential_id: impl Into<String>,
        access_token: impl Into<String>,
        authorize: AuthCallback,
    ) -> Result<CscSigner> {
        let credential_id = credential_id.into();
        let access_token = access_token.into();
        if credential_id.is_empty() {
            return Err(Error::InvalidArgument("empty credential ID".into()));
        }
        check_token(&access_token)?;
        let info = client.credential_info(&access_token, &credential_id)?;
        let unusable = |why: String| Err(fail(CscFailure::Unusable, why));
        if info
            .key_status
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case("disabled"))
        {
            return unusable(format!("the key of credential {credential_id} is disabled"));
        }
        if let Some(s) = info
            .cert_status
            .as_deref()
            .filter(|s| s.eq_ignore_ascii_case("revoked") || s.eq_ignore_ascii_case("suspended"))
        {
            return unusable(format!(
                "the service reports the certificate of credential {credential_id} as {s}"
            ));
        }
        match &info.auth_mode {
            AuthMode::Implicit | AuthMode::Explicit => {}
            AuthMode::OAuth2Code => {
                return unusable(format!(
                    "credential {credential_id} is authorised through OAuth (authMode \
                     oauth2code), which kyso does not support"
                ))
            }
            AuthMode::Other(m) => {
                return unusable(format!(
                    "credential {credential_id} has an unknown authMode \"{m}\""
                ))
            }
        }
        let what = |i: usize, e: Error| {
            fail(
                CscFailure::Malformed,
                format!("credentials/info: certificate {i} of {credential_id}: {e}"),
            )
        };
        let certificate = Certificate::from_der(&info.certificates[0]).map_err(|e| what(0, e))?;
        for (i, c) in info.certificates.iter().enumerate().skip(1) {
            Certificate::from_der(c).map_err(|e| what(i, e))?;
        }
        let kind = match certificate.public_key {
            PublicKeyKind::Rsa { bits } => KeyKind::Rsa { bits },
            PublicKeyKind::Ec { curve: Curve::P256 } => KeyKind::EcP256,
            PublicKeyKind::Ec { curve: Curve::P384 } => KeyKind::EcP384,
            ref other => {
                return Err(Error::UnsupportedAlgorithm(format!(
                    "remote signing with a {other:?} key"
                )))
            }
        };
        let chain = info.certificates[1..].to_vec();
        Ok(CscSigner {
            client,
            credential_id,
            access_token,
            authorize,
            info,
            certificate,
            chain,
            kind,
        })
    }

    /// What `credentials/info` said.
    pub fn info(&self) -> &CredentialInfo {
        &self.info
    }

    /// The signer's certificate.
    pub fn certificate(&self) -> &Certificate {
        &self.certificate
    }

    /// sendOTP if needed, the callback, then `credentials/authorize`: the SAD.
    pub(super) fn authorise(&self) -> Result<String> {
        let otp_sent = self.info.needs_otp_sent();
        if otp_sent {
            self.client
                .send_otp(&self.access_token, &self.credential_id)?;
        }
        let explicit = self.info.auth_mode == AuthMode::Explicit;
        let request = AuthRequest {
            credential_id: self.credential_id.clone(),
            signer: self.certificate.subject.to_rfc4514(),
            description: self.info.description.clone(),
            mode: self.info.auth_mode.clone(),
            pin: self.info.pin.clone().filter(|_| explicit),
            otp: self.info.otp.clone().filter(|_| explicit),
            otp_sent,
        };
        let secrets = (self.authorize)(&request)?;
        let missing = |spec: Option<&Presence>, value: &Option<String>| {
            spec == Some(&Presence::Required) && value.as_deref().is_none_or(str::is_empty)
        };
        if missing(request.pin.as_ref().map(|p| &p.presence), &secrets.pin) {
            return Err(Error::InvalidArgument(format!(
                "credential {} needs a PIN",
                self.credential_id
            )));
        }
        if missing(request.otp.as_ref().map(|o| &o.presence), &secrets.otp) {
            return Err(Error::InvalidArgument(format!(
                "credential {} needs an OTP",
                self.credential_id
            )));
        }
        self.client
            .authorize(&self.access_token, &self.credential_id, &secrets)
    }
}

impl Signer for CscSigner {
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
        let alg = AlgorithmIdentifier::from_der(&crate::cms::build::signature_algorithm_der(
            scheme, digest,
        )?)?;
        let hash = crypto::digest(digest, message);
        let sad = self.authorise()?;
        let raw = self.client.sign_hash(
            &self.access_token,
            &self.credential_id,
            &sad,
            &hash,
            digest,
            scheme,
        )?;
        let value = match (scheme, &self.certificate.public_key) {
            (SignatureScheme::Ecdsa, PublicKeyKind::Ec { curve }) => {
                ecdsa_to_der(&raw, curve.field_len()).ok_or_else(|| {
                    malformed(
                        &self.client.url("signatures/signHash"),
                        format!(
                            "a {}-byte value is neither DER nor raw r‖s ECDSA",
                            raw.len()
                        ),
                    )
                })?
            }
            _ => raw,
        };
        crypto::verify_signature(&self.certificate.spki_der, &alg, digest, message, &value)
            .map_err(|e| {
                fail(
                    CscFailure::BadSignature,
                    format!(
                        "credential {}: {e}; the service signed with a key other than the \
                         certificate's, or altered the hash",
                        self.credential_id
                    ),
                )
            })?;
        Ok(value)
    }
}
