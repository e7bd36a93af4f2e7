//! [`RequestIdPolicy`]: gives each operation an `x-ms-client-request-id`.

use super::random::uuid_v4;
use crate::{Context, Next, Policy, RawResponse, Request, Result, CLIENT_REQUEST_ID_HEADER};
use async_trait::async_trait;
use http::{HeaderName, HeaderValue};

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
        const NAME: HeaderName = HeaderName::from_static(CLIENT_REQUEST_ID_HEADER);
        if !request.headers().contains_key(&NAME) {
            // A UUID is always a valid header value; built from its own bytes, without a copy.
            if let Ok(value) = HeaderValue::from_maybe_shared(bytes::Bytes::from(uuid_v4())) {
                request.headers_mut().insert(NAME, value);
            }
        }
        next.send(ctx, request).await
    }
}
