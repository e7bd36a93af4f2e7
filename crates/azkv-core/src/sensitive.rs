//! [`Sensitive<T>`]: a value that must never reach logs, `Debug` output or error messages.
//!
//! Secret values, tokens, client secrets and passwords are held in `Sensitive`. Its `Debug`
//! prints a placeholder, it has no `Display`, and reading the value takes an explicit
//! [`Sensitive::expose`]. Serialization is transparent, so wire models can hold it directly.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A value redacted from `Debug` output; read it with [`expose`](Sensitive::expose).
///
/// # Examples
///
/// ```
/// use azkv_core::Sensitive;
///
/// let password = Sensitive::new(String::from("hunter2"));
/// assert_eq!(format!("{password:?}"), "Sensitive(<redacted>)");
/// assert_eq!(password.expose(), "hunter2");
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Sensitive<T>(T);

impl<T> Sensitive<T> {
    /// Wraps a value.
    pub fn new(value: T) -> Self {
        Self(value)
    }

    /// Borrows the value. Call this only where the value is really needed.
    pub fn expose(&self) -> &T {
        &self.0
    }

    /// Unwraps the value.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> From<T> for Sensitive<T> {
    fn from(value: T) -> Self {
        Self(value)
    }
}

impl From<&str> for Sensitive<String> {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

impl<T> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sensitive(<redacted>)")
    }
}

impl<T: Serialize> Serialize for Sensitive<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Sensitive<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        T::deserialize(deserializer).map(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_value() {
        let s = Sensitive::new("top-secret-value".to_owned());
        assert!(!format!("{s:?}").contains("top-secret"));
        assert!(!format!("{:?}", Some(&s)).contains("top-secret"));
    }

    #[test]
    fn serde_is_transparent() {
        let s: Sensitive<String> = serde_json::from_str("\"abc\"").unwrap();
        assert_eq!(s.expose(), "abc");
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"abc\"");
    }
}
