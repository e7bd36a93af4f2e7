//! Which `api-version` values the data plane accepts: the stable versions 7.0 to 7.6,
//! 2025-07-01 and 2026-04-01, and the previews published between them.

use crate::error::ApiError;

/// The newest stable data-plane version.
pub const LATEST: &str = "2026-04-01";

const STABLE: &[&str] = &[
    "7.0",
    "7.1",
    "7.2",
    "7.3",
    "7.4",
    "7.5",
    "7.6",
    "2025-07-01",
    "2026-04-01",
];

/// Checks a data-plane `api-version`.
pub fn check(version: Option<&str>) -> Result<&str, ApiError> {
    let Some(version) = version.filter(|v| !v.is_empty()) else {
        return Err(ApiError::bad_parameter(
            "The api-version query parameter is required.",
        ));
    };
    if accepted(version) {
        Ok(version)
    } else {
        Err(ApiError::bad_parameter(format!(
            "The specified version ({version}) is not recognized. Consider using the latest supported version ({LATEST})."
        )))
    }
}

fn accepted(version: &str) -> bool {
    if STABLE.contains(&version) {
        return true;
    }
    // 7.N-preview or 7.N-preview.M, N in 0..=6.
    if let Some(rest) = version.strip_prefix("7.") {
        let mut parts = rest.splitn(2, "-preview");
        let minor = parts.next().unwrap_or_default();
        let suffix = parts.next();
        let minor_ok = matches!(minor, "0" | "1" | "2" | "3" | "4" | "5" | "6");
        return minor_ok
            && suffix.is_some_and(|s| {
                s.is_empty()
                    || (s.starts_with('.')
                        && s[1..].chars().all(|c| c.is_ascii_digit())
                        && s.len() > 1)
            });
    }
    // YYYY-MM-DD-preview, no later than the newest stable version.
    if let Some(date) = version.strip_suffix("-preview") {
        return date.len() == 10
            && date.chars().enumerate().all(|(i, c)| {
                if i == 4 || i == 7 {
                    c == '-'
                } else {
                    c.is_ascii_digit()
                }
            })
            && ("2025-01-01"..=LATEST).contains(&date);
    }
    false
}

/// Whether responses of `version` carry `recoverableDays` (added in 7.1).
pub fn has_recoverable_days(version: &str) -> bool {
    version != "7.0" && !version.starts_with("7.0-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_what_clients_send() {
        for v in [
            "7.0",
            "7.4",
            "7.6",
            "7.6-preview.2",
            "7.3-preview",
            "2025-07-01",
            "2026-04-01",
            "2025-06-01-preview",
        ] {
            assert!(check(Some(v)).is_ok(), "{v}");
        }
    }

    #[test]
    fn refuses_others() {
        for v in [
            "",
            "6.0",
            "7.7",
            "7.6-preview.",
            "2027-01-01",
            "2026-05-01-preview",
            "latest",
            "7.6-previewx",
            "2024-13-01-preview",
        ] {
            assert!(check(Some(v)).is_err(), "{v}");
        }
        assert!(check(None).is_err());
    }
}
