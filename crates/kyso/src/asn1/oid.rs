//! Object identifiers used by kyso, in dotted form.

// RFC 5652 §14 (CMS content types) and PKCS #9 attributes (RFC 2985).
pub const DATA: &str = "1.2.840.113549.1.7.1";
pub const SIGNED_DATA: &str = "1.2.840.113549.1.7.2";
pub const TST_INFO: &str = "1.2.840.113549.1.9.16.1.4";
pub const CONTENT_TYPE: &str = "1.2.840.113549.1.9.3";
pub const MESSAGE_DIGEST: &str = "1.2.840.113549.1.9.4";
pub const SIGNING_TIME: &str = "1.2.840.113549.1.9.5";
#[cfg(test)]
pub const COUNTER_SIGNATURE: &str = "1.2.840.113549.1.9.6";
#[cfg(test)]
pub const SMIME_CAPABILITIES: &str = "1.2.840.113549.1.9.15";
/// RFC 2634 §5.4 id-aa-signingCertificate.
pub const SIGNING_CERTIFICATE: &str = "1.2.840.113549.1.9.16.2.12";
/// RFC 5035 §3 id-aa-signingCertificateV2.
pub const SIGNING_CERTIFICATE_V2: &str = "1.2.840.113549.1.9.16.2.47";
/// RFC 3161 Appendix A id-aa-timeStampToken.
pub const SIGNATURE_TIMESTAMP_TOKEN: &str = "1.2.840.113549.1.9.16.2.14";
/// Adobe revocation info archival (PDF 32000-2 §12.8.3.3.2).
pub const ADBE_REVOCATION_INFO: &str = "1.2.840.113583.1.1.8";

// Digests: RFC 3370 §2.1 (SHA-1), RFC 5754 §2 (SHA-2).
pub const SHA1: &str = "1.3.14.3.2.26";
#[cfg(test)]
pub const SHA224: &str = "2.16.840.1.101.3.4.2.4";
pub const SHA256: &str = "2.16.840.1.101.3.4.2.1";
pub const SHA384: &str = "2.16.840.1.101.3.4.2.2";
pub const SHA512: &str = "2.16.840.1.101.3.4.2.3";

// RSA: RFC 8017 Appendix C, RFC 4055.
pub const RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";
pub const SHA1_WITH_RSA: &str = "1.2.840.113549.1.1.5";
pub const RSASSA_PSS: &str = "1.2.840.113549.1.1.10";
pub const SHA256_WITH_RSA: &str = "1.2.840.113549.1.1.11";
pub const SHA384_WITH_RSA: &str = "1.2.840.113549.1.1.12";
pub const SHA512_WITH_RSA: &str = "1.2.840.113549.1.1.13";
pub const SHA224_WITH_RSA: &str = "1.2.840.113549.1.1.14";
pub const MGF1: &str = "1.2.840.113549.1.1.8";

// EC: RFC 5480 §2.1.1, RFC 5758 §3.2.
pub const EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
pub const SECP256R1: &str = "1.2.840.10045.3.1.7";
pub const SECP384R1: &str = "1.3.132.0.34";
pub const SECP521R1: &str = "1.3.132.0.35";
pub const ECDSA_WITH_SHA1: &str = "1.2.840.10045.4.1";
pub const ECDSA_WITH_SHA224: &str = "1.2.840.10045.4.3.1";
pub const ECDSA_WITH_SHA256: &str = "1.2.840.10045.4.3.2";
pub const ECDSA_WITH_SHA384: &str = "1.2.840.10045.4.3.3";
pub const ECDSA_WITH_SHA512: &str = "1.2.840.10045.4.3.4";

// BSI TR-03111 §5.2.1 plain ECDSA (r‖s).
pub const ECDSA_PLAIN_SHA1: &str = "0.4.0.127.0.7.1.1.4.1.1";
pub const ECDSA_PLAIN_SHA224: &str = "0.4.0.127.0.7.1.1.4.1.2";
pub const ECDSA_PLAIN_SHA256: &str = "0.4.0.127.0.7.1.1.4.1.3";
pub const ECDSA_PLAIN_SHA384: &str = "0.4.0.127.0.7.1.1.4.1.4";
pub const ECDSA_PLAIN_SHA512: &str = "0.4.0.127.0.7.1.1.4.1.5";

// EdDSA: RFC 8410 §3.
pub const ED25519: &str = "1.3.101.112";
pub const ED448: &str = "1.3.101.113";

