//! The standard security handler of encrypted PDFs (ISO 32000-1 §7.6.3, ISO 32000-2 §7.6.4):
//! RC4 40/128-bit (V1/V2, R2/R3), AES-128 (V4/R4, crypt filter /AESV2) and AES-256 (V5, R5 and
//! R6, /AESV3). Key derivation and password checks (Algorithms 2, 2.A, 2.B, 4-7), per-object
//! keys (Algorithm 1), and string/stream decryption and encryption (§7.6.2).
//!
//! Not encrypted (§7.6.2): the /Encrypt dictionary, the trailer's /ID, cross-reference streams,
//! anything inside an object stream (the stream itself is), the /Contents of a signature
//! dictionary (ISO 32000-2 §7.6.2, §12.8.1), and with /EncryptMetadata false the metadata stream.

use std::collections::HashMap;
use std::fmt;

use aws_lc_rs::cipher::{
    DecryptingKey, DecryptionContext, EncryptingKey, EncryptionContext, UnboundCipherKey, AES_128,
    AES_256,
};
use aws_lc_rs::digest;
use md5::{Digest, Md5};

use super::object::{Dict, ObjRef, Object};
use crate::error::{Error, Result};

/// A document password (user or owner). Never printed; wiped when dropped.
#[derive(Clone, Default)]
pub struct Password(Vec<u8>);

impl Password {
    /// A password from raw bytes, used as given: revision 6 (AES-256) takes the first 127 bytes
    /// (UTF-8, no SASLprep applied, ISO 32000-2 §7.6.4.3.3), older revisions the first 32
    /// (ISO 32000-1 §7.6.3.3).
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Password(bytes.into())
    }

    /// A password as typed: the first line of a file or the environment variable's value.
    pub fn from_text(text: &str) -> Self {
        Password(text.as_bytes().to_vec())
    }

    /// Whether this is the empty password (the one that opens files with only an owner password).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_empty() {
            "Password(empty)"
        } else {
            "Password(***)"
        })
    }
}

impl Drop for Password {
    fn drop(&mut self) {
        // Volatile writes the optimiser keeps (zeroize), without unsafe code here.
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

/// ISO 32000-1 §7.6.3.3, Algorithm 2 step (a): the padding string.
const PAD: [u8; 32] = [
    0x28, 0xBF, 0x4E, 0x5E, 0x4E, 0x75, 0x8A, 0x41, 0x64, 0x00, 0x4E, 0x56, 0xFF, 0xFA, 0x01, 0x08,
    0x2E, 0x2E, 0x00, 0xB6, 0xD0, 0x68, 0x3E, 0x80, 0x2F, 0x0C, 0xA9, 0xFE, 0x64, 0x53, 0x69, 0x7A,
];

/// How strings or streams of one kind are encrypted (a crypt filter's /CFM, ISO 32000-1 §7.6.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// Not encrypted (/Identity or /CFM /None).
    Identity,
    /// RC4 with the object key (/V2, and V1/V2 documents).
    Rc4,
    /// AES-128-CBC with the object key, the IV first (/AESV2).
    Aes128,
    /// AES-256-CBC with the file key, the IV first (/AESV3).
    Aes256,
}

/// Which password opened the document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Opened {
    /// The user password (or the empty one): the owner's restrictions (/P) apply.
    User,
    /// The owner password: full access.
    Owner,
}

/// The security handler of an encrypted document, once a password has opened it.
#[derive(Clone)]
pub struct SecurityHandler {
    key: Vec<u8>,
    /// /V and /R of the encryption dictionary.
    pub version: u8,
    /// /R: the revision of the standard security handler (2–4 RC4/AES-128, 6 AES-256).
    pub revision: u8,
    strings: Method,
    streams: Method,
    /// Named crypt filters (/CF) for streams with their own /Crypt filter.
    filters: HashMap<Vec<u8>, Method>,
    encrypt_metadata: bool,
    /// The encryption dictionary's own object (never decrypted).
    pub encrypt_ref: Option<ObjRef>,
    /// Which password opened the document.
    pub opened_with: Opened,
}

impl fmt::Debug for SecurityHandler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecurityHandler")
            .field("version", &self.version)
            .field("revision", &self.revision)
            .field("strings", &self.strings)
            .field("streams", &self.streams)
            .finish_non_exhaustive()
    }
}

fn bad(what: impl Into<String>) -> Error {
    Error::UnsupportedPdf(format!("encryption: {}", what.into()))
}

