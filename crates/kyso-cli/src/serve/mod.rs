//! `kyso serve`: a local signing and verification service with a web page, for document systems
//! that call a service on the user's own machine over loopback.
//!
//! Security: loopback only unless `--allow-remote`; the Host header must name the service
//! itself — the address the connection arrived on, `localhost`, or a `--public-name` — in every
//! mode (against DNS rebinding, see `origin`); a request with an Origin header is refused (403)
//! unless the Origin is the page's own or one of `--allow-origin` (CORS, Fetch standard §3.2);
//! heads are parsed strictly (`http`); bodies over `--max-body` get 413; one deadline per
//! connection from accept, and workers that no client can hold (`conn`); the PIN leaves the
//! environment at start (`secret`). Logs carry method, path, status and size, never a query, a
//! body, a key or a PIN.

mod conn;
mod http;
mod origin;
mod secret;

use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use kyso::sign::{SignOptions, Signer};
use kyso::verify::report::Report;
use kyso::verify::{text, Lang, VerifyOptions};

use http::{Request, Response};

/// The web page, served at `/` (plain HTML/CSS/JS, no external resources).
const PAGE: &str = include_str!("page.html");

#[derive(clap::Args)]
pub struct ServeArgs {
    /// Address and port to listen on. Only loopback addresses unless --allow-remote.
    #[arg(long, default_value = "127.0.0.1:8989")]
    listen: String,
    /// Allow listening on a non-loopback address. Anyone who can reach the port can then
    /// verify and, with a key configured, sign.
    #[arg(long)]
    allow_remote: bool,
    /// Another name this service answers to, besides the address it listens on (and
    /// localhost): HOST or HOST:PORT (default: the listening port). Requests whose Host names
    /// anything else are refused. Repeatable.
    #[arg(long, value_name = "HOST[:PORT]")]
    public_name: Vec<String>,
    /// A web origin allowed to call the API from a browser (CORS), e.g.
    /// https://vanban.example.gov.vn. Repeatable. Other origins are refused with 403.
    #[arg(long, value_name = "ORIGIN")]
    allow_origin: Vec<String>,
    /// Largest request body accepted, e.g. 50M, 200K or bytes; larger gets 413.
    #[arg(long, default_value = "50M", value_parser = parse_size)]
    max_body: u64,
    /// Requests handled at the same time (default: the number of cores).
    #[arg(long)]
    workers: Option<usize>,
    /// Requests that may wait for a worker; beyond that the answer is 503.
    #[arg(long, default_value_t = 64)]
    queue: usize,
    /// Connections open at once (each being read, waiting or answered); beyond that 503.
    #[arg(long, default_value_t = 256)]
    max_connections: usize,
    /// Seconds from accepting a connection to the end of its answer (head within 10 s).
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=3600))]
    timeout: u64,
    /// Sign with this PKCS#12 file (POST /v1/sign). The password comes from KYSO_PIN,
    /// --pin-file or a prompt on this terminal at start.
    #[arg(long)]
    p12: Option<PathBuf>,
    #[command(flatten)]
    token: crate::token::TokenSignArgs,
    /// File whose first line is the .p12 password or token PIN (when KYSO_PIN is not set).
    #[arg(long)]
    pin_file: Option<PathBuf>,
    #[command(flatten)]
    validation: crate::ValidationArgs,
}

/// `50M`, `200K`, `1G`, `1048576` (binary units; a trailing `B` or `iB` is accepted).
fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim().to_ascii_uppercase();
    let t = t.trim_end_matches("IB").trim_end_matches('B');
    let (num, mult) = match t.chars().last() {
        Some('K') => (&t[..t.len() - 1], 1u64 << 10),
        Some('M') => (&t[..t.len() - 1], 1 << 20),
        Some('G') => (&t[..t.len() - 1], 1 << 30),
        _ => (t, 1),
    };
    num.trim()
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(mult))
        .filter(|&n| n > 0)
        .ok_or_else(|| format!("{s:?} is not a size (e.g. 50M)"))
}

