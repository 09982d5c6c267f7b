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
//! body, a key or a PIN. `/v1/sign` takes `kyso sign`'s options by their flag names and refuses
//! unknown ones (`params`); pictures come uploaded (`multipart`) or by bare name from
//! `--image-dir`, never by path; `--confirm` asks on the terminal before each signature
//! (`confirm`).

mod confirm;
mod conn;
mod http;
mod multipart;
mod origin;
mod params;
mod secret;

use base64ct::{Base64, Encoding};
use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kyso::sign::Signer;
use kyso::text::report as text;
use kyso::text::Lang;
use kyso::verify::report::Report;
use kyso::verify::VerifyOptions;

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
    /// Folder of signature and seal pictures that POST /v1/sign may name with `image=NAME`
    /// (a bare file name in this folder; never a path). Without it, pictures are uploaded.
    #[arg(long, value_name = "DIR")]
    image_dir: Option<PathBuf>,
    /// Largest picture accepted in an upload to POST /v1/sign, e.g. 2M; larger gets 413.
    #[arg(long, default_value = "2M", value_parser = parse_size)]
    max_image: u64,
    /// Ask on this terminal before every signature (file name, page count, role): y/N.
    /// Without a terminal, or without an answer within --confirm-timeout, nothing is signed.
    #[arg(long)]
    confirm: bool,
    /// Seconds to wait for the answer of --confirm (added to --timeout).
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=3600))]
    confirm_timeout: u64,
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
    image_dir: Option<PathBuf>,
    max_image: u64,
    /// `--confirm`: the answer's timeout; one question on the terminal at a time.
    confirm: Option<Duration>,
    confirm_lock: Mutex<()>,
}

pub fn run(args: ServeArgs) -> u8 {
    // First, while this is the only thread: the PIN out of the environment (see `secret`).
    let env_pin = secret::take_env_pin();
    let addr: SocketAddr = match args.listen.parse() {
        Ok(a) => a,
        Err(e) => {
            let l = &args.listen;
            return crate::usage(crate::help_text::say(
                &format!("--listen {l}: không phải địa chỉ và cổng ({e}; ví dụ 127.0.0.1:8989)"),
                &format!("--listen {l}: {e} (e.g. 127.0.0.1:8989)"),
            ));
        }
    };
    if let Some(dir) = &args.image_dir {
        if !dir.is_dir() {
            let d = dir.display();
            return crate::usage(crate::help_text::say(
                &format!("--image-dir {d}: không phải thư mục"),
                &format!("--image-dir {d}: not a folder"),
            ));
        }
    }
    if !addr.ip().is_loopback() && !args.allow_remote {
        return crate::usage(crate::help_text::say(
            &format!(
                "--listen {addr} không phải địa chỉ loopback; dùng --allow-remote để nghe ở đó"
            ),
            &format!(
                "--listen {addr} is not a loopback address; pass --allow-remote to listen there"
            ),
        ));
    }
    for o in &args.allow_origin {
        if !(o.starts_with("http://") || o.starts_with("https://")) || o.ends_with('/') {
            return crate::usage(crate::help_text::say(
                &format!("--allow-origin {o}: hãy cho một origin như https://example.vn (giao thức, tên máy, có thể có cổng; không có đường dẫn)"),
                &format!("--allow-origin {o}: give an origin such as https://example.vn (scheme, host, optional port; no path)"),
            ));
        }
    }
    let verify = match verify_options(&args) {
        Ok(v) => v,
        Err(e) => return crate::usage(e),
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
        Err(e) => {
            return crate::fail(crate::help_text::say(
                &format!("không nghe được trên {addr}: {e}"),
                &format!("cannot listen on {addr}: {e}"),
            ))
        }
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
                return crate::usage(crate::help_text::say(
                    &format!(
                        "--public-name {name}: hãy cho tên máy hoặc địa chỉ, có thể kèm :CỔNG"
                    ),
                    &format!(
                        "--public-name {name}: give a host name or address, optionally with :PORT"
                    ),
                ));
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
        image_dir: args.image_dir.clone(),
        max_image: args.max_image,
        confirm: args
            .confirm
            .then(|| Duration::from_secs(args.confirm_timeout)),
        confirm_lock: Mutex::new(()),
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
    if let Some(t) = service.confirm {
        eprintln!(
            "kyso serve: --confirm: every signature is asked for on this terminal ({} s to answer)",
            t.as_secs()
        );
    }
    let limits = conn::Limits {
        workers,
        queue: args.queue,
        max_connections: args.max_connections.max(1),
        // The person asked by --confirm gets their time on top of the request's.
        timeout: Duration::from_secs(
            args.timeout
                + if args.confirm {
                    args.confirm_timeout
                } else {
                    0
                },
        ),
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
    args.validation.verify_options(args.validation.request())
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
                "X-Kyso-Field, X-Kyso-Signing-Time, X-Kyso-Signed-Revision, X-Kyso-Warning-Codes",
            )
            .with_header("Vary", "Origin"),
        _ => resp.with_header("Vary", "Origin"),
    }
}