fn md5(parts: &[&[u8]]) -> [u8; 16] {
    let mut h = Md5::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

/// RC4 (the same operation encrypts and decrypts).
pub fn rc4(key: &[u8], data: &[u8]) -> Vec<u8> {
    // Object and file keys are never empty (5 to 16 bytes); an empty key would not encrypt.
    if key.is_empty() {
        return data.to_vec();
    }
    let mut s: [u8; 256] = std::array::from_fn(|i| i as u8);
    let mut j: u8 = 0;
    for i in 0..256 {
        j = j.wrapping_add(s[i]).wrapping_add(key[i % key.len()]);
        s.swap(i, j as usize);
    }
    let (mut i, mut j) = (0u8, 0u8);
    data.iter()
        .map(|&b| {
            i = i.wrapping_add(1);
            j = j.wrapping_add(s[i as usize]);
            s.swap(i as usize, j as usize);
            b ^ s[s[i as usize].wrapping_add(s[j as usize]) as usize]
        })
        .collect()
}

fn aes_alg(key: &[u8]) -> Result<&'static aws_lc_rs::cipher::Algorithm> {
    match key.len() {
        16 => Ok(&AES_128),
        32 => Ok(&AES_256),
        n => Err(bad(format!("an AES key of {n} bytes"))),
    }
}

/// AES-CBC without padding (block-aligned data).
fn cbc_encrypt_raw(key: &[u8], iv: [u8; 16], data: &mut [u8]) -> Result<()> {
    let k = UnboundCipherKey::new(aes_alg(key)?, key).map_err(|_| bad("AES key"))?;
    let k = EncryptingKey::cbc(k).map_err(|_| bad("AES key"))?;
    k.less_safe_encrypt(data, EncryptionContext::Iv128(iv.into()))
        .map_err(|_| bad("AES encryption failed"))?;
    Ok(())
}

/// AES-CBC decryption without padding removal (block-aligned data).
fn cbc_decrypt_raw(key: &[u8], iv: [u8; 16], data: &mut [u8]) -> Result<()> {
    let k = UnboundCipherKey::new(aes_alg(key)?, key).map_err(|_| bad("AES key"))?;
    let k = DecryptingKey::cbc(k).map_err(|_| bad("AES key"))?;
    k.decrypt(data, DecryptionContext::Iv128(iv.into()))
        .map_err(|_| bad("AES decryption failed"))?;
    Ok(())
}

/// ISO 32000-1 §7.6.2 (AESV2/AESV3): 16 bytes of IV, then the CBC data with PKCS#5 padding.
fn aes_decrypt(key: &[u8], data: &[u8]) -> Result<Vec<u8>> {
    if data.is_empty() {
        // Some writers leave empty strings as they are.
        return Ok(Vec::new());
    }
    if data.len() < 32 || !data.len().is_multiple_of(16) {
        return Err(Error::MalformedPdf(format!(
            "AES-encrypted data of {} bytes (not an IV and whole blocks)",
            data.len()
        )));
    }
    let mut iv = [0u8; 16];
    iv.copy_from_slice(&data[..16]);
    let mut out = data[16..].to_vec();
    cbc_decrypt_raw(key, iv, &mut out)?;
    let pad = out[out.len() - 1] as usize;
    if pad == 0 || pad > 16 || out[out.len() - pad..].iter().any(|&b| b as usize != pad) {
        return Err(Error::MalformedPdf(
            "AES-encrypted data with bad padding (wrong key or damaged data)".into(),
        ));
    }
    out.truncate(out.len() - pad);
    Ok(out)
}

fn aes_encrypt(key: &[u8], data: &[u8]) -> Result<Vec<u8>> {
    let mut iv = [0u8; 16];
    aws_lc_rs::rand::fill(&mut iv).map_err(|_| bad("no random IV"))?;
    let pad = 16 - data.len() % 16;
    let mut body = data.to_vec();
    body.extend(std::iter::repeat_n(pad as u8, pad));
    cbc_encrypt_raw(key, iv, &mut body)?;
    let mut out = iv.to_vec();
    out.extend_from_slice(&body);
    Ok(out)
}

/// The 32-byte padded password (Algorithm 2 step a).
fn padded(password: &[u8]) -> [u8; 32] {
    let mut out = PAD;
    let n = password.len().min(32);
    out[..n].copy_from_slice(&password[..n]);
    out[n..].copy_from_slice(&PAD[..32 - n]);
    out
}

/// The entries of an encryption dictionary the key derivation needs.
struct Params {
    v: u8,
    r: u8,
    /// Key length in bytes.
    n: usize,
    o: Vec<u8>,
    u: Vec<u8>,
    oe: Vec<u8>,
    ue: Vec<u8>,
    perms: Vec<u8>,
    p: i32,
    encrypt_metadata: bool,
}

/// Algorithm 2: the file key from a (user) password, R2-R4.
fn key_r4(pp: &Params, password: &[u8], id0: &[u8]) -> Vec<u8> {
    let mut h = Md5::new();
    h.update(padded(password));
    h.update(&pp.o[..32.min(pp.o.len())]);
    h.update(pp.p.to_le_bytes());
    h.update(id0);
    if pp.r >= 4 && !pp.encrypt_metadata {
        h.update([0xFF; 4]);
    }
    let mut hash: [u8; 16] = h.finalize().into();
    if pp.r >= 3 {
        for _ in 0..50 {
            hash = md5(&[&hash[..pp.n]]);
        }
    }
    hash[..pp.n].to_vec()
}