// X.520 attribute types (RFC 5280 Appendix A.1, RFC 4519).
pub const AT_COMMON_NAME: &str = "2.5.4.3";
#[cfg(test)]
pub const AT_SURNAME: &str = "2.5.4.4";
pub const AT_SERIAL_NUMBER: &str = "2.5.4.5";
pub const AT_COUNTRY: &str = "2.5.4.6";
pub const AT_LOCALITY: &str = "2.5.4.7";
pub const AT_STATE: &str = "2.5.4.8";
pub const AT_STREET: &str = "2.5.4.9";
pub const AT_ORGANIZATION: &str = "2.5.4.10";
pub const AT_ORGANIZATIONAL_UNIT: &str = "2.5.4.11";
pub const AT_TITLE: &str = "2.5.4.12";
#[cfg(test)]
pub const AT_GIVEN_NAME: &str = "2.5.4.42";
pub const AT_DOMAIN_COMPONENT: &str = "0.9.2342.19200300.100.1.25";
pub const AT_UID: &str = "0.9.2342.19200300.100.1.1";
pub const AT_EMAIL_ADDRESS: &str = "1.2.840.113549.1.9.1";

// Certificate extensions: RFC 5280 §4.2.
pub const EXT_SUBJECT_KEY_ID: &str = "2.5.29.14";
pub const EXT_KEY_USAGE: &str = "2.5.29.15";
pub const EXT_SUBJECT_ALT_NAME: &str = "2.5.29.17";
pub const EXT_BASIC_CONSTRAINTS: &str = "2.5.29.19";
pub const EXT_CRL_DISTRIBUTION_POINTS: &str = "2.5.29.31";
pub const EXT_CERTIFICATE_POLICIES: &str = "2.5.29.32";
pub const EXT_AUTHORITY_KEY_ID: &str = "2.5.29.35";
pub const EXT_EXTENDED_KEY_USAGE: &str = "2.5.29.37";
pub const EXT_AUTHORITY_INFO_ACCESS: &str = "1.3.6.1.5.5.7.1.1";

// Path validation and CRLs: RFC 5280 §4.2, §5.2, §5.3.
pub const EXT_SUBJECT_DIRECTORY_ATTRIBUTES: &str = "2.5.29.9";
pub const EXT_ISSUER_ALT_NAME: &str = "2.5.29.18";
pub const EXT_CRL_NUMBER: &str = "2.5.29.20";
pub const EXT_CRL_REASON: &str = "2.5.29.21";
pub const EXT_INVALIDITY_DATE: &str = "2.5.29.24";
pub const EXT_DELTA_CRL_INDICATOR: &str = "2.5.29.27";
pub const EXT_ISSUING_DISTRIBUTION_POINT: &str = "2.5.29.28";
pub const EXT_CERTIFICATE_ISSUER: &str = "2.5.29.29";
pub const EXT_NAME_CONSTRAINTS: &str = "2.5.29.30";
pub const EXT_POLICY_MAPPINGS: &str = "2.5.29.33";
pub const EXT_POLICY_CONSTRAINTS: &str = "2.5.29.36";
pub const EXT_FRESHEST_CRL: &str = "2.5.29.46";
pub const EXT_INHIBIT_ANY_POLICY: &str = "2.5.29.54";
pub const EXT_SUBJECT_INFO_ACCESS: &str = "1.3.6.1.5.5.7.1.11";
/// RFC 5280 §4.2.1.4 anyPolicy.
pub const ANY_POLICY: &str = "2.5.29.32.0";

