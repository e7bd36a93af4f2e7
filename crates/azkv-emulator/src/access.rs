//! Access policies: which caller (by the token's `oid`) may do what to a vault's objects.
//! A vault without policies lets every authenticated caller do everything; with policies, a
//! request whose permission no policy grants the caller is answered `403 Forbidden` in the
//! service's shape.

use crate::error::{ApiError, ApiResult};
use crate::identity::Claims;
use crate::state::State;
use http::StatusCode;
use serde::{Deserialize, Serialize};

/// One access policy entry.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessPolicy {
    /// The object id (`oid`) it applies to.
    pub object_id: String,
    /// Secrets permissions (`get`, `list`, `set`, `delete`, `backup`, `restore`, `recover`,
    /// `purge`, or `all`).
    pub secrets: Vec<String>,
    /// Keys permissions (`get`, `list`, `create`, `import`, `update`, `delete`, `backup`,
    /// `restore`, `recover`, `purge`, `encrypt`, `decrypt`, `sign`, `verify`, `wrapKey`,
    /// `unwrapKey`, `rotate`, `getrotationpolicy`, `setrotationpolicy`, or `all`).
    #[serde(default)]
    pub keys: Vec<String>,
    /// Certificates permissions (`get`, `list`, `create`, `import`, `update`, `delete`,
    /// `managecontacts`, `getissuers`, `setissuers`, `deleteissuers`, `backup`, `restore`,
    /// `recover`, `purge`, or `all`).
    #[serde(default)]
    pub certificates: Vec<String>,
}

impl AccessPolicy {
    fn granted(&self, kind: &str) -> &[String] {
        match kind {
            "keys" => &self.keys,
            "certificates" => &self.certificates,
            _ => &self.secrets,
        }
    }
}

/// Checks that `claims` may use `permission` on `kind` objects of `vault`.
pub fn check(
    state: &State,
    vault: &str,
    claims: &Claims,
    kind: &str,
    permission: &str,
) -> ApiResult<()> {
    let store = state.lock();
    let Some(policies) = store
        .vaults
        .get(vault)
        .and_then(|v| v.access_policies.as_ref())
    else {
        return Ok(());
    };
    let allowed = policies
        .iter()
        .filter(|p| p.object_id.eq_ignore_ascii_case(&claims.oid))
        .any(|p| {
            p.granted(kind).iter().any(|granted| {
                granted.eq_ignore_ascii_case(permission) || granted.eq_ignore_ascii_case("all")
            })
        });
    if allowed {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "Forbidden",
            format!(
                "The user, group or application 'appid={};oid={}' does not have {kind} {permission} permission on key vault '{vault}'.",
                claims.appid, claims.oid
            ),
        )
        .with_inner("AccessDenied"))
    }
}