/// Algorithms 4 and 5: the /U value a file key gives.
fn u_value(pp: &Params, key: &[u8], id0: &[u8]) -> Vec<u8> {
    if pp.r == 2 {
        return rc4(key, &PAD);
    }
    let mut x = rc4(key, &md5(&[&PAD, id0]));
    for i in 1..=19u8 {
        let k: Vec<u8> = key.iter().map(|b| b ^ i).collect();
        x = rc4(&k, &x);
    }
    x
}

/// Algorithm 6: whether `key` is the right file key (compares the first 16 bytes from R3 on).
fn user_key_ok(pp: &Params, key: &[u8], id0: &[u8]) -> bool {
    let u = u_value(pp, key, id0);
    let n = if pp.r == 2 { 32 } else { 16 };
    pp.u.len() >= n && u[..n] == pp.u[..n]
}

/// Algorithm 7: the padded user password recovered from an owner password (R2-R4).
fn user_password_from_owner(pp: &Params, owner: &[u8]) -> Vec<u8> {
    let mut hash = md5(&[&padded(owner)]);
    if pp.r >= 3 {
        for _ in 0..50 {
            hash = md5(&[&hash[..pp.n]]);
        }
    }
    let key = &hash[..pp.n];
    let o = &pp.o[..32.min(pp.o.len())];
    if pp.r == 2 {
        return rc4(key, o);
    }
    let mut x = o.to_vec();
    for i in (0..=19u8).rev() {
        let k: Vec<u8> = key.iter().map(|b| b ^ i).collect();
        x = rc4(&k, &x);
    }
    x
}

/// Algorithm 2.B (R6; R5 is the plain SHA-256): the hash of a password with a salt and, for
/// the owner password, the 48 bytes of /U.
fn hash_r6(r: u8, password: &[u8], salt: &[u8], udata: &[u8]) -> Result<[u8; 32]> {
    let mut k = {
        let mut c = digest::Context::new(&digest::SHA256);
        c.update(password);
        c.update(salt);
        c.update(udata);
        c.finish().as_ref().to_vec()
    };
    if r == 5 {
        let mut out = [0u8; 32];
        out.copy_from_slice(&k);
        return Ok(out);
    }
    let mut round = 0usize;
    loop {
        let mut k1 = Vec::with_capacity(64 * (password.len() + k.len() + udata.len()));
        for _ in 0..64 {
            k1.extend_from_slice(password);
            k1.extend_from_slice(&k);
            k1.extend_from_slice(udata);
        }
        let mut iv = [0u8; 16];
        iv.copy_from_slice(&k[16..32]);
        cbc_encrypt_raw(&k[..16], iv, &mut k1)?;
        let e = k1;
        let sum: u32 = e[..16].iter().map(|&b| b as u32).sum();
        let alg = match sum % 3 {
            0 => &digest::SHA256,
            1 => &digest::SHA384,
            _ => &digest::SHA512,
        };
        k = digest::digest(alg, &e).as_ref().to_vec();
        round += 1;
        let last = *e.last().unwrap_or(&0) as usize;
        if round >= 64 && last + 32 <= round {
            break;
        }
    }
    let mut out = [0u8; 32];
    out.copy_from_slice(&k[..32]);
    Ok(out)
}

/// Algorithm 2.A (R5/R6): the file key, trying `password` as owner then as user password.
fn key_r6(pp: &Params, password: &[u8]) -> Result<Option<(Vec<u8>, Opened)>> {
    // ISO 32000-2 §7.6.4.3.3: the UTF-8 password (SASLprep is not applied) cut at 127 bytes.
    let pw = &password[..password.len().min(127)];
    if pp.u.len() < 48 || pp.o.len() < 48 || pp.ue.len() < 32 || pp.oe.len() < 32 {
        return Err(bad("/O, /U, /OE or /UE too short for an AES-256 document"));
    }
    /// One password check of Algorithm 2.A: the stored hash, its validation and key salts,
    /// the extra data hashed with them and the wrapped file key.
    struct Attempt<'a> {
        who: Opened,
        hash: &'a [u8],
        validation_salt: &'a [u8],
        key_salt: &'a [u8],
        udata: &'a [u8],
        wrapped: &'a [u8],
    }
    let attempts = [
        Attempt {
            who: Opened::Owner,
            hash: &pp.o[..32],
            validation_salt: &pp.o[32..40],
            key_salt: &pp.o[40..48],
            udata: &pp.u[..48],
            wrapped: &pp.oe[..32],
        },
        Attempt {
            who: Opened::User,
            hash: &pp.u[..32],
            validation_salt: &pp.u[32..40],
            key_salt: &pp.u[40..48],
            udata: &[],
            wrapped: &pp.ue[..32],
        },
    ];
    for a in attempts {
        if hash_r6(pp.r, pw, a.validation_salt, a.udata)? != a.hash {
            continue;
        }
        let kek = hash_r6(pp.r, pw, a.key_salt, a.udata)?;
        let mut key = a.wrapped.to_vec();
        cbc_decrypt_raw(&kek, [0; 16], &mut key)?;
        return Ok(Some((key, a.who)));
    }
    Ok(None)
}

