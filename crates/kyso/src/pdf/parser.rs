//! Lexer and parser for PDF objects (ISO 32000-1 §7.2, §7.3).
//!
//! The parser works on a window of the file; when an object runs past the end of the window it
//! reports [`ParseError::NeedMore`] so that the caller can read a larger window and try again.

use super::object::{Dict, ObjRef, Object, PdfString};

/// Nesting limit for arrays and dictionaries: hostile files nest deeply to exhaust the stack.
const MAX_DEPTH: usize = 100;

#[derive(Debug, Clone, PartialEq)]
/// Why [`Parser`] stopped.
pub enum ParseError {
    /// The window ended in the middle of an object.
    NeedMore,
    /// The bytes are not valid PDF syntax.
    Syntax(String),
}

/// The result of a [`Parser`] step.
pub type ParseResult<T> = std::result::Result<T, ParseError>;

fn syntax<T>(msg: impl Into<String>) -> ParseResult<T> {
    Err(ParseError::Syntax(msg.into()))
}

/// ISO 32000-1 §7.2.2, Table 1.
pub fn is_whitespace(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' | b'\0')
}

/// ISO 32000-1 §7.2.2, Table 2.
pub fn is_delimiter(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

fn is_regular(b: u8) -> bool {
    !is_whitespace(b) && !is_delimiter(b)
}

/// What an indirect object definition `N G obj ... endobj` holds.
#[derive(Debug)]
pub struct IndirectObject {
    /// The object's number and generation as written in `N G obj`.
    pub id: ObjRef,
    /// The object's value (a [`Object::Stream`] with its data offset in the file for streams).
    pub object: Object,
    /// For a stream: the offset (relative to the window) of the first data byte.
    pub stream_data_start: Option<usize>,
}

/// A PDF tokenizer and object parser over a window of bytes (ISO 32000-1 §7.2–7.3), bounded in
/// nesting depth.
pub struct Parser<'a> {
    buf: &'a [u8],
    pos: usize,
    /// Whether `buf` ends where the file ends (then running out is a syntax error, not NeedMore).
    at_file_end: bool,
}

impl<'a> Parser<'a> {
    /// A parser at the start of `buf`; `at_file_end` says whether `buf` ends where the file ends.
    pub fn new(buf: &'a [u8], at_file_end: bool) -> Self {
        Parser {
            buf,
            pos: 0,
            at_file_end,
        }
    }

    /// A parser at offset `pos` of `buf` (see [`Parser::new`]).
    pub fn at(buf: &'a [u8], pos: usize, at_file_end: bool) -> Self {
        Parser {
            buf,
            pos,
            at_file_end,
        }
    }

    /// The current offset in the window.
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// Moves to offset `pos` of the window.
    pub fn set_pos(&mut self, pos: usize) {
        self.pos = pos;
    }

    fn eof<T>(&self) -> ParseResult<T> {
        if self.at_file_end {
            syntax("unexpected end of file")
        } else {
            Err(ParseError::NeedMore)
        }
    }

    fn peek(&self) -> Option<u8> {
        self.buf.get(self.pos).copied()
    }

