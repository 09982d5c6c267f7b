use super::*;

#[test]
fn errors_are_classified() {
    let kind = |status, body: &str| match json_from_response("u", status, body.as_bytes()) {
        Err(Error::Csc { kind, .. }) => kind,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        kind(400, r#"{"error":"invalid_pin"}"#),
        CscFailure::WrongPin
    );
    assert_eq!(
        kind(400, r#"{"error":"invalid_otp"}"#),
        CscFailure::WrongOtp
    );
    assert_eq!(kind(401, "nope"), CscFailure::AccessDenied);
    assert_eq!(
        kind(
            400,
            r#"{"error":"invalid_request","error_description":"Invalid parameter credentialID"}"#
        ),
        CscFailure::CredentialNotFound
    );
    assert_eq!(kind(200, "<html>"), CscFailure::Malformed);
    assert_eq!(kind(200, r#"{"error":"x"}"#), CscFailure::Http);
    assert_eq!(kind(302, ""), CscFailure::Http);
    let e = json_from_response(
        "u",
        500,
        br#"{"error":"server_error","error_description":"bad\u001b[31m"}"#,
    )
    .unwrap_err();
    assert!(
        matches!(&e, Error::Csc { kind: CscFailure::Http, status: Some(500), error: Some(c), .. } if c == "server_error")
    );
    assert!(!e.to_string().contains('\u{1b}'), "{e}");
    assert!(json_from_response("u", 204, b"").unwrap().is_object());
}

#[test]
fn plain_http_only_to_loopback() {
    let t = UreqCscTransport::new();
    assert!(t.check_url("http://127.0.0.1:8080/csc/v1").is_ok());
    assert!(t.check_url("http://localhost/x").is_ok());
    assert!(t.check_url("http://[::1]:9/x").is_ok());
    assert!(t.check_url("http://127.0.0.1.evil.example/x").is_err());
    assert!(t.check_url("http://user@rmgateway.vnptit.vn/csc").is_err());
    // TLS: the token may go to any host.
    assert!(t.check_url("https://example.vn/").is_ok());
    assert!(t.check_url("ftp://example.vn/").is_err());
    let t = t.allow_plain_http(true);
    assert!(t.check_url("http://example.vn/").is_ok());
}

#[test]
fn ecdsa_values_become_der() {
    let mut raw = vec![0u8; 64];
    raw[0] = 0x80;
    raw[63] = 1;
    let der = ecdsa_to_der(&raw, 32).unwrap();
    assert!(is_der_ecdsa(&der));
    assert_eq!(ecdsa_to_der(&der, 32).unwrap(), der);
    assert!(ecdsa_to_der(&raw[1..], 32).is_none());
}

#[test]
fn secrets_are_not_shown() {
    let s = format!("{:?}", AuthSecrets::pin_and_otp("123456", "999"));
    assert!(!s.contains("123456") && !s.contains("999"), "{s}");
}