/// The answer to `req`; `deadline`: when its connection's answer is due.
fn route(service: &Service, req: &Request, deadline: Instant) -> Response {
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
                "confirm": service.confirm.is_some(),
                "image_dir": service.image_dir.is_some(),
            }),
        ),
        ("POST", "/v1/verify") => verify(service, req),
        ("POST", "/v1/sign") => sign(service, req, deadline),
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

fn verify(service: &Service, req: &Request) -> Response {
    if req.body.is_empty() {
        return Response::error(400, "empty_body", "send the PDF as the request body");
    }
    let (opts, lang) = match params::verify_options(&service.verify, &req.query) {
        Ok(o) => o,
        Err(e) => return Response::error(400, "bad_parameter", e),
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
        let pictures: Vec<serde_json::Value> =
            kyso::visual::pictures(pdf, s.byte_range.as_deref(), s.visual.as_ref(), 40.0, 6)
                .iter()
                .map(|p| {
                    serde_json::json!({
                        "page": p.page,
                        "kind": match p.kind {
                            kyso::visual::PictureKind::Signed => "signed",
                            kyso::visual::PictureKind::Difference => "difference",
                        },
                        "src": format!("data:image/png;base64,{}", Base64::encode_string(&p.png)),
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
    // The words of the report in the page's language, verdicts from the one vocabulary
    // (kyso::text::verdict) that the CLI, batch table and HTML report use too.
    let mut report = report.clone();
    kyso::text::report::localise(&mut report, lang);
    let report = &report;
    let mut v = serde_json::to_value(report).unwrap_or_default();
    let verdict = report.verdict.clone();
    let display: Vec<_> = report
        .signatures
        .iter()
        .map(|s| {
            serde_json::json!({
                "verdict": s.verdict,
                "verdict_class": s.verdict_class,
                "signer": s.signer.as_ref().map(|g| g.common_name.clone().unwrap_or_else(|| kyso::text::name_of_dn(&g.subject))),
                "issuer": s.signer.as_ref().map(|g| kyso::text::name_of_dn(&g.issuer)),
                "validity": s.signer.as_ref().map(|g| format!("{} → {}", kyso::text::date_str(&g.not_before), kyso::text::date_str(&g.not_after))),
                "signing_time": s.signing_time.as_deref().map(kyso::text::date_str),
                "trust": text::trust_text(s, lang),
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
        o.insert("decree30_display".into(), decree30_display(report, lang));
    }
    v
}

/// The Decree 30/2020 section in words for the page (issue #15): verdict, each signature's
/// role, and every point with its evidence.
fn decree30_display(report: &Report, lang: Lang) -> serde_json::Value {
    use kyso::text::decree30 as words;
    let d = &report.decree30;
    serde_json::json!({
        "title": words::title(lang),
        "verdict": words::conformity_text(d.status, lang),
        "kind": d.kind.map(|k| words::kind_text(k, lang)),
        "roles": report.signatures.iter().map(|s| s.role.as_ref().map(|f| words::role_line(f, lang))).collect::<Vec<_>>(),
        "points": d.points.iter().map(|p| serde_json::json!({
            "status": p.status,
            "status_text": words::status_text(p.status, lang),
            "point": words::code_text(p.code, lang),
            "evidence": words::evidence_text(&p.evidence, lang),
        })).collect::<Vec<_>>(),
    })
}

/// The PDF, the uploaded picture (if any) and the file name of a `/v1/sign` body: the PDF as
/// it is, or `multipart/form-data` with the parts `pdf` and `image`.
struct SignBody<'a> {
    pdf: &'a [u8],
    image: Option<&'a [u8]>,
    file_name: Option<String>,
    /// Form fields (parts without a file name): parameters, as those of the query.
    fields: Vec<(String, String)>,
}

fn sign_body<'a>(service: &Service, req: &'a Request) -> Result<SignBody<'a>, Response> {
    let content_type = req.header("content-type").unwrap_or("");
    let boundary = match multipart::boundary(content_type) {
        None => {
            return Ok(SignBody {
                pdf: &req.body,
                image: None,
                file_name: None,
                fields: Vec::new(),
            })
        }
        Some(Err(e)) => return Err(Response::error(400, "bad_body", e)),
        Some(Ok(b)) => b,
    };
    let parts =
        multipart::parse(&req.body, &boundary).map_err(|e| Response::error(400, "bad_body", e))?;
    let mut body = SignBody {
        pdf: &[],
        image: None,
        file_name: None,
        fields: Vec::new(),
    };
    let mut pdf_seen = false;
    for part in &parts {
        match part.name.as_str() {
            "pdf" if !pdf_seen => {
                pdf_seen = true;
                body.pdf = part.data;
                body.file_name = part.file_name.clone();
            }
            "image" if body.image.is_none() => {
                if part.data.len() as u64 > service.max_image {
                    return Err(Response::error(
                        413,
                        "image_too_large",
                        format!(
                            "the picture ({} bytes) is larger than the limit of {} bytes (kyso serve --max-image)",
                            part.data.len(),
                            service.max_image
                        ),
                    ));
                }
                body.image = Some(part.data);
            }
            "pdf" | "image" => {
                return Err(Response::error(
                    400,
                    "bad_body",
                    format!("the part {} is given more than once", part.name),
                ))
            }
            // A form field: a parameter (checked with the query's).
            name if part.file_name.is_none() => match std::str::from_utf8(part.data) {
                Ok(v) => body.fields.push((name.to_string(), v.to_string())),
                Err(_) => {
                    return Err(Response::error(
                        400,
                        "bad_body",
                        format!(
                            "the field {} is not UTF-8 text",
                            text::visible(&name.chars().take(60).collect::<String>())
                        ),
                    ))
                }
            },
            other => {
                return Err(Response::error(
                    400,
                    "unknown_part",
                    format!(
                        "unknown part {} (known: pdf, image, and parameters as form fields)",
                        text::visible(&other.chars().take(60).collect::<String>())
                    ),
                ))
            }
        }
    }
    Ok(body)
}

fn sign(service: &Service, req: &Request, deadline: Instant) -> Response {
    let Some(signer) = &service.signer else {
        return Response::error(
            501,
            "signing_not_configured",
            "this service has no key: start it with --p12 FILE or --pkcs11 MODULE",
        );
    };
    let body = match sign_body(service, req) {
        Ok(b) => b,
        Err(resp) => return resp,
    };
    // The query's parameters and the form's fields, one request (a name in both is refused
    // as given twice).
    let pairs: Vec<(String, String)> = req.query.iter().chain(&body.fields).cloned().collect();
    let params = match params::SignParams::parse(&pairs) {
        Ok(p) => p,
        Err(e) => return Response::error(400, "bad_parameter", e),
    };
    if body.pdf.is_empty() {
        return Response::error(
            400,
            "empty_body",
            "send the PDF as the request body (or as the part \"pdf\" of multipart/form-data)",
        );
    }
    // The picture: a bare name in --image-dir, or the upload (kept in a private temporary
    // file for the signing only) — never a path the caller chooses.
    let mut _upload = None;
    let image = match (&params.image_name, body.image) {
        (Some(_), Some(_)) => {
            return Response::error(
                400,
                "bad_parameter",
                "give the picture either as image=NAME or as an uploaded part, not both",
            )
        }
        (Some(name), None) => {
            let Some(dir) = &service.image_dir else {
                return Response::error(
                    400,
                    "bad_parameter",
                    "image=NAME needs a folder of pictures (kyso serve --image-dir DIR); or upload the picture as multipart/form-data",
                );
            };
            match params::image_in_dir(dir, name) {
                Ok(p) => Some(p),
                Err(e) => return Response::error(400, "bad_parameter", e),
            }
        }
        (None, Some(bytes)) => {
            let file = tempfile::Builder::new()
                .prefix("kyso-serve-image-")
                .suffix(".png")
                .tempfile()
                .and_then(|mut f| {
                    std::io::Write::write_all(&mut f, bytes)?;
                    Ok(f)
                });
            match file {
                Ok(f) => {
                    let path = f.path().to_path_buf();
                    // Removed on Ctrl-C / SIGTERM as well as on drop (interrupt.rs).
                    let tracked = kyso::output::track(&path);
                    _upload = Some((f, tracked));
                    Some(path)
                }
                Err(e) => {
                    return Response::error(500, "internal_error", format!("temporary file: {e}"))
                }
            }
        }
        (None, None) => None,
    };
    let opts = match params.sign_options(image) {
        Ok(o) => o,
        Err(e) => return Response::error(400, "bad_parameter", e),
    };
    // As `kyso sign` does: the signer's own certificate, revoked → refused unless force; its
    // remarks go with the others into X-Kyso-Warning-Codes.
    let own = crate::own_certificate_check(
        signer.certificate_der(),
        signer.chain_der(),
        &service.verify.crls,
        service.verify.online,
        opts.force,
    );
    let own_warnings = match own {
        Ok(w) => w,
        Err(crate::OwnRevoked { time, reason }) => {
            return Response::error(
                422,
                "certificate_revoked",
                format!(
                    "{} (force=1 to sign anyway)",
                    kyso::text::sign::own_certificate_revoked(&time, &reason, kyso::text::Lang::En)
                ),
            )
        }
    };
    if let Some(timeout) = service.confirm {
        if let Err(resp) = confirm_signing(service, &params, &body, timeout, deadline) {
            return resp;
        }
    }
    match kyso::ltv::sign_bytes(body.pdf, signer.as_ref(), &opts) {
        Ok((pdf, outcome)) => Response::new(200, "application/pdf", pdf)
            .with_header(
                "X-Kyso-Warning-Codes",
                own_warnings
                    .iter()
                    .chain(outcome.warnings.iter())
                    .map(kyso::sign::SignWarning::code)
                    .collect::<Vec<_>>()
                    .join(","),
            )
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
        Err(e @ (kyso::Error::InvalidArgument(_) | kyso::Error::Needs { .. })) => {
            Response::error(400, "bad_parameter", e)
        }
        Err(e) => Response::error(422, "sign_failed", e),
    }
}

/// `--confirm`: file name, page count and role on the terminal, y/N; Err (403) unless yes.
fn confirm_signing(
    service: &Service,
    params: &params::SignParams,
    body: &SignBody,
    timeout: Duration,
    deadline: Instant,
) -> Result<(), Response> {
    let source = Arc::new(kyso::pdf::MemorySource::new(body.pdf.to_vec()));
    let pages = kyso::pdf::Document::open(source)
        .and_then(|doc| doc.pages_at(doc.last_revision()))
        .map_err(|e| Response::error(422, "unreadable_pdf", e))?
        .len();
    let name = params
        .file_name
        .clone()
        .or_else(|| body.file_name.clone())
        .unwrap_or_else(|| "(không tên / unnamed)".into());
    let name: String = name.chars().take(120).collect();
    let name = text::visible(&name);
    let role = params.request.role.as_deref().unwrap_or("invisible");
    let question = format!(
        "\nkyso serve: ký / sign \"{name}\" ({pages} trang / pages) as {role}, signer \"{}\"? [y/N] ",
        service.signer_name.as_deref().unwrap_or(""),
    );
    // One question at a time; a request whose caller has given up is not asked about.
    let _turn = service
        .confirm_lock
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err(Response::error(
            403,
            "not_confirmed",
            "the request expired before it could be confirmed",
        ));
    }
    let answer = confirm::ask(&question, timeout.min(left));
    let refusal = match answer {
        confirm::Answer::Yes => {
            eprintln!("kyso serve: confirmation: signing accepted at the terminal");
            return Ok(());
        }
        confirm::Answer::No => "the signature was refused at the service's terminal".to_string(),
        confirm::Answer::TimedOut => format!(
            "no answer at the service's terminal within {} s: not signed",
            timeout.min(left).as_secs()
        ),
        confirm::Answer::NoTerminal(why) => format!("{why}: not signed (kyso serve --confirm)"),
    };
    eprintln!("kyso serve: confirmation: {refusal}");
    Err(Response::error(403, "not_confirmed", refusal))
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
