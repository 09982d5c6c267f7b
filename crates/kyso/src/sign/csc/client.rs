//! The client of one CSC service: base URL, transport, and the JSON helpers its calls share.

use super::*;

/// A client of one CSC API v1 service.
#[derive(Clone)]
pub struct CscClient {
    pub(super) base_url: String,
    pub(super) transport: Arc<dyn CscTransport>,
}

impl fmt::Debug for CscClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CscClient")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

pub(super) fn check_token(token: &str) -> Result<()> {
    if token.is_empty() || !token.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
        return Err(Error::InvalidArgument(
            "the access token is empty or holds characters an HTTP header cannot carry".into(),
        ));
    }
    Ok(())
}

pub(super) fn get_str<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

pub(super) fn get_text(v: &Value, key: &str) -> Option<String> {
    get_str(v, key).map(clean)
}

pub(super) fn decode_b64(s: &str) -> Option<Vec<u8>> {
    // Standard alphabet (CSC §11), tolerating the URL-safe one.
    let std: Vec<u8> = s
        .bytes()
        .map(|b| match b {
            b'-' => b'+',
            b'_' => b'/',
            b => b,
        })
        .collect();
    crate::base64::decode(&std).filter(|d| !d.is_empty())
}

impl CscClient {
    /// A client of the service whose API root is `base_url` (e.g. `http://host/csc/v1`; the
    /// endpoints `credentials/list`... are appended), over `transport`.
    pub fn new(base_url: impl Into<String>, transport: Arc<dyn CscTransport>) -> Self {
        CscClient {
            base_url: base_url.into().trim_end_matches('/').to_string(),
            transport,
        }
    }

    /// A client over [`UreqCscTransport::new`].
    pub fn over_http(base_url: impl Into<String>) -> Self {
        CscClient::new(base_url, Arc::new(UreqCscTransport::new()))
    }

    /// The API root.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub(super) fn url(&self, endpoint: &str) -> String {
        format!("{}/{endpoint}", self.base_url)
    }

    pub(super) fn call(
        &self,
        endpoint: &str,
        token: &str,
        body: &Value,
    ) -> Result<(String, Value)> {
        check_token(token)?;
        let url = self.url(endpoint);
        let v = self.transport.post_json(&url, Some(token), body)?;
        Ok((url, v))
    }
}