/// Algorithm 13 (R6): /Perms decrypted with the file key must end its first 12 bytes with
/// "adb" (ISO 32000-2 §7.6.4.4.12); anything else means the key or the dictionary is wrong.
fn check_perms(pp: &Params, key: &[u8]) -> Result<()> {
    if pp.perms.len() < 16 {
        return Err(bad("/Perms is missing or too short"));
    }
    let k = UnboundCipherKey::new(&AES_256, key).map_err(|_| bad("AES key"))?;
    let k = DecryptingKey::ecb(k).map_err(|_| bad("AES key"))?;
    let mut block = pp.perms[..16].to_vec();
    k.decrypt(&mut block, DecryptionContext::None)
        .map_err(|_| bad("AES decryption failed"))?;
    if &block[9..12] != b"adb" {
        return Err(bad(
            "/Perms does not decrypt to its check value: the encryption dictionary was altered",
        ));
    }
    Ok(())
}

fn int(d: &Dict, key: &str) -> Option<i64> {
    d.get(key).and_then(Object::as_int)
}

fn bytes(d: &Dict, key: &str) -> Vec<u8> {
    d.get(key)
        .and_then(Object::as_bytes)
        .map(<[u8]>::to_vec)
        .unwrap_or_default()
}

/// A crypt filter's method (/CFM), ISO 32000-1 §7.6.5 Table 25.
fn filter_method(cf: Option<&Dict>, name: &[u8], v: u8) -> Result<Method> {
    if name == b"Identity" {
        return Ok(Method::Identity);
    }
    let Some(f) = cf.and_then(|cf| cf.get(&String::from_utf8_lossy(name))) else {
        return Err(bad(format!(
            "the crypt filter /{} is not defined",
            String::from_utf8_lossy(name)
        )));
    };
    let Some(f) = f.as_dict() else {
        return Err(bad("a crypt filter is not a dictionary"));
    };
    Ok(match f.name("CFM") {
        None | Some(b"None") => Method::Identity,
        Some(b"V2") => Method::Rc4,
        Some(b"AESV2") => Method::Aes128,
        Some(b"AESV3") if v >= 5 => Method::Aes256,
        Some(other) => {
            return Err(bad(format!(
                "crypt filter method /{}",
                String::from_utf8_lossy(other)
            )))
        }
    })
}

impl SecurityHandler {
    /// Opens the document's encryption with `password`, tried as the user password and then
    /// as the owner password. `id0` is the first string of the trailer's /ID.
    pub fn open(
        encrypt: &Dict,
        encrypt_ref: Option<ObjRef>,
        id0: &[u8],
        password: &Password,
    ) -> Result<SecurityHandler> {
        match encrypt.name("Filter") {
            Some(b"Standard") => {}
            Some(other) => {
                return Err(Error::UnsupportedPdf(format!(
                    "the document is encrypted with the /{} security handler (certificates or a \
                     vendor's); kyso reads password-encrypted documents only",
                    String::from_utf8_lossy(other)
                )))
            }
            None => return Err(bad("the encryption dictionary has no /Filter")),
        }
        let v = int(encrypt, "V").unwrap_or(0);
        let r = int(encrypt, "R").unwrap_or(0);
        let (v, r) = match (u8::try_from(v), u8::try_from(r)) {
            (Ok(v @ (1 | 2 | 4 | 5)), Ok(r @ 2..=6)) => (v, r),
            _ => {
                return Err(bad(format!(
                    "version /V {v} revision /R {r} of the standard security handler"
                )))
            }
        };
        // ISO 32000-1 §7.6.1, Table 20: /Length defaults to 40; /StmF, /StrF to Identity.
        let length_bits = int(encrypt, "Length").unwrap_or(40);
        let n = match v {
            1 => 5,
            2 => {
                if !(40..=128).contains(&length_bits) || length_bits % 8 != 0 {
                    return Err(bad(format!("key length {length_bits}")));
                }
                length_bits as usize / 8
            }
            4 => 16,
            _ => 32,
        };
        let p = int(encrypt, "P").ok_or_else(|| bad("/P is missing"))?;
        let pp = Params {
            v,
            r,
            n: if r == 2 { 5 } else { n },
            o: bytes(encrypt, "O"),
            u: bytes(encrypt, "U"),
            oe: bytes(encrypt, "OE"),
            ue: bytes(encrypt, "UE"),
            perms: bytes(encrypt, "Perms"),
            // /P is a 32-bit signed value; some writers store it unsigned.
            p: p as u32 as i32,
            encrypt_metadata: !matches!(encrypt.get("EncryptMetadata"), Some(Object::Bool(false))),
        };
        let (strings, streams, filters) = if v >= 4 {
            let cf = encrypt.get("CF").and_then(Object::as_dict);
            let stm = encrypt.name("StmF").unwrap_or(b"Identity");
            let str_ = encrypt.name("StrF").unwrap_or(b"Identity");
            let mut filters = HashMap::new();
            if let Some(cf) = cf {
                for (name, _) in cf.iter() {
                    filters.insert(name.to_vec(), filter_method(Some(cf), name, v)?);
                }
            }
            (
                filter_method(cf, str_, v)?,
                filter_method(cf, stm, v)?,
                filters,
            )
        } else {
            (Method::Rc4, Method::Rc4, HashMap::new())
        };
        let (key, opened_with) = if r >= 5 {
            if pp.o.len() < 48 || pp.u.len() < 48 {
                return Err(bad("/O or /U too short for an AES-256 document"));
            }
            match key_r6(&pp, password.bytes())? {
                Some((key, who)) => {
                    if r == 6 {
                        check_perms(&pp, &key)?;
                    }
                    (key, who)
                }
                None => return Err(wrong_password(password)),
            }
        } else {
            if pp.o.len() < 32 || pp.u.len() < 32 {
                return Err(bad("/O or /U shorter than 32 bytes"));
            }
            let user = key_r4(&pp, password.bytes(), id0);
            if user_key_ok(&pp, &user, id0) {
                (user, Opened::User)
            } else {
                let recovered = user_password_from_owner(&pp, password.bytes());
                let key = key_r4(&pp, &recovered, id0);
                if user_key_ok(&pp, &key, id0) {
                    (key, Opened::Owner)
                } else {
                    return Err(wrong_password(password));
                }
            }
        };
        Ok(SecurityHandler {
            key,
            version: pp.v,
            revision: pp.r,
            strings,
            streams,
            filters,
            encrypt_metadata: pp.encrypt_metadata,
            encrypt_ref,
            opened_with,
        })
    }

