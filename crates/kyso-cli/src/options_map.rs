//! Every flag of `kyso sign`, `kyso prepare`, `kyso extend` and `kyso verify` reaches the
//! library's request (`kyso::request::SignRequest` / `ExtendRequest` / `VerifyRequest`), so that the C ABI and `kyso serve`, which
//! read the same requests, have it too — or is one of the deliberate exceptions below. The
//! check walks clap's own list of arguments: a flag added later is caught here.

use clap::{CommandFactory, Parser};

use kyso::request::{fields_of, ExtendRequest, SignRequest, VerifyRequest};

use crate::{Cli, Command};

/// `kyso sign` arguments that are not the signature's options: the files, the key and its
/// secrets (never in a request), batch work and the output's form.
const SIGN_EXCEPTIONS: &[&str] = &[
    "help",
    // Files read and written.
    "input",
    "output",
    "in_place",
    "overwrite",
    "batch",
    "recursive",
    "jobs",
    // The key: each front door opens its own (C ABI: p12_path, pkcs11_module...).
    "p12",
    "pkcs11",
    "slot",
    "token",
    "key_label",
    "key_id",
    "chain",
    "csc",
    "credential",
    "csc_token_file",
    // Secrets: passed beside the request (`SignSecrets`).
    "pin_file",
    "password_file",
    "tsa_auth_file",
    // Revocation data for the CLI's check of the signer's own certificate before signing
    // (not an option of the signature).
    "crl",
    // How the outcome is printed (--lang, -v, -q are global flags).
    "json",
];

/// `kyso verify` arguments that are not verification options.
const VERIFY_EXCEPTIONS: &[&str] = &[
    "help",
    "input",
    "recursive",
    "jobs",
    // A secret: passed beside the request.
    "password_file",
    // How the reports are printed.
    "json",
    "json_lines",
    "report",
];

/// `kyso prepare` arguments that are not the signature's options: the files, the signer's
/// certificates and a secret.
const PREPARE_EXCEPTIONS: &[&str] = &[
    "help",
    "input",
    "output",
    "in_place",
    "cert",
    "chain",
    "password_file",
    // Revocation data for the check of the signer's own certificate (as `kyso sign --crl`).
    "crl",
    "json",
];

/// `kyso extend` arguments that are not the extension's options.
const EXTEND_EXCEPTIONS: &[&str] = &[
    "help",
    "input",
    "output",
    "in_place",
    // Secrets: passed beside the request.
    "password_file",
    "tsa_auth_file",
    "json",
];

/// A flag whose request field has another name (the C ABI's JSON key).
const RENAMED: &[(&str, &str)] = &[("crl", "crls")];

/// A value clap accepts for `arg`, other than its default: "2" fits numbers, paths and text.
fn sample(arg: &clap::Arg) -> Option<String> {
    if !arg.get_action().takes_values() {
        return None;
    }
    let defaults: Vec<String> = arg
        .get_default_values()
        .iter()
        .map(|v| v.to_string_lossy().into_owned())
        .collect();
    let possible = arg.get_possible_values();
    Some(
        possible
            .iter()
            .map(|p| p.get_name().to_string())
            .rfind(|p| !defaults.contains(p))
            .unwrap_or_else(|| "2".to_string()),
    )
}

/// Checks every argument of subcommand `name`: a field of the request `fields` of that name
/// (or renamed), and setting it changes the request `request` makes from a parse of `base`
/// plus the flag.
fn check(
    name: &str,
    base: &[&str],
    exceptions: &[&str],
    fields: &[&str],
    request: impl Fn(Command) -> String,
) {
    let cli = Cli::command();
    let sub = cli.find_subcommand(name).expect("subcommand");
    let parse = |extra: &[String]| {
        let argv: Vec<String> = ["kyso", name]
            .iter()
            .chain(base)
            .map(|s| s.to_string())
            .chain(extra.iter().cloned())
            .collect();
        match Cli::try_parse_from(&argv) {
            Ok(cli) => request(cli.command),
            Err(e) => panic!("{argv:?}: {e}"),
        }
    };
    let plain = parse(&[]);
    let mut checked = 0;
    for arg in sub.get_arguments() {
        let id = arg.get_id().as_str();
        if exceptions.contains(&id) {
            continue;
        }
        let long = arg
            .get_long()
            .unwrap_or_else(|| panic!("kyso {name}: argument {id} has no long flag"));
        let field = RENAMED
            .iter()
            .find(|(flag, _)| *flag == id)
            .map_or(id, |(_, f)| f);
        assert!(
            fields.contains(&field),
            "kyso {name} --{long} has no request field {field:?}: add it to the library's \
             request (kyso::request) or to the exceptions in options_map.rs"
        );
        let mut extra = vec![format!("--{long}")];
        extra.extend(sample(arg));
        let with = parse(&extra);
        assert_ne!(
            with, plain,
            "kyso {name} {extra:?} does not reach the request: fill {field} from it"
        );
        checked += 1;
    }
    // Every field of the request has its flag (a smaller request is checked whole).
    let least = fields.len().min(10);
    assert!(
        checked >= least,
        "kyso {name}: only {checked} flags checked"
    );
}

#[test]
fn every_sign_flag_reaches_the_request() {
    check(
        "sign",
        &["in.pdf", "-o", "out.pdf", "--p12", "key.p12"],
        SIGN_EXCEPTIONS,
        fields_of::<SignRequest>(),
        |c| match c {
            Command::Sign(args) => format!("{:?}", args.request()),
            _ => unreachable!("kyso sign parses as sign"),
        },
    );
}

#[test]
fn every_prepare_flag_reaches_the_request() {
    check(
        "prepare",
        &["in.pdf", "-o", "out.pdf", "--cert", "c.pem"],
        PREPARE_EXCEPTIONS,
        fields_of::<SignRequest>(),
        |c| match c {
            Command::Prepare(args) => format!("{:?}", args.request()),
            _ => unreachable!("kyso prepare parses as prepare"),
        },
    );
}

#[test]
fn every_extend_flag_reaches_the_request() {
    check(
        "extend",
        &["in.pdf", "-o", "out.pdf"],
        EXTEND_EXCEPTIONS,
        fields_of::<ExtendRequest>(),
        |c| match c {
            Command::Extend(args) => format!("{:?}", args.request()),
            _ => unreachable!("kyso extend parses as extend"),
        },
    );
}

#[test]
fn every_verify_flag_reaches_the_request() {
    check(
        "verify",
        &["in.pdf"],
        VERIFY_EXCEPTIONS,
        fields_of::<VerifyRequest>(),
        |c| match c {
            Command::Verify(args) => format!("{:?}", args.request()),
            _ => unreachable!("kyso verify parses as verify"),
        },
    );
}

#[test]
fn exceptions_are_real_flags() {
    // A stale exception would hide nothing, but says something untrue.
    let cli = Cli::command();
    for (name, exceptions) in [
        ("sign", SIGN_EXCEPTIONS),
        ("prepare", PREPARE_EXCEPTIONS),
        ("extend", EXTEND_EXCEPTIONS),
        ("verify", VERIFY_EXCEPTIONS),
    ] {
        let sub = cli.find_subcommand(name).unwrap();
        for e in exceptions.iter().filter(|e| **e != "help") {
            assert!(
                sub.get_arguments().any(|a| a.get_id() == *e),
                "kyso {name}: exception {e} is no argument"
            );
        }
    }
}
