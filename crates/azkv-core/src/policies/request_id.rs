//! [`RequestIdPolicy`]: gives each operation an `x-ms-client-request-id`.

use super::random::uuid_v4;
use crate::{Context, Next, Policy, RawResponse, Request, Result, CLIENT_REQUEST_ID_HEADER};
use async_trait::async_trait;

/// Sets `x-ms-client-request-id` to a new UUID unless the request already has one. It runs
/// before retry, so every try of one operation carries the same id.
#[derive(Debug, Default, Clone, Copy)]
pub struct RequestIdPolicy;

#[async_trait]
impl Policy for RequestIdPolicy {
    async fn send(
        &self,
        ctx: &Context,
        request: &mut Request,
        next: Next<'_>,
    ) -> Result<RawResponse> {
        if request.header(CLIENT_REQUEST_ID_HEADER).is_none() {
            request.insert_header(CLIENT_REQUEST_ID_HEADER, &uuid_v4())?;
        }
        next.send(ctx, request).await
    }
}