/// What every worker shares.
struct Service {
    verify: VerifyOptions,
    signer: Option<Box<dyn Signer>>,
    signer_name: Option<String>,
    allow_origins: Vec<String>,
    /// `--public-name`s, ports filled in.
    public_names: Vec<origin::Authority>,
    max_body: u64,
}

pub fn run(args: ServeArgs) -> u8 {
    // First, while this is the only thread: the PIN out of the environment (see `secret`).
    let env_pin = secret::take_env_pin();
    let addr: SocketAddr = match args.listen.parse() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("kyso: --listen {}: {e} (e.g. 127.0.0.1:8989)", args.listen);
            return crate::exit::USAGE;
        }
    };
    if !addr.ip().is_loopback() && !args.allow_remote {
        eprintln!(
            "kyso: --listen {addr} is not a loopback address; pass --allow-remote to listen there"
        );
        return crate::exit::USAGE;
    }
    for o in &args.allow_origin {
        if !(o.starts_with("http://") || o.starts_with("https://")) || o.ends_with('/') {
            eprintln!("kyso: --allow-origin {o}: give an origin such as https://example.vn (scheme, host, optional port; no path)");
            return crate::exit::USAGE;
        }
    }
    let verify = match verify_options(&args) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("kyso: {e}");
            return crate::exit::USAGE;
        }
    };
    // The key is opened once, at start (the PIN asked on this terminal, if needed); every
    // copy of the PIN is zeroed when this returns.
    let signer = match open_signer(&args, env_pin) {
        Ok(s) => s,
        Err(e) => return crate::fail(e),
    };
    let signer_name = signer.as_ref().map(|s| {
        kyso::pki::Certificate::from_der(s.certificate_der())
            .map(|c| text::short_name(&c.subject.to_rfc4514()))
            .unwrap_or_default()
    });
    let listener = match TcpListener::bind(addr) {
        Ok(l) => l,
        Err(e) => return crate::fail(format!("cannot listen on {addr}: {e}")),
    };
    let bound = match listener.local_addr() {
        Ok(a) => a,
        Err(e) => return crate::fail(format!("cannot listen on {addr}: {e}")),
    };
    let mut public_names = Vec::new();
    for name in &args.public_name {
        match origin::Authority::parse(name, bound.port()) {
            Some(a) => public_names.push(a),
            None => {
                eprintln!("kyso: --public-name {name}: give a host name or address, optionally with :PORT");
                return crate::exit::USAGE;
            }
        }
    }
    let workers = args
        .workers
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()))
        .max(1);
    let service = Arc::new(Service {
        verify,
        signer,
        signer_name,
        allow_origins: args.allow_origin.clone(),
        public_names,
        max_body: args.max_body,
    });
    // The first line on stdout is the address (tests and scripts read it).
    outln!("kyso serve: http://{bound}/");
    eprintln!(
        "kyso serve: {} {}, {workers} workers, queue {}, max body {} bytes",
        match &service.signer_name {
            Some(n) => format!("signing as \"{n}\";"),
            None => "signing off (no --p12/--pkcs11);".into(),
        },
        if service.allow_origins.is_empty() {
            "no other web origin allowed".to_string()
        } else {
            format!("origins allowed: {}", service.allow_origins.join(" "))
        },
        args.queue,
        service.max_body
    );
    let limits = conn::Limits {
        workers,
        queue: args.queue,
        max_connections: args.max_connections.max(1),
        timeout: Duration::from_secs(args.timeout),
    };
    conn::serve(listener, service, limits);
    crate::exit::OK
}

/// The key of `--p12` or `--pkcs11`, if any, opened with `env_pin` (KYSO_PIN), else the PIN
/// file, else a prompt.
fn open_signer(
    args: &ServeArgs,
    env_pin: Option<secret::Pin>,
) -> Result<Option<Box<dyn Signer>>, String> {
    let pin_file = args.pin_file.as_deref();
    if let Some(path) = &args.p12 {
        let p12 = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let id = secret::open_p12(&p12, env_pin.as_ref(), pin_file)?;
        return Ok(Some(Box::new(id)));
    }
    if args.token.pkcs11.is_some() {
        let pin = secret::token_pin(env_pin, pin_file)?;
        let signer =
            crate::token::open_signer_with_pin(&args.token, &pin).map_err(|e| e.to_string())?;
        return Ok(Some(Box::new(signer)));
    }
    Ok(None)
}

