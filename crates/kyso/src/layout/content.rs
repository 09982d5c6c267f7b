//! A content stream as a sequence of operators with their operands (ISO 32000-1 §7.8.2): the
//! one tokeniser under text extraction ([`super::text`]) and the pictures of a signature's
//! appearance (`crate::decree30::widget`). Hostile content is read leniently: an unparsable
//! byte is skipped (its pending operands dropped) rather than giving up on the stream.

use crate::pdf::parser::{is_delimiter, is_whitespace, Parser};
use crate::pdf::Object;

/// The operators of one content stream, in order.
pub struct Operations<'a> {
    content: &'a [u8],
    parser: Parser<'a>,
    operands: Vec<Object>,
    /// Keywords read so far (operators, and `true`/`false`/`null`): callers bound hostile
    /// content with it.
    pub count: usize,
}

impl<'a> Operations<'a> {
    /// The operators of the decoded content stream `content`, from its start.
    pub fn new(content: &'a [u8]) -> Self {
        Operations {
            content,
            parser: Parser::new(content, true),
            operands: Vec::new(),
            count: 0,
        }
    }

    /// The next operator and its operands; None at the end of the stream. An inline image
    /// (`BI` … `ID` … `EI`, §8.9.7) is skipped whole and comes back as the operator `BI`.
    pub fn next_op(&mut self) -> Option<(&'a [u8], Vec<Object>)> {
        let content = self.content;
        loop {
            self.parser.skip_ws();
            let pos = self.parser.pos();
            let &b = content.get(pos)?;
            let is_op = b.is_ascii_alphabetic() || b == b'\'' || b == b'"' || b == b'*';
            if !is_op {
                match self.parser.object(0) {
                    Ok(o) => self.operands.push(o),
                    Err(_) => {
                        // Skip an unparsable byte rather than give up on the stream.
                        self.parser.set_pos(pos + 1);
                        self.operands.clear();
                    }
                }
                continue;
            }
            let mut end = pos;
            while end < content.len() && !is_whitespace(content[end]) && !is_delimiter(content[end])
            {
                end += 1;
            }
            let op = &content[pos..end];
            self.parser.set_pos(end);
            self.count += 1;
            match op {
                b"true" | b"false" | b"null" => {
                    self.operands.push(Object::Null);
                    continue;
                }
                b"BI" => {
                    // Skip to "EI" preceded and followed by white space.
                    let mut i = end;
                    while i + 2 < content.len() {
                        if is_whitespace(content[i])
                            && &content[i + 1..i + 3] == b"EI"
                            && content.get(i + 3).is_none_or(|c| is_whitespace(*c))
                        {
                            break;
                        }
                        i += 1;
                    }
                    self.parser.set_pos(i + 3);
                }
                _ => {}
            }
            return Some((op, std::mem::take(&mut self.operands)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ops(content: &[u8]) -> Vec<(String, usize)> {
        let mut it = Operations::new(content);
        let mut out = Vec::new();
        while let Some((op, operands)) = it.next_op() {
            out.push((String::from_utf8_lossy(op).into_owned(), operands.len()));
        }
        out
    }

    #[test]
    fn operators_come_with_their_operands() {
        let got = ops(b"q 1 0 0 1 10 20 cm /Im1 Do Q BT /F1 12 Tf (a) Tj [(b) 3 (c)] TJ T* ET");
        let want = [
            ("q", 0),
            ("cm", 6),
            ("Do", 1),
            ("Q", 0),
            ("BT", 0),
            ("Tf", 2),
            ("Tj", 1),
            ("TJ", 1),
            ("T*", 0),
            ("ET", 0),
        ];
        let want: Vec<(String, usize)> = want.iter().map(|(o, n)| (o.to_string(), *n)).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn inline_images_keywords_and_garbage() {
        // The image data would read as operators if not skipped; `true` is an operand.
        let got = ops(b"BI /W 1 ID xx Tj yy EI true 2 d0 ) 5 Tz");
        let names: Vec<&str> = got.iter().map(|(o, _)| o.as_str()).collect();
        assert_eq!(names, ["BI", "d0", "Tz"]);
        assert_eq!(got[1].1, 2);
        // The stray ")" drops the operands before it.
        assert_eq!(got[2].1, 1);
        let mut it = Operations::new(b"true false null n");
        assert_eq!(
            it.next_op().map(|(o, v)| (o.to_vec(), v.len())),
            Some((b"n".to_vec(), 3))
        );
        assert_eq!(it.count, 4);
    }
}