    /// Skips white space and comments (ISO 32000-1 §7.2.3).
    pub fn skip_ws(&mut self) {
        while let Some(b) = self.peek() {
            if is_whitespace(b) {
                self.pos += 1;
            } else if b == b'%' {
                while let Some(c) = self.peek() {
                    if c == b'\r' || c == b'\n' {
                        break;
                    }
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    /// Reads a keyword or number token (a run of regular characters).
    fn regular_token(&mut self) -> ParseResult<&'a [u8]> {
        let start = self.pos;
        while let Some(b) = self.peek() {
            if !is_regular(b) {
                break;
            }
            self.pos += 1;
        }
        if self.pos == self.buf.len() && !self.at_file_end {
            // The token may continue beyond the window.
            return Err(ParseError::NeedMore);
        }
        Ok(&self.buf[start..self.pos])
    }

    /// Expects the keyword `kw` (after optional white space).
    pub fn expect_keyword(&mut self, kw: &[u8]) -> ParseResult<()> {
        self.skip_ws();
        if self.pos >= self.buf.len() {
            return self.eof();
        }
        let tok = self.regular_token()?;
        if tok == kw {
            Ok(())
        } else {
            syntax(format!(
                "expected '{}', found '{}'",
                String::from_utf8_lossy(kw),
                String::from_utf8_lossy(&tok[..tok.len().min(20)])
            ))
        }
    }

    /// Reads an unsigned integer token.
    pub fn read_uint(&mut self) -> ParseResult<u64> {
        self.skip_ws();
        if self.pos >= self.buf.len() {
            return self.eof();
        }
        let tok = self.regular_token()?;
        parse_uint(tok).ok_or_else(|| {
            ParseError::Syntax(format!(
                "expected a number, found '{}'",
                String::from_utf8_lossy(&tok[..tok.len().min(20)])
            ))
        })
    }

    /// Parses `N G obj <object> [stream ...] endobj` at the current position.
    pub fn indirect_object(&mut self) -> ParseResult<IndirectObject> {
        let num = self.read_uint()?;
        let gen = self.read_uint()?;
        self.expect_keyword(b"obj")?;
        let num =
            u32::try_from(num).map_err(|_| ParseError::Syntax("object number too large".into()))?;
        let gen =
            u16::try_from(gen).map_err(|_| ParseError::Syntax("generation too large".into()))?;
        let object = self.object(0)?;
        self.skip_ws();
        let mut stream_data_start = None;
        if self.buf[self.pos..].starts_with(b"stream") {
            if !matches!(object, Object::Dict(_)) {
                return syntax("stream keyword after a non-dictionary");
            }
            self.pos += 6;
            // ISO 32000-1 §7.3.8.1: `stream` is followed by CRLF or LF (tolerate a lone CR).
            match self.peek() {
                Some(b'\r') => {
                    self.pos += 1;
                    if self.peek() == Some(b'\n') {
                        self.pos += 1;
                    }
                }
                Some(b'\n') => self.pos += 1,
                None => return self.eof(),
                _ => {}
            }
            stream_data_start = Some(self.pos);
        } else if self.pos >= self.buf.len() && !self.at_file_end {
            return Err(ParseError::NeedMore);
        }
        Ok(IndirectObject {
            id: ObjRef::new(num, gen),
            object,
            stream_data_start,
        })
    }

    /// Parses one direct object (ISO 32000-1 §7.3).
    pub fn object(&mut self, depth: usize) -> ParseResult<Object> {
        if depth > MAX_DEPTH {
            return syntax("objects nested too deeply");
        }
        self.skip_ws();
        let Some(b) = self.peek() else {
            return self.eof();
        };
        match b {
            b'/' => self.name().map(Object::Name),
            b'(' => self.literal_string(),
            b'<' => {
                if self.buf.get(self.pos + 1) == Some(&b'<') {
                    self.dict(depth).map(Object::Dict)
                } else if self.pos + 1 >= self.buf.len() {
                    self.eof()
                } else {
                    self.hex_string()
                }
            }
            b'[' => {
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_ws();
                    match self.peek() {
                        None => return self.eof(),
                        Some(b']') => {
                            self.pos += 1;
                            break;
                        }
                        Some(_) => {
                            let item = self.object(depth + 1)?;
                            items.push(item);
                        }
                    }
                }
                Ok(Object::Array(items))
            }
            b'+' | b'-' | b'.' | b'0'..=b'9' => self.number_or_ref(),
            _ if is_regular(b) => {
                let tok = self.regular_token()?;
                match tok {
                    b"true" => Ok(Object::Bool(true)),
                    b"false" => Ok(Object::Bool(false)),
                    b"null" => Ok(Object::Null),
                    _ => syntax(format!(
                        "unexpected keyword '{}'",
                        String::from_utf8_lossy(&tok[..tok.len().min(20)])
                    )),
                }
            }
            _ => syntax(format!("unexpected character '{}'", b as char)),
        }
    }

    /// In the indirect object starting at the current position, finds the byte span of the value
    /// reached through `path` (dictionary keys, outermost first), e.g. `["Contents"]`.
    /// Used to locate a signature's /Contents string in the file (ISO 32000-1 §12.8.1).
    pub fn value_span(&mut self, path: &[&str]) -> ParseResult<Option<(usize, usize)>> {
        self.read_uint()?;
        self.read_uint()?;
        self.expect_keyword(b"obj")?;
        self.span_in_dict(path, 0)
    }

    fn span_in_dict(&mut self, path: &[&str], depth: usize) -> ParseResult<Option<(usize, usize)>> {
        let Some((first, rest)) = path.split_first() else {
            return Ok(None);
        };
        if depth > MAX_DEPTH {
            return syntax("objects nested too deeply");
        }
        self.skip_ws();
        if !self.buf[self.pos..].starts_with(b"<<") {
            return if self.pos + 2 > self.buf.len() {
                self.eof()
            } else {
                Ok(None)
            };
        }
        self.pos += 2;
        let mut found = None;
        loop {
            self.skip_ws();
            match self.peek() {
                None => return self.eof(),
                Some(b'>') => {
                    if self.buf.get(self.pos + 1) == Some(&b'>') {
                        self.pos += 2;
                        return Ok(found);
                    }
                    return self.eof();
                }
                Some(b'/') => {
                    let key = self.name()?;
                    self.skip_ws();
                    let start = self.pos;
                    if key == first.as_bytes() && found.is_none() {
                        if rest.is_empty() {
                            self.object(depth + 1)?;
                            found = Some((start, self.pos));
                        } else {
                            let save = self.pos;
                            found = self.span_in_dict(rest, depth + 1)?;
                            self.pos = save;
                            self.object(depth + 1)?;
                        }
                    } else {
                        self.object(depth + 1)?;
                    }
                }
                Some(_) => return syntax("dictionary key is not a name"),
            }
        }
    }

    fn dict(&mut self, depth: usize) -> ParseResult<Dict> {
        self.pos += 2; // <<
        let mut dict = Dict::new();
        // Large dictionaries check keys through a set, so that parsing stays linear.
        let mut keys: Option<std::collections::HashSet<Vec<u8>>> = None;
        loop {
            self.skip_ws();
            match self.peek() {
                None => return self.eof(),
                Some(b'>') => {
                    if self.buf.get(self.pos + 1) == Some(&b'>') {
                        self.pos += 2;
                        return Ok(dict);
                    }
                    if self.pos + 1 >= self.buf.len() {
                        return self.eof();
                    }
                    return syntax("single '>' in dictionary");
                }
                Some(b'/') => {
                    let key = self.name()?;
                    let value = self.object(depth + 1)?;
                    // ISO 32000-2 §7.3.7: keys are unique. Viewers disagree on which of two
                    // values wins, so a dictionary with a repeated key is refused as ambiguous.
                    let duplicate = match keys.as_mut() {
                        Some(set) => !set.insert(key.clone()),
                        None => {
                            let dup = dict.contains_raw(&key);
                            if dict.len() >= 16 {
                                let mut set: std::collections::HashSet<Vec<u8>> =
                                    dict.iter().map(|(k, _)| k.to_vec()).collect();
                                set.insert(key.clone());
                                keys = Some(set);
                            }
                            dup
                        }
                    };
                    if duplicate {
                        return syntax(format!(
                            "the key /{} appears twice in one dictionary",
                            String::from_utf8_lossy(&key[..key.len().min(40)])
                        ));
                    }
                    dict.push_raw(key, value);
                }
                Some(_) => return syntax("dictionary key is not a name"),
            }
        }
    }

    /// A name (ISO 32000-1 §7.3.5), with `#xx` escapes decoded.
    fn name(&mut self) -> ParseResult<Vec<u8>> {
        self.pos += 1; // '/'
        let tok = self.regular_token()?;
        let mut out = Vec::with_capacity(tok.len());
        let mut i = 0;
        while i < tok.len() {
            if tok[i] == b'#' && i + 2 < tok.len() {
                if let (Some(h), Some(l)) = (hex_val(tok[i + 1]), hex_val(tok[i + 2])) {
                    out.push(h << 4 | l);
                    i += 3;
                    continue;
                }
            }
            out.push(tok[i]);
            i += 1;
        }
        Ok(out)
    }

    /// A literal string (ISO 32000-1 §7.3.4.2) with escapes and balanced parentheses.
    fn literal_string(&mut self) -> ParseResult<Object> {
        self.pos += 1; // '('
        let mut out = Vec::new();
        let mut nesting = 1usize;
        loop {
            let Some(b) = self.peek() else {
                return self.eof();
            };
            self.pos += 1;
            match b {
                b'(' => {
                    nesting += 1;
                    out.push(b);
                }
                b')' => {
                    nesting -= 1;
                    if nesting == 0 {
                        break;
                    }
                    out.push(b);
                }
                b'\\' => {
                    let Some(e) = self.peek() else {
                        return self.eof();
                    };
                    self.pos += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'b' => out.push(0x08),
                        b'f' => out.push(0x0c),
                        b'(' | b')' | b'\\' => out.push(e),
                        b'\r' => {
                            if self.peek() == Some(b'\n') {
                                self.pos += 1;
                            }
                        }
                        b'\n' => {}
                        b'0'..=b'7' => {
                            let mut v = (e - b'0') as u32;
                            for _ in 0..2 {
                                match self.peek() {
                                    Some(d @ b'0'..=b'7') => {
                                        v = v * 8 + (d - b'0') as u32;
                                        self.pos += 1;
                                    }
                                    _ => break,
                                }
                            }
                            out.push((v & 0xff) as u8);
                        }
                        other => out.push(other),
                    }
                }
                // ISO 32000-1 §7.3.4.2: an unescaped end-of-line is read as a single LF.
                b'\r' => {
                    if self.peek() == Some(b'\n') {
                        self.pos += 1;
                    }
                    out.push(b'\n');
                }
                _ => out.push(b),
            }
        }
        Ok(Object::String(PdfString {
            bytes: out,
            hex: false,
        }))
    }

    /// A hexadecimal string (ISO 32000-1 §7.3.4.3); a final odd digit is followed by an implied 0.
    fn hex_string(&mut self) -> ParseResult<Object> {
        self.pos += 1; // '<'
        let rest = &self.buf[self.pos..];
        let Some(end) = rest.iter().position(|&b| b == b'>') else {
            return self.eof();
        };
        let mut out = Vec::with_capacity(end / 2 + 1);
        let mut hi: Option<u8> = None;
        // Pairs of digits first (a signature's /Contents is thousands of them), then digit by
        // digit from the first whitespace or other byte on.
        let mut done = 0;
        for pair in rest[..end].chunks_exact(2) {
            match (hex_val(pair[0]), hex_val(pair[1])) {
                (Some(h), Some(l)) => out.push(h << 4 | l),
                _ => break,
            }
            done += 2;
        }
        for &b in &rest[done..end] {
            if is_whitespace(b) {
                continue;
            }
            let Some(v) = hex_val(b) else {
                return syntax("invalid character in hexadecimal string");
            };
            match hi.take() {
                None => hi = Some(v),
                Some(h) => out.push(h << 4 | v),
            }
        }
        if let Some(h) = hi {
            out.push(h << 4);
        }
        self.pos += end + 1;
        Ok(Object::String(PdfString {
            bytes: out,
            hex: true,
        }))
    }

    /// A number, or an indirect reference `N G R` (ISO 32000-1 §7.3.3, §7.3.10).
    fn number_or_ref(&mut self) -> ParseResult<Object> {
        let tok = self.regular_token()?;
        let first = parse_number(tok)?;
        if let Object::Int(num) = first {
            if num >= 0 && tok.iter().all(u8::is_ascii_digit) {
                // Look ahead for `G R` without committing.
                let save = self.pos;
                self.skip_ws();
                let gen_start = self.pos;
                let mut p = gen_start;
                while p < self.buf.len() && self.buf[p].is_ascii_digit() {
                    p += 1;
                }
                if p > gen_start && p < self.buf.len() && !is_regular(self.buf[p]) {
                    let gen_tok = &self.buf[gen_start..p];
                    self.pos = p;
                    self.skip_ws();
                    if self.peek() == Some(b'R')
                        && self.buf.get(self.pos + 1).is_none_or(|&c| !is_regular(c))
                    {
                        if self.pos + 1 >= self.buf.len() && !self.at_file_end {
                            return Err(ParseError::NeedMore);
                        }
                        self.pos += 1;
                        let gen = parse_uint(gen_tok).unwrap_or(u64::MAX);
                        if let (Ok(n), Ok(g)) = (u32::try_from(num), u16::try_from(gen)) {
                            return Ok(Object::Ref(ObjRef::new(n, g)));
                        }
                        return syntax("reference number out of range");
                    }
                } else if p >= self.buf.len() && !self.at_file_end {
                    return Err(ParseError::NeedMore);
                }
                self.pos = save;
            }
        }
        Ok(first)
    }
}

fn hex_val(b: u8) -> Option<u8> {
    const NONE: u8 = 0xFF;
    const TABLE: [u8; 256] = {
        let mut t = [NONE; 256];
        let mut i = 0;
        while i < 10 {
            t[b'0' as usize + i] = i as u8;
            i += 1;
        }
        let mut i = 0;
        while i < 6 {
            t[b'a' as usize + i] = 10 + i as u8;
            t[b'A' as usize + i] = 10 + i as u8;
            i += 1;
        }
        t
    };
    match TABLE[usize::from(b)] {
        NONE => None,
        v => Some(v),
    }
}

/// An unsigned decimal token (digits only, at most 19 of them so it fits a `u64`); `None`
/// otherwise.
pub fn parse_uint(tok: &[u8]) -> Option<u64> {
    if tok.is_empty() || tok.len() > 19 || !tok.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(tok).ok()?.parse().ok()
}

fn parse_number(tok: &[u8]) -> ParseResult<Object> {
    let s = std::str::from_utf8(tok).map_err(|_| ParseError::Syntax("bad number".into()))?;
    if !s.contains('.') {
        if let Ok(i) = s.parse::<i64>() {
            return Ok(Object::Int(i));
        }
    }
    // Reals have no exponent in PDF; be lenient with things like "-.5" and "5.".
    let cleaned = s.strip_prefix('+').unwrap_or(s);
    match cleaned.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(Object::Real(v)),
        _ => {
            // Tolerate doubled signs such as "--5" that some writers emit (PDF readers accept them).
            let trimmed = cleaned.trim_start_matches(['-', '+']);
            match trimmed.parse::<f64>() {
                Ok(v) if v.is_finite() => Ok(Object::Real(-v.abs())),
                _ => syntax(format!("bad number '{}'", &s[..s.len().min(20)])),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Object {
        Parser::new(s.as_bytes(), true).object(0).unwrap()
    }

    #[test]
    fn parses_basic_objects() {
        assert_eq!(parse("42"), Object::Int(42));
        assert_eq!(parse("-3.5"), Object::Real(-3.5));
        assert_eq!(parse("/Type"), Object::name("Type"));
        assert_eq!(parse("/A#20B"), Object::name("A B"));
        assert_eq!(parse("12 0 R"), Object::Ref(ObjRef::new(12, 0)));
        assert_eq!(parse("(a\\(b\\)c)").as_bytes().unwrap(), b"a(b)c");
        assert_eq!(parse("<48 656c6C6F>").as_bytes().unwrap(), b"Hello");
        assert_eq!(parse("<4>").as_bytes().unwrap(), &[0x40]);
        assert_eq!(parse("(\\101\\n)").as_bytes().unwrap(), b"A\n");
        let d = parse("<< /A [1 2 0 R 3] /B << /C true >> /D null >>");
        let d = d.as_dict().unwrap();
        assert_eq!(
            d.get("A").unwrap().as_array().unwrap()[1],
            Object::Ref(ObjRef::new(2, 0))
        );
        assert_eq!(
            d.get("B").unwrap().as_dict().unwrap().get("C"),
            Some(&Object::Bool(true))
        );
    }

    #[test]
    fn window_end_asks_for_more() {
        let mut p = Parser::new(b"<< /A (abc", false);
        assert_eq!(p.object(0), Err(ParseError::NeedMore));
        let mut p = Parser::new(b"12 0", false);
        assert_eq!(p.object(0), Err(ParseError::NeedMore));
        let mut p = Parser::new(b"<< /A (abc", true);
        assert!(matches!(p.object(0), Err(ParseError::Syntax(_))));
    }

    #[test]
    fn finds_value_spans() {
        let src = b"5 0 obj << /Type /Sig /V << /Contents <00AB> >> /Contents <1234> >> endobj";
        let mut p = Parser::new(src, true);
        let (s, e) = p.value_span(&["Contents"]).unwrap().unwrap();
        assert_eq!(&src[s..e], b"<1234>");
        let mut p = Parser::new(src, true);
        let (s, e) = p.value_span(&["V", "Contents"]).unwrap().unwrap();
        assert_eq!(&src[s..e], b"<00AB>");
    }

    #[test]
    fn duplicate_keys_are_refused() {
        let mut p = Parser::new(b"<< /A 1 /B 2 /A 3 >>", true);
        assert!(matches!(p.object(0), Err(ParseError::Syntax(m)) if m.contains("/A")));
        let mut big = String::from("<<");
        for i in 0..40 {
            big.push_str(&format!(" /K{i} {i}"));
        }
        let ok = format!("{big} >>");
        assert!(Parser::new(ok.as_bytes(), true).object(0).is_ok());
        let dup = format!("{big} /K3 0 >>");
        assert!(Parser::new(dup.as_bytes(), true).object(0).is_err());
    }

    #[test]
    fn deep_nesting_is_refused() {
        let s = "[".repeat(10_000);
        let mut p = Parser::new(s.as_bytes(), true);
        assert!(matches!(p.object(0), Err(ParseError::Syntax(_))));
    }

    #[test]
    fn indirect_object_with_stream() {
        let src = b"7 0 obj\n<< /Length 5 >>\nstream\r\nhello\nendstream\nendobj";
        let mut p = Parser::new(src, true);
        let obj = p.indirect_object().unwrap();
        assert_eq!(obj.id, ObjRef::new(7, 0));
        let start = obj.stream_data_start.unwrap();
        assert_eq!(&src[start..start + 5], b"hello");
    }
}