fn verify_options(args: &ServeArgs) -> Result<VerifyOptions, String> {
    args.validation.verify_options(None, Lang::Vi)
}

fn log(method: &str, path: &str, status: u16, bytes: usize, took: Duration) {
    // Only the path: the query may carry a reason or a name, never a secret, but keep it out.
    let path: String = path.chars().take(100).filter(|c| !c.is_control()).collect();
    let method: String = method
        .chars()
        .take(10)
        .filter(|c| !c.is_control())
        .collect();
    eprintln!(
        "kyso serve: {method} {path} {status} {bytes} B {} ms",
        took.as_millis()
    );
}

/// Whether the origin may call the API: one of --allow-origin, or the service's own page
/// (under one of the service's own names, never the request's Host).
fn origin_allowed(service: &Service, own: &[origin::Authority], origin: &str) -> bool {
    service.allow_origins.iter().any(|o| o == origin) || origin::origin_is_own(own, origin)
}

/// Refusals decided on the head alone, before the body is read. `own`: the names this
/// connection may use (`origin::own_names`).
fn check_head(
    service: &Service,
    req: &Request,
    length: Option<u64>,
    own: &[origin::Authority],
) -> Option<Response> {
    // DNS rebinding: a page of evil.example re-pointed at this machine sends Host:
    // evil.example. RFC 9110 §7.4: refused, in every mode.
    if !origin::host_is_own(own, &req.authority) {
        return Some(Response::error(
            403,
            "host_not_allowed",
            format!(
                "the Host header must name this service ({})",
                own.iter()
                    .map(|a| a.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    if let Some(origin) = req.header("origin") {
        if !origin_allowed(service, own, origin) {
            return Some(Response::error(
                403,
                "origin_not_allowed",
                format!("origin {origin} is not allowed (kyso serve --allow-origin)"),
            ));
        }
    }
    let known = matches!(
        req.path.as_str(),
        "/" | "/index.html" | "/v1/health" | "/v1/verify" | "/v1/sign" | "/v1/extract"
    );
    if !known {
        return Some(Response::error(404, "not_found", "no such endpoint"));
    }
    if req.method == "POST" {
        match length {
            None => {
                return Some(Response::error(
                    411,
                    "length_required",
                    "send the PDF as the body, with a Content-Length",
                ))
            }
            Some(n) if n > service.max_body => {
                return Some(Response::error(
                    413,
                    "payload_too_large",
                    format!(
                        "the body ({n} bytes) is larger than the limit of {} bytes",
                        service.max_body
                    ),
                ))
            }
            _ => {}
        }
    }
    None
}

/// Adds the CORS headers for an allowed cross-origin caller.
fn cors(
    service: &Service,
    origin: Option<&str>,
    own: &[origin::Authority],
    resp: Response,
) -> Response {
    match origin {
        Some(o) if origin_allowed(service, own, o) => resp
            .with_header("Access-Control-Allow-Origin", o)
            .with_header(
                "Access-Control-Expose-Headers",
                "X-Kyso-Field, X-Kyso-Signing-Time, X-Kyso-Signed-Revision",
            )
            .with_header("Vary", "Origin"),
        _ => resp.with_header("Vary", "Origin"),
    }
}

fn route(service: &Service, req: &Request) -> Response {
    match (req.method.as_str(), req.path.as_str()) {
        ("OPTIONS", _) => preflight(req),
        ("GET", "/" | "/index.html") => {
            Response::new(200, "text/html; charset=utf-8", PAGE.as_bytes().to_vec())
                .with_header(
                    "Content-Security-Policy",
                    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; \
                     connect-src 'self'; img-src data:; form-action 'none'; frame-ancestors 'none'",
                )
                .with_header("X-Frame-Options", "DENY")
                .with_header("Referrer-Policy", "no-referrer")
        }
        ("GET", "/v1/health") => Response::json(
            200,
            &serde_json::json!({
                "status": "ok",
                "version": env!("CARGO_PKG_VERSION"),
                "signing": service.signer.is_some(),
                "signer": service.signer_name,
            }),
        ),
        ("POST", "/v1/verify") => verify(service, req),
        ("POST", "/v1/sign") => sign(service, req),
        ("POST", "/v1/extract") => extract(req),
        _ => Response::error(405, "method_not_allowed", "method not allowed here")
            .with_header("Allow", "GET, POST, OPTIONS"),
    }
}

/// CORS preflight (Fetch standard §3.2.2); the Origin was already checked.
fn preflight(req: &Request) -> Response {
    let mut resp = Response::new(204, "text/plain", Vec::new())
        .with_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
        .with_header("Access-Control-Allow-Headers", "Content-Type")
        .with_header("Access-Control-Max-Age", "600");
    // Chrome's Private Network Access asks before a public page calls a loopback service.
    if req
        .header("access-control-request-private-network")
        .is_some_and(|v| v == "true")
    {
        resp = resp.with_header("Access-Control-Allow-Private-Network", "true");
    }
    resp
}

fn lang_of(req: &Request) -> Lang {
    match req.param("lang") {
        Some("en") => Lang::En,
        _ => Lang::Vi,
    }
}

fn verify(service: &Service, req: &Request) -> Response {
    if req.body.is_empty() {
        return Response::error(400, "empty_body", "send the PDF as the request body");
    }
    let lang = lang_of(req);
    let opts = VerifyOptions {
        lang,
        ..service.verify.clone()
    };
    match kyso::verify::verify_bytes(&req.body, &opts) {
        Ok(mut report) => {
            report.file = req.param("name").map(str::to_string);
            let mut json = report_json(&report, lang);
            add_visual(&mut json, &report, &req.body, lang);
            Response::json(200, &json)
        }
        Err(e) => Response::error(422, "unreadable_pdf", e),
    }
}

/// The signed version of one signature of the PDF in the body (`?signature=N`, 1 = the first,
/// or `?field=NAME`): the document as it was when that signature was made, as `kyso extract`.
fn extract(req: &Request) -> Response {
    if req.body.is_empty() {
        return Response::error(400, "empty_body", "send the PDF as the request body");
    }
    let which = match (req.param("signature"), req.param("field")) {
        (Some(n), None) => match n.parse::<usize>() {
            Ok(n) => kyso::extract::Which::Number(n),
            Err(_) => return Response::error(400, "bad_parameter", "signature must be a number"),
        },
        (None, Some(f)) => kyso::extract::Which::Field(f.to_string()),
        _ => {
            return Response::error(
                400,
                "bad_parameter",
                "give exactly one of signature=N (1 = the first) or field=NAME",
            )
        }
    };
    let source = std::sync::Arc::new(kyso::pdf::MemorySource::new(req.body.clone()));
    match kyso::extract::signed_version(source, &which) {
        Ok(v) => Response::new(
            200,
            "application/pdf",
            req.body[..v.length as usize].to_vec(),
        )
        .with_header("X-Kyso-Signed-Revision", v.revision.to_string()),
        Err(kyso::Error::InvalidArgument(e)) => Response::error(400, "bad_parameter", e),
        Err(e) => Response::error(422, "unreadable_pdf", e),
    }
}

/// The JSON of `kyso verify --json`, plus `exit_code`, `verdict` (in words) and `display`: the
/// words of the text report for each signature (the page shows them as they are).
/// The visual check for the page (issue 14): per signature, `display[i].visual` in words and
/// `display[i].pictures`: the signed version's first page and each page with a difference
/// (boxes outlined) as PNG data: URIs.
fn add_visual(json: &mut serde_json::Value, report: &Report, pdf: &[u8], lang: Lang) {
    let Some(display) = json.get_mut("display").and_then(|d| d.as_array_mut()) else {
        return;
    };
    for (d, s) in display.iter_mut().zip(&report.signatures) {
        let pictures: Vec<serde_json::Value> = kyso::visual::pictures(pdf, s, 40.0, 6)
            .iter()
            .map(|p| {
                serde_json::json!({
                    "page": p.page,
                    "kind": match p.kind {
                        kyso::visual::PictureKind::Signed => "signed",
                        kyso::visual::PictureKind::Difference => "difference",
                    },
                    "src": format!("data:image/png;base64,{}", kyso::base64::encode(&p.png)),
                })
            })
            .collect();
        if let Some(o) = d.as_object_mut() {
            o.insert("visual".into(), text::visual_text(s, lang).into());
            o.insert("pictures".into(), pictures.into());
        }
    }
}

fn report_json(report: &Report, lang: Lang) -> serde_json::Value {
    let mut v = serde_json::to_value(report).unwrap_or_default();
    let verdict = if report.signatures.is_empty() {
        if lang == Lang::Vi {
            "KHÔNG CÓ CHỮ KÝ"
        } else {
            "NO SIGNATURE"
        }
    } else {
        text::verdict_text(report.indication, lang)
    };
    let display: Vec<_> = report
        .signatures
        .iter()
        .map(|s| {
            serde_json::json!({
                "verdict": text::verdict_text(s.indication, lang),
                "integrity": text::integrity_text(s, lang),
                "coverage": text::coverage_text(s, lang),
                "valid_at_signing": text::valid_at_signing_text(s, lang),
                "revocation": text::revocation_text(s, lang),
                "chain": s.certificates.iter().map(|c| text::short_name(&c.subject)).collect::<Vec<_>>(),
            })
        })
        .collect();
    if let Some(o) = v.as_object_mut() {
        o.insert("exit_code".into(), report.exit_code().into());
        o.insert("verdict".into(), verdict.into());
        o.insert("display".into(), display.into());
    }
    v
}

fn sign(service: &Service, req: &Request) -> Response {
    let Some(signer) = &service.signer else {
        return Response::error(
            501,
            "signing_not_configured",
            "this service has no key: start it with --p12 FILE or --pkcs11 MODULE",
        );
    };
    if req.body.is_empty() {
        return Response::error(400, "empty_body", "send the PDF as the request body");
    }
    let page = match req.param("page").map(str::parse::<usize>) {
        None => 1,
        Some(Ok(p)) if p >= 1 => p,
        Some(_) => return Response::error(400, "bad_parameter", "page must be 1 or more"),
    };
    let certify = match req.param("certify").map(str::parse::<u8>) {
        None => None,
        Some(Ok(p @ 1..=3)) => Some(p),
        Some(_) => return Response::error(400, "bad_parameter", "certify must be 1, 2 or 3"),
    };
    let text_param = |n: &str| req.param(n).filter(|v| !v.is_empty()).map(str::to_string);
    let opts = SignOptions {
        reason: text_param("reason"),
        location: text_param("location"),
        contact_info: text_param("contact"),
        name: text_param("name"),
        field_name: text_param("field"),
        page,
        certify,
        ..SignOptions::default()
    };
    match kyso::sign::sign_bytes(&req.body, signer.as_ref(), &opts) {
        Ok((pdf, outcome)) => Response::new(200, "application/pdf", pdf)
            .with_header("Content-Disposition", "attachment; filename=\"signed.pdf\"")
            .with_header(
                "X-Kyso-Field",
                outcome
                    .field
                    .chars()
                    .filter(char::is_ascii)
                    .collect::<String>(),
            )
            .with_header("X-Kyso-Signing-Time", outcome.signing_time),
        Err(e @ (kyso::Error::NotPdf(_) | kyso::Error::MalformedPdf(_))) => {
            Response::error(422, "unreadable_pdf", e)
        }
        Err(e) => Response::error(422, "sign_failed", e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("50M"), Ok(50 << 20));
        assert_eq!(parse_size("200kb"), Ok(200 << 10));
        assert_eq!(parse_size("1GiB"), Ok(1 << 30));
        assert_eq!(parse_size("1234"), Ok(1234));
        assert!(parse_size("0").is_err());
        assert!(parse_size("lots").is_err());
    }
}
