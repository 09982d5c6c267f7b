//! `credentials/sendOTP` and `credentials/authorize` (CSC API v1.0.4.0 §11.6, §11.7): the
//! PIN/OTP asked of the user, and the Signature Activation Data they yield.

use super::*;

/// What the authorisation callback is asked for, once per signature.
#[derive(Clone, Debug)]
pub struct AuthRequest {
    /// The service's identifier of the credential (key + certificate) to authorise.
    pub credential_id: String,
    /// The signer's certificate subject (RFC 4514).
    pub signer: String,
    /// The credential's description from `credentials/info`, to show the user; None if not given.
    pub description: Option<String>,
    /// Explicit (PIN/OTP typed here), OAuth2 code, or implicit (confirmed on the user's device).
    pub mode: AuthMode,
    /// Set when a PIN is asked for (required or optional).
    pub pin: Option<PinSpec>,
    /// Set when an OTP is asked for (required or optional).
    pub otp: Option<OtpSpec>,
    /// `credentials/sendOTP` was just called: an OTP is on its way to the user.
    pub otp_sent: bool,
}

impl AuthRequest {
    /// True when the user must type something (a required PIN or OTP); false in implicit mode,
    /// where the callback only tells the user to confirm on their device.
    pub fn needs_input(&self) -> bool {
        self.mode == AuthMode::Explicit
            && (self
                .pin
                .as_ref()
                .is_some_and(|p| p.presence == Presence::Required)
                || self
                    .otp
                    .as_ref()
                    .is_some_and(|o| o.presence == Presence::Required))
    }
}

/// The PIN and/or OTP for one authorisation. `Debug` shows no secret.
#[derive(Clone, Default)]
pub struct AuthSecrets {
    /// The PIN the user typed; None when the credential asks for none.
    pub pin: Option<String>,
    /// The one-time password the user received or generated; None when none is asked for.
    pub otp: Option<String>,
}

impl fmt::Debug for AuthSecrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthSecrets")
            .field("pin", &self.pin.as_ref().map(|_| "<redacted>"))
            .field("otp", &self.otp.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

impl AuthSecrets {
    /// Nothing (implicit authorisation).
    pub fn none() -> Self {
        AuthSecrets::default()
    }

    /// A PIN only.
    pub fn pin(pin: impl Into<String>) -> Self {
        AuthSecrets {
            pin: Some(pin.into()),
            otp: None,
        }
    }

    /// A PIN and an OTP.
    pub fn pin_and_otp(pin: impl Into<String>, otp: impl Into<String>) -> Self {
        AuthSecrets {
            pin: Some(pin.into()),
            otp: Some(otp.into()),
        }
    }
}

/// The authorisation callback of a [`CscSigner`].
pub type AuthCallback = Box<dyn Fn(&AuthRequest) -> Result<AuthSecrets> + Send + Sync>;

impl CscClient {
    /// `credentials/sendOTP`: the service sends an OTP to the credential's owner.
    pub fn send_otp(&self, token: &str, credential_id: &str) -> Result<()> {
        self.call(
            "credentials/sendOTP",
            token,
            &json!({ "credentialID": credential_id }),
        )
        .map(|_| ())
    }

    /// `credentials/authorize` for one signature: the SAD.
    pub fn authorize(
        &self,
        token: &str,
        credential_id: &str,
        secrets: &AuthSecrets,
    ) -> Result<String> {
        let mut body = json!({ "credentialID": credential_id, "numSignatures": 1 });
        if let Some(p) = &secrets.pin {
            body["PIN"] = json!(p);
        }
        if let Some(o) = &secrets.otp {
            body["OTP"] = json!(o);
        }
        let (url, v) = self.call("credentials/authorize", token, &body)?;
        match get_str(&v, "SAD") {
            Some(s) if !s.is_empty() => Ok(s.to_string()),
            _ => Err(malformed(&url, "no SAD in the answer")),
        }
    }
}