    /// The file key (for tests against other tools' values).
    pub fn file_key(&self) -> &[u8] {
        &self.key
    }

    /// A short name of the scheme, e.g. "AES-256 (R6)".
    pub fn scheme(&self) -> String {
        let what = match (self.streams, self.strings) {
            (Method::Aes256, _) | (_, Method::Aes256) => "AES-256".to_string(),
            (Method::Aes128, _) | (_, Method::Aes128) => "AES-128".to_string(),
            (Method::Rc4, _) | (_, Method::Rc4) => format!("RC4 {}-bit", self.key.len() * 8),
            _ => "identity".to_string(),
        };
        format!("{what} (R{})", self.revision)
    }

    /// Algorithm 1: the key for object `r` (AES-256 uses the file key itself).
    fn object_key(&self, r: ObjRef, method: Method) -> Vec<u8> {
        if method == Method::Aes256 {
            return self.key.clone();
        }
        let mut h = Md5::new();
        h.update(&self.key);
        h.update(&r.num.to_le_bytes()[..3]);
        h.update(r.gen.to_le_bytes());
        if method == Method::Aes128 {
            h.update(b"sAlT");
        }
        let hash: [u8; 16] = h.finalize().into();
        hash[..(self.key.len() + 5).min(16)].to_vec()
    }

    fn decrypt_with(&self, method: Method, r: ObjRef, data: &[u8]) -> Result<Vec<u8>> {
        match method {
            Method::Identity => Ok(data.to_vec()),
            Method::Rc4 => Ok(rc4(&self.object_key(r, method), data)),
            Method::Aes128 | Method::Aes256 => aes_decrypt(&self.object_key(r, method), data),
        }
    }

    fn encrypt_with(&self, method: Method, r: ObjRef, data: &[u8]) -> Result<Vec<u8>> {
        match method {
            Method::Identity => Ok(data.to_vec()),
            Method::Rc4 => Ok(rc4(&self.object_key(r, method), data)),
            Method::Aes128 | Method::Aes256 => aes_encrypt(&self.object_key(r, method), data),
        }
    }

    /// How the data of a stream with dictionary `dict` is encrypted: not at all for
    /// cross-reference streams, for the metadata stream with /EncryptMetadata false, or with
    /// the stream's own /Crypt filter (ISO 32000-1 §7.6.5, §7.4.10).
    pub fn stream_method(&self, dict: &Dict) -> Result<Method> {
        if dict.has_name("Type", "XRef") {
            return Ok(Method::Identity);
        }
        if !self.encrypt_metadata && dict.has_name("Type", "Metadata") {
            return Ok(Method::Identity);
        }
        let first = match dict.get("Filter") {
            Some(Object::Name(n)) => Some(n.as_slice()),
            Some(Object::Array(a)) => a.first().and_then(Object::as_name),
            _ => None,
        };
        if first == Some(b"Crypt") {
            let parms = match dict.get("DecodeParms") {
                Some(Object::Dict(d)) => Some(d),
                Some(Object::Array(a)) => a.first().and_then(Object::as_dict),
                _ => None,
            };
            let name = parms.and_then(|p| p.name("Name")).unwrap_or(b"Identity");
            if name == b"Identity" {
                return Ok(Method::Identity);
            }
            return self.filters.get(name).copied().ok_or_else(|| {
                bad(format!(
                    "the crypt filter /{} is not defined",
                    String::from_utf8_lossy(name)
                ))
            });
        }
        Ok(self.streams)
    }

