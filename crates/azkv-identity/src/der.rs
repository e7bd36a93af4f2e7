//! A minimal DER/BER reader for the certificate and key formats credentials load
//! (PKCS#8, PKCS#12, X.509 wrappers). It reads tag-length-value items, accepts BER's
//! indefinite lengths and constructed strings, and never panics on bad input.

use azkv_core::{Error, Result};

pub(crate) const INTEGER: u8 = 0x02;
pub(crate) const OCTET_STRING: u8 = 0x04;
pub(crate) const OID: u8 = 0x06;
pub(crate) const SEQUENCE: u8 = 0x30;
pub(crate) const SET: u8 = 0x31;
/// `[0]` constructed (context-specific).
pub(crate) const CONTEXT_0: u8 = 0xa0;

pub(crate) fn bad(what: &str) -> Error {
    Error::invalid_input("certificate", &format!("malformed {what}"))
}

/// A cursor over DER items.
#[derive(Clone, Copy)]
pub(crate) struct Der<'a> {
    data: &'a [u8],
}

impl<'a> Der<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Self {
        Self { data }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The next item's tag without consuming it.
    pub(crate) fn peek_tag(&self) -> Option<u8> {
        self.data.first().copied()
    }

    /// Reads one item: its tag and its content (for indefinite lengths, the content without
    /// the end-of-contents marker).
    pub(crate) fn read(&mut self) -> Result<(u8, &'a [u8])> {
        let (tag, header, len) = header(self.data)?;
        match len {
            Some(len) => {
                let end = header
                    .checked_add(len)
                    .filter(|e| *e <= self.data.len())
                    .ok_or_else(|| bad("length"))?;
                let content = &self.data[header..end];
                self.data = &self.data[end..];
                Ok((tag, content))
            }
            None => {
                if tag & 0x20 == 0 {
                    return Err(bad("indefinite primitive"));
                }
                let body = &self.data[header..];
                let content_len = indefinite_len(body, 0)?;
                let content = &body[..content_len];
                self.data = &body[content_len + 2..];
                Ok((tag, content))
            }
        }
    }

    /// Reads one item that must have `tag`.
    pub(crate) fn expect(&mut self, tag: u8, what: &str) -> Result<&'a [u8]> {
        let (found, content) = self.read()?;
        if found == tag {
            Ok(content)
        } else {
            Err(bad(what))
        }
    }

    /// Reads an OCTET STRING, primitive or constructed (BER), returning its bytes.
    pub(crate) fn octets(&mut self, what: &str) -> Result<Vec<u8>> {
        let (tag, content) = self.read()?;
        octet_content(tag, content, what)
    }

    /// Reads an INTEGER as a `u64`.
    pub(crate) fn small_int(&mut self, what: &str) -> Result<u64> {
        let content = self.expect(INTEGER, what)?;
        if content.is_empty() || content.len() > 9 {
            return Err(bad(what));
        }
        Ok(content
            .iter()
            .fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
    }
}

/// The bytes of an OCTET STRING given its tag and content; also for implicitly tagged ones.
pub(crate) fn octet_content(tag: u8, content: &[u8], what: &str) -> Result<Vec<u8>> {
    if tag & 0x20 == 0 {
        return Ok(content.to_vec());
    }
    // Constructed: the concatenation of the inner strings.
    let mut out = Vec::new();
    let mut inner = Der::new(content);
    while !inner.is_empty() {
        let (t, c) = inner.read().map_err(|_| bad(what))?;
        out.extend(octet_content(t, c, what)?);
    }
    Ok(out)
}

/// Parses a tag and length: (tag, header length, content length or `None` if indefinite).
fn header(data: &[u8]) -> Result<(u8, usize, Option<usize>)> {
    let tag = *data.first().ok_or_else(|| bad("item"))?;
    if tag & 0x1f == 0x1f {
        return Err(bad("tag"));
    }
    let first = *data.get(1).ok_or_else(|| bad("length"))?;
    if first < 0x80 {
        return Ok((tag, 2, Some(usize::from(first))));
    }
    if first == 0x80 {
        return Ok((tag, 2, None));
    }
    let count = usize::from(first & 0x7f);
    if count > 4 {
        return Err(bad("length"));
    }
    let bytes = data.get(2..2 + count).ok_or_else(|| bad("length"))?;
    let len = bytes
        .iter()
        .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
    Ok((tag, 2 + count, Some(len)))
}

/// The content length of an indefinite-length item whose content starts `data`.
fn indefinite_len(data: &[u8], depth: usize) -> Result<usize> {
    if depth > 32 {
        return Err(bad("nesting"));
    }
    let mut pos = 0;
    loop {
        let rest = data.get(pos..).ok_or_else(|| bad("length"))?;
        if rest.starts_with(&[0, 0]) {
            return Ok(pos);
        }
        let (tag, header_len, len) = header(rest)?;
        let item_len = match len {
            Some(len) => header_len.checked_add(len).ok_or_else(|| bad("length"))?,
            None => {
                if tag & 0x20 == 0 {
                    return Err(bad("indefinite primitive"));
                }
                let inner = indefinite_len(&rest[header_len..], depth + 1)?;
                header_len + inner + 2
            }
        };
        if item_len > rest.len() {
            return Err(bad("length"));
        }
        pos += item_len;
    }
}

/// Encodes a length.
pub(crate) fn encode_len(len: usize, out: &mut Vec<u8>) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
}

/// Encodes one item.
pub(crate) fn encode(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    encode_len(content.len(), &mut out);
    out.extend_from_slice(content);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_definite_and_indefinite_items() {
        let data = [0x30, 0x03, 0x02, 0x01, 0x05];
        let mut d = Der::new(&data);
        let content = d.expect(SEQUENCE, "seq").unwrap();
        assert_eq!(Der::new(content).small_int("n").unwrap(), 5);
        // Indefinite SEQUENCE holding a constructed OCTET STRING of two parts.
        let ber = [
            0x30, 0x80, 0x24, 0x80, 0x04, 0x01, 0xaa, 0x04, 0x01, 0xbb, 0x00, 0x00, 0x00, 0x00,
        ];
        let mut d = Der::new(&ber);
        let seq = d.expect(SEQUENCE, "seq").unwrap();
        assert_eq!(Der::new(seq).octets("s").unwrap(), vec![0xaa, 0xbb]);
        assert!(d.is_empty());
    }

    #[test]
    fn garbage_never_panics() {
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        for _ in 0..5000 {
            let mut bytes = Vec::new();
            for _ in 0..(state % 20) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                bytes.push((state % 256) as u8);
            }
            let mut d = Der::new(&bytes);
            while !d.is_empty() {
                if d.read().is_err() {
                    break;
                }
            }
            let _ = Der::new(&bytes).octets("x");
        }
        for bad_input in [
            &[0x30, 0x85, 1, 1, 1, 1, 1][..],
            &[0x30, 0x80, 0x30, 0x80],
            &[0x1f, 0x00],
            &[0x04, 0x80, 0x00, 0x00],
        ] {
            assert!(Der::new(bad_input).read().is_err());
        }
    }

    #[test]
    fn encodes_long_lengths() {
        let item = encode(OCTET_STRING, &[7u8; 300]);
        assert_eq!(&item[..4], &[0x04, 0x82, 0x01, 0x2c]);
        assert_eq!(Der::new(&item).octets("x").unwrap().len(), 300);
    }
}
