//! [`parse_www_authenticate`]: a forgiving parser of `WWW-Authenticate` headers.
//!
//! It reads any number of challenges (`Bearer a="b", c=d, PoP nonce="x"`) and quoted or bare
//! values. A backslash inside a quoted value is kept as it is (and `\"` does not end the
//! value), so callers can refuse values containing backslashes instead of seeing them
//! silently unescaped. Malformed input yields whatever could be read, never a panic.

/// One challenge of a `WWW-Authenticate` header: its scheme and its parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthChallenge {
    /// The scheme, such as `Bearer`.
    pub scheme: String,
    /// The parameters in order, names lowercased.
    pub params: Vec<(String, String)>,
}

impl AuthChallenge {
    /// A parameter's value by (case-insensitive) name.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Parses every challenge of a `WWW-Authenticate` header value.
///
/// # Examples
///
/// ```
/// use azkv_core::policies::parse_www_authenticate;
///
/// let challenges = parse_www_authenticate(
///     r#"Bearer authorization="https://login.microsoftonline.com/tenant", resource="https://vault.azure.net""#,
/// );
/// assert_eq!(challenges[0].scheme, "Bearer");
/// assert_eq!(challenges[0].param("resource"), Some("https://vault.azure.net"));
/// ```
pub fn parse_www_authenticate(header: &str) -> Vec<AuthChallenge> {
    let mut parser = Parser {
        chars: header.chars().collect(),
        pos: 0,
    };
    let mut challenges: Vec<AuthChallenge> = Vec::new();
    loop {
        parser.skip_separators();
        let Some(token) = parser.token() else {
            // Not a token: skip one character so the loop always advances.
            if parser.bump().is_none() {
                break;
            }
            continue;
        };
        parser.skip_spaces();
        if parser.peek() == Some('=') {
            // A parameter: belongs to the current challenge (ignored when there is none).
            parser.bump();
            parser.skip_spaces();
            let value = parser.value();
            if let Some(current) = challenges.last_mut() {
                current.params.push((token.to_ascii_lowercase(), value));
            }
        } else {
            challenges.push(AuthChallenge {
                scheme: token,
                params: Vec::new(),
            });
        }
    }
    challenges
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += 1;
        Some(c)
    }

    fn skip_spaces(&mut self) {
        while matches!(self.peek(), Some(c) if c == ' ' || c == '\t') {
            self.pos += 1;
        }
    }

    fn skip_separators(&mut self) {
        while matches!(self.peek(), Some(c) if c == ' ' || c == '\t' || c == ',') {
            self.pos += 1;
        }
    }

    fn token(&mut self) -> Option<String> {
        let start = self.pos;
        while matches!(self.peek(), Some(c) if is_token_char(c)) {
            self.pos += 1;
        }
        (self.pos > start).then(|| self.chars[start..self.pos].iter().collect())
    }

    fn value(&mut self) -> String {
        if self.peek() == Some('"') {
            self.bump();
            let mut out = String::new();
            while let Some(c) = self.bump() {
                match c {
                    '"' => break,
                    '\\' => {
                        out.push('\\');
                        if let Some(escaped) = self.bump() {
                            out.push(escaped);
                        }
                    }
                    c => out.push(c),
                }
            }
            out
        } else {
            let start = self.pos;
            while matches!(self.peek(), Some(c) if c != ',' && c != ' ' && c != '\t') {
                self.pos += 1;
            }
            self.chars[start..self.pos].iter().collect()
        }
    }
}

fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~/".contains(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_vault_challenge() {
        let c = parse_www_authenticate(
            r#"Bearer authorization="https://login.microsoftonline.com/72f988bf", resource="https://vault.azure.net""#,
        );
        assert_eq!(c.len(), 1);
        assert_eq!(
            c[0].param("authorization"),
            Some("https://login.microsoftonline.com/72f988bf")
        );
        assert_eq!(c[0].param("RESOURCE"), Some("https://vault.azure.net"));
    }

    #[test]
    fn several_challenges_and_bare_values() {
        let c = parse_www_authenticate(
            r#"Bearer realm="", authorization_uri="https://login.example/t", error="insufficient_claims", claims="eyJ9", PoP nonce=abc"#,
        );
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].param("claims"), Some("eyJ9"));
        assert_eq!(c[0].param("realm"), Some(""));
        assert_eq!(c[1].scheme, "PoP");
        assert_eq!(c[1].param("nonce"), Some("abc"));
    }

    #[test]
    fn backslashes_are_kept_verbatim() {
        let c = parse_www_authenticate(r#"Bearer a="x\"y\\z""#);
        assert_eq!(c[0].param("a"), Some(r#"x\"y\\z"#));
    }

    #[test]
    fn malformed_inputs_never_panic() {
        let inputs = [
            "",
            " ",
            ",,,",
            "=",
            "==",
            "\"",
            "Bearer",
            "Bearer =",
            "Bearer a=",
            "Bearer a=\"",
            "Bearer a=\"unterminated",
            "Bearer a=\"x\\",
            "a=b",
            "Bearer ,=,=,",
            "\u{1F600}=\u{1F600}",
            "Bearer resource=\"é\", authorization=\"\\",
            "Bearer\ta\t=\t\"b\"",
            "\0\0\0",
            "Bearer a=b c=d e",
            "Bearer a=\"b\"\"c\"",
        ];
        for input in inputs {
            let _ = parse_www_authenticate(input);
        }
        assert!(parse_www_authenticate("=").is_empty());
        assert_eq!(
            parse_www_authenticate("Bearer a=\"unterminated")[0].param("a"),
            Some("unterminated")
        );
        // Parameters before any scheme are dropped.
        assert!(parse_www_authenticate("a=b").is_empty());
    }

    #[test]
    fn fuzz_like_random_bytes_never_panic() {
        let alphabet = ['B', 'e', 'a', 'r', ' ', '=', '"', '\\', ',', 'x', '\t', 'é'];
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..2000 {
            let mut s = String::new();
            for _ in 0..(state % 24) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                s.push(alphabet[(state % alphabet.len() as u64) as usize]);
            }
            let _ = parse_www_authenticate(&s);
        }
    }
}