// OCSP and authority information access: RFC 6960 §4.2.1, §4.2.2.2, §4.4; RFC 5280 §4.2.2.1.
/// id-ad-ocsp (AccessDescription method).
pub const AD_OCSP: &str = "1.3.6.1.5.5.7.48.1";
/// id-ad-caIssuers (AccessDescription method).
pub const AD_CA_ISSUERS: &str = "1.3.6.1.5.5.7.48.2";
/// id-pkix-ocsp-basic (ResponseBytes responseType).
pub const OCSP_BASIC: &str = "1.3.6.1.5.5.7.48.1.1";
/// id-pkix-ocsp-nonce (request/response extension).
pub const OCSP_NONCE: &str = "1.3.6.1.5.5.7.48.1.2";
/// id-pkix-ocsp-nocheck (delegated responder certificate extension).
pub const OCSP_NOCHECK: &str = "1.3.6.1.5.5.7.48.1.5";
/// id-kp-OCSPSigning (extended key usage of a delegated responder).
pub const KP_OCSP_SIGNING: &str = "1.3.6.1.5.5.7.3.9";
/// id-kp-timeStamping (RFC 3161 §2.3: the only extended key usage of a TSA certificate).
pub const KP_TIME_STAMPING: &str = "1.3.6.1.5.5.7.3.8";
/// anyExtendedKeyUsage (RFC 5280 §4.2.1.12).
pub const ANY_EXTENDED_KEY_USAGE: &str = "2.5.29.37.0";
/// id-kp-serverAuth (RFC 5280 §4.2.1.12).
pub const KP_SERVER_AUTH: &str = "1.3.6.1.5.5.7.3.1";
/// id-kp-clientAuth (RFC 5280 §4.2.1.12).
pub const KP_CLIENT_AUTH: &str = "1.3.6.1.5.5.7.3.2";
/// id-kp-codeSigning (RFC 5280 §4.2.1.12).
pub const KP_CODE_SIGNING: &str = "1.3.6.1.5.5.7.3.3";
/// id-kp-emailProtection (RFC 5280 §4.2.1.12).
pub const KP_EMAIL_PROTECTION: &str = "1.3.6.1.5.5.7.3.4";
/// id-kp-documentSigning (RFC 9336).
pub const KP_DOCUMENT_SIGNING: &str = "1.3.6.1.5.5.7.3.36";
/// Adobe Authentic Documents Trust document signing.
pub const KP_ADOBE_DOCUMENT_SIGNING: &str = "1.2.840.113583.1.1.5";
/// Microsoft document signing (szOID_KP_DOCUMENT_SIGNING).
pub const KP_MS_DOCUMENT_SIGNING: &str = "1.3.6.1.4.1.311.10.3.12";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asn1::{reader::decode_oid, writer};

    #[test]
    fn constants_round_trip() {
        for o in [
            DATA,
            SIGNED_DATA,
            TST_INFO,
            CONTENT_TYPE,
            MESSAGE_DIGEST,
            SIGNING_TIME,
            COUNTER_SIGNATURE,
            SMIME_CAPABILITIES,
            SIGNING_CERTIFICATE,
            SIGNING_CERTIFICATE_V2,
            SIGNATURE_TIMESTAMP_TOKEN,
            ADBE_REVOCATION_INFO,
            SHA1,
            SHA224,
            SHA256,
            SHA384,
            SHA512,
            RSA_ENCRYPTION,
            SHA1_WITH_RSA,
            RSASSA_PSS,
            SHA256_WITH_RSA,
            SHA384_WITH_RSA,
            SHA512_WITH_RSA,
            SHA224_WITH_RSA,
            MGF1,
            EC_PUBLIC_KEY,
            SECP256R1,
            SECP384R1,
            SECP521R1,
            ECDSA_WITH_SHA1,
            ECDSA_WITH_SHA224,
            ECDSA_WITH_SHA256,
            ECDSA_WITH_SHA384,
            ECDSA_WITH_SHA512,
            ECDSA_PLAIN_SHA1,
            ECDSA_PLAIN_SHA224,
            ECDSA_PLAIN_SHA256,
            ECDSA_PLAIN_SHA384,
            ECDSA_PLAIN_SHA512,
            ED25519,
            ED448,
            AT_COMMON_NAME,
            AT_SURNAME,
            AT_SERIAL_NUMBER,
            AT_COUNTRY,
            AT_LOCALITY,
            AT_STATE,
            AT_STREET,
            AT_ORGANIZATION,
            AT_ORGANIZATIONAL_UNIT,
            AT_TITLE,
            AT_GIVEN_NAME,
            AT_DOMAIN_COMPONENT,
            AT_UID,
            AT_EMAIL_ADDRESS,
            EXT_SUBJECT_KEY_ID,
            EXT_KEY_USAGE,
            EXT_SUBJECT_ALT_NAME,
            EXT_BASIC_CONSTRAINTS,
            EXT_CRL_DISTRIBUTION_POINTS,
            EXT_CERTIFICATE_POLICIES,
            EXT_AUTHORITY_KEY_ID,
            EXT_EXTENDED_KEY_USAGE,
            EXT_AUTHORITY_INFO_ACCESS,
            EXT_SUBJECT_DIRECTORY_ATTRIBUTES,
            EXT_ISSUER_ALT_NAME,
            EXT_CRL_NUMBER,
            EXT_CRL_REASON,
            EXT_INVALIDITY_DATE,
            EXT_DELTA_CRL_INDICATOR,
            EXT_ISSUING_DISTRIBUTION_POINT,
            EXT_CERTIFICATE_ISSUER,
            EXT_NAME_CONSTRAINTS,
            EXT_POLICY_MAPPINGS,
            EXT_POLICY_CONSTRAINTS,
            EXT_FRESHEST_CRL,
            EXT_INHIBIT_ANY_POLICY,
            EXT_SUBJECT_INFO_ACCESS,
            ANY_POLICY,
            AD_OCSP,
            AD_CA_ISSUERS,
            OCSP_BASIC,
            OCSP_NONCE,
            OCSP_NOCHECK,
            KP_OCSP_SIGNING,
            KP_TIME_STAMPING,
            ANY_EXTENDED_KEY_USAGE,
            KP_SERVER_AUTH,
            KP_CLIENT_AUTH,
            KP_CODE_SIGNING,
            KP_EMAIL_PROTECTION,
            KP_DOCUMENT_SIGNING,
            KP_ADOBE_DOCUMENT_SIGNING,
            KP_MS_DOCUMENT_SIGNING,
        ] {
            let der = writer::oid(o).unwrap();
            assert_eq!(decode_oid(&der[2..]).unwrap(), o);
        }
    }
}