    /// Decrypts the data of stream object `r`.
    pub fn decrypt_stream(&self, r: ObjRef, dict: &Dict, data: &[u8]) -> Result<Vec<u8>> {
        self.decrypt_with(self.stream_method(dict)?, r, data)
    }

    /// Encrypts the (already filtered) data of a new stream object `r`.
    pub fn encrypt_stream(&self, r: ObjRef, dict: &Dict, data: &[u8]) -> Result<Vec<u8>> {
        self.encrypt_with(self.stream_method(dict)?, r, data)
    }

    /// Decrypts every string of object `r` as read from the file, except a signature
    /// dictionary's /Contents; cross-reference streams are left as they are.
    pub fn decrypt_object(&self, r: ObjRef, obj: &mut Object) -> Result<()> {
        if Some(r) == self.encrypt_ref {
            return Ok(());
        }
        if let Object::Stream(s) = obj {
            if s.dict.has_name("Type", "XRef") {
                return Ok(());
            }
        }
        self.walk(obj, 0, &mut |bytes| {
            self.decrypt_with(self.strings, r, bytes)
        })
    }

    /// Encrypts every string of new object `r` (signature /Contents excepted).
    pub fn encrypt_object(&self, r: ObjRef, obj: &mut Object) -> Result<()> {
        self.walk(obj, 0, &mut |bytes| {
            self.encrypt_with(self.strings, r, bytes)
        })
    }

    /// Encrypts every string of the dictionary of new stream object `r`.
    pub fn encrypt_dict(&self, r: ObjRef, d: &mut Dict) -> Result<()> {
        self.walk_dict(d, 0, &mut |bytes| self.encrypt_with(self.strings, r, bytes))
    }

    fn walk(
        &self,
        obj: &mut Object,
        depth: usize,
        f: &mut dyn FnMut(&[u8]) -> Result<Vec<u8>>,
    ) -> Result<()> {
        if depth > 256 {
            return Err(Error::MalformedPdf("objects nested too deeply".into()));
        }
        match obj {
            Object::String(s) => s.bytes = f(&s.bytes)?,
            Object::Array(items) => {
                for item in items {
                    self.walk(item, depth + 1, f)?;
                }
            }
            Object::Dict(d) => self.walk_dict(d, depth, f)?,
            Object::Stream(s) => self.walk_dict(&mut s.dict, depth, f)?,
            _ => {}
        }
        Ok(())
    }

    fn walk_dict(
        &self,
        d: &mut Dict,
        depth: usize,
        f: &mut dyn FnMut(&[u8]) -> Result<Vec<u8>>,
    ) -> Result<()> {
        let signature = is_signature_dict(d);
        for (key, value) in d.iter_mut() {
            if signature && key == b"Contents" {
                continue;
            }
            self.walk(value, depth + 1, f)?;
        }
        Ok(())
    }
}

/// A signature or document time-stamp dictionary (ISO 32000-1 §12.8.1, ISO 32000-2 §12.8.5),
/// whose /Contents is never encrypted (ISO 32000-2 §7.6.2).
fn is_signature_dict(d: &Dict) -> bool {
    d.has_name("Type", "Sig")
        || d.has_name("Type", "DocTimeStamp")
        || (d.get("ByteRange").is_some()
            && d.get("Contents").is_some()
            && d.get("Filter").is_some())
}

fn wrong_password(password: &Password) -> Error {
    Error::PdfPassword(if password.is_empty() {
        "the document is encrypted with a password, and none was given".into()
    } else {
        "the password given does not open the document (neither its user nor its owner password)"
            .into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rc4_known_vectors() {
        // RFC 6229 key 0x0102030405, first keystream bytes.
        let ks = rc4(&[1, 2, 3, 4, 5], &[0; 8]);
        assert_eq!(ks, [0xb2, 0x39, 0x63, 0x05, 0xf0, 0x3d, 0xc0, 0x27]);
        assert_eq!(rc4(b"Key", b"Plaintext"), hex("BBF316E8D940AF0AD3"));
    }

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn aes_round_trip_with_fresh_ivs() {
        let key = [7u8; 16];
        let a = aes_encrypt(&key, b"Ha Noi").unwrap();
        let b = aes_encrypt(&key, b"Ha Noi").unwrap();
        assert_ne!(a, b, "each encryption takes a fresh IV");
        assert_eq!(a.len(), 32);
        assert_eq!(aes_decrypt(&key, &a).unwrap(), b"Ha Noi");
        let mut bad = a.clone();
        bad[31] ^= 0x55;
        assert!(aes_decrypt(&key, &bad).is_err());
        assert!(aes_decrypt(&key, &a[..20]).is_err());
    }

    /// An encryption dictionary as qpdf 11.3 wrote it (`qpdf --encrypt U O BITS ...`).
    fn dict(entries: &[(&str, &str)], ints: &[(&str, i64)], names: &[(&str, &str)]) -> Dict {
        let mut d = Dict::new();
        d.set("Filter", Object::name("Standard"));
        for (k, v) in entries {
            d.set(
                k,
                Object::String(crate::pdf::PdfString {
                    bytes: hex(v),
                    hex: true,
                }),
            );
        }
        for (k, v) in ints {
            d.set(k, Object::Int(*v));
        }
        for (k, v) in names {
            d.set(k, Object::name(v));
        }
        d
    }

    const ID0: &str = "3eebdd5d2ecb3aedc9c2fc482dbbaa75";

    fn std_cf(cfm: &str, len: i64, metadata: bool) -> Dict {
        let mut f = Dict::new();
        f.set("AuthEvent", Object::name("DocOpen"));
        f.set("CFM", Object::name(cfm));
        f.set("Length", Object::Int(len));
        let mut cf = Dict::new();
        cf.set("StdCF", Object::Dict(f));
        let mut d = Dict::new();
        d.set("CF", Object::Dict(cf));
        if !metadata {
            d.set("EncryptMetadata", Object::Bool(false));
        }
        d
    }

    fn open(d: &Dict, pw: &str) -> Result<SecurityHandler> {
        SecurityHandler::open(d, None, &hex(ID0), &Password::from_text(pw))
    }

    /// File keys as `qpdf --show-encryption-key` prints them for the same dictionaries,
    /// through the user and the owner password; a wrong password is refused.
    fn assert_keys(d: &Dict, user: &str, owner: &str, key: &str) {
        let h = open(d, user).unwrap();
        assert_eq!(h.file_key(), hex(key).as_slice(), "user password");
        assert_eq!(h.opened_with, Opened::User);
        let h = open(d, owner).unwrap();
        assert_eq!(h.file_key(), hex(key).as_slice(), "owner password");
        assert_eq!(h.opened_with, Opened::Owner);
        let e = open(d, "wrong").unwrap_err();
        assert!(matches!(e, Error::PdfPassword(_)), "{e}");
        let e = open(d, "").unwrap_err();
        assert!(matches!(e, Error::PdfPassword(_)), "{e}");
        assert!(e.to_string().contains("none was given"), "{e}");
    }

    #[test]
    fn rc4_40_r2_key_as_qpdf() {
        let d = dict(
            &[
                (
                    "O",
                    "f50ce4a59b13cfc37baf42fe34e4fe6c312e7e2052fbe021e17be6d93a6a1c52",
                ),
                (
                    "U",
                    "f7566aa647e6a4aba70a7b7292f741b8f1147ac0b472f939005f2099f2970bca",
                ),
            ],
            &[("Length", 40), ("P", -4), ("R", 2), ("V", 1)],
            &[],
        );
        assert_keys(&d, "u40", "o40", "531545649b");
    }

    #[test]
    fn rc4_128_r3_key_as_qpdf() {
        let d = dict(
            &[
                (
                    "O",
                    "c635985d205e241b2381a3a88828978e5f0bdbe434c76bcb9c3a29c58fc4a48c",
                ),
                (
                    "U",
                    "1daa6899ac2cd4585021a727c4adc8f30122456a91bae5134273a6db134c87c4",
                ),
            ],
            &[("Length", 128), ("P", -4), ("R", 3), ("V", 2)],
            &[],
        );
        assert_keys(&d, "u128", "o128", "6eb1d41b8a344def0add8ffad3fdd01b");
    }

    #[test]
    fn aes_128_r4_cleartext_metadata_key_as_qpdf() {
        let mut d = std_cf("AESV2", 16, false);
        for (k, v) in dict(
            &[
                (
                    "O",
                    "c635985d205e241b2381a3a88828978e5f0bdbe434c76bcb9c3a29c58fc4a48c",
                ),
                (
                    "U",
                    "946ab06d672a8b3e024d52759bfb7f6a0122456a91bae5134273a6db134c87c4",
                ),
            ],
            &[("Length", 128), ("P", -4), ("R", 4), ("V", 4)],
            &[("StmF", "StdCF"), ("StrF", "StdCF")],
        )
        .iter()
        {
            d.set(&String::from_utf8_lossy(k), v.clone());
        }
        assert_keys(&d, "u128", "o128", "f2c11255cd7be5e92893ca20a110935a");
        let h = open(&d, "u128").unwrap();
        assert_eq!(h.streams, Method::Aes128);
        let mut meta = Dict::new();
        meta.set("Type", Object::name("Metadata"));
        assert_eq!(h.stream_method(&meta).unwrap(), Method::Identity);
    }

    #[test]
    fn aes_256_r6_key_as_qpdf() {
        let mut d = std_cf("AESV3", 32, true);
        for (k, v) in dict(
            &[
                ("O", "ba7080ca7680a621402d17a4410e570cc77516ab333bad8d8b6b8f5103638a8a76606c350ca49c93f0c93400e1245c56"),
                ("OE", "2a604a7f1b16b6d589df0e591e9520d4b0f0883ac8ed29489103cdc8bfd20db1"),
                ("Perms", "cbd9523836089a6665bd4a223b6ce76b"),
                ("U", "372ceeb2400843eb7a9fecffa1c77d687f0fc0e7935f297c6348969d3ebeeca184b376eddd82a9cd93ba071cba52fe53"),
                ("UE", "c8d8c03941ebbf1b66705fa7b05c0ffe559cb68b957965d6b8cf6525693ec490"),
            ],
            &[("Length", 256), ("P", -4), ("R", 6), ("V", 5)],
            &[("StmF", "StdCF"), ("StrF", "StdCF")],
        )
        .iter()
        {
            d.set(&String::from_utf8_lossy(k), v.clone());
        }
        assert_keys(
            &d,
            "u256",
            "o256",
            "78f9d65187768063a96bb181f4ddf1096461ba6deb56050b73f17933188bfce6",
        );
        // A tampered /Perms is refused.
        d.set(
            "Perms",
            Object::String(crate::pdf::PdfString {
                bytes: vec![0; 16],
                hex: true,
            }),
        );
        assert!(open(&d, "u256").is_err());
    }

    /// Damaged or hostile encryption dictionaries are errors, never panics.
    #[test]
    fn malformed_dictionaries_are_refused() {
        let o32 = "00".repeat(32);
        let o48 = "00".repeat(48);
        let cases: Vec<Dict> = vec![
            dict(
                &[("O", "00"), ("U", "00")],
                &[("P", -4), ("R", 2), ("V", 1)],
                &[],
            ),
            dict(&[("O", &o32), ("U", &o32)], &[("R", 3), ("V", 2)], &[]),
            dict(
                &[("O", &o32), ("U", &o32)],
                &[("P", -4), ("R", 3), ("V", 2), ("Length", 7)],
                &[],
            ),
            dict(
                &[("O", &o32), ("U", &o32)],
                &[("P", -4), ("R", 3), ("V", 2), ("Length", 4096)],
                &[],
            ),
            dict(
                &[("O", &o32), ("U", &o32)],
                &[("P", -4), ("R", 9), ("V", 3)],
                &[],
            ),
            dict(
                &[("O", &o32), ("U", &o32)],
                &[("P", -4), ("R", 4), ("V", 4)],
                &[("StmF", "Nope")],
            ),
            dict(
                &[("O", &o32), ("U", &o32)],
                &[("P", -4), ("R", 6), ("V", 5)],
                &[],
            ),
            dict(
                &[("O", &o48), ("U", &o48), ("OE", "00"), ("UE", "00")],
                &[("P", -4), ("R", 6), ("V", 5)],
                &[],
            ),
            dict(
                &[("O", &o48), ("U", &o48), ("OE", &o32), ("UE", &o32)],
                &[("P", -4), ("R", 6), ("V", 5)],
                &[],
            ),
            dict(
                &[("O", &o32), ("U", &o32)],
                &[("P", i64::MAX), ("R", 2), ("V", 1)],
                &[],
            ),
        ];
        for (i, d) in cases.iter().enumerate() {
            assert!(open(d, "").is_err(), "case {i}");
            assert!(open(d, "x").is_err(), "case {i}");
        }
        let mut other = Dict::new();
        other.set("Filter", Object::name("Adobe.PubSec"));
        let e = open(&other, "").unwrap_err().to_string();
        assert!(e.contains("Adobe.PubSec"), "{e}");
    }

    #[test]
    fn signature_contents_are_left_alone() {
        let mut d = Dict::new();
        d.set("Type", Object::name("Sig"));
        d.set("Reason", Object::literal(b"x".to_vec()));
        d.set("Contents", Object::literal(b"cms".to_vec()));
        let h = SecurityHandler {
            key: vec![1; 5],
            version: 1,
            revision: 2,
            strings: Method::Rc4,
            streams: Method::Rc4,
            filters: HashMap::new(),
            encrypt_metadata: true,
            encrypt_ref: None,
            opened_with: Opened::User,
        };
        let mut obj = Object::Dict(d);
        h.encrypt_object(ObjRef::new(4, 0), &mut obj).unwrap();
        let d = obj.as_dict().unwrap();
        assert_eq!(d.get("Contents").unwrap().as_bytes(), Some(&b"cms"[..]));
        assert_ne!(d.get("Reason").unwrap().as_bytes(), Some(&b"x"[..]));
        h.decrypt_object(ObjRef::new(4, 0), &mut obj).unwrap();
        assert_eq!(
            obj.as_dict().unwrap().get("Reason").unwrap().as_bytes(),
            Some(&b"x"[..])
        );
    }
}
