//! [`Poller<T>`]: long-running operations, awaited to completion or polled step by step.
//!
//! Two built-in kinds:
//! - Key Vault entity polling ([`Poller::key_vault_entity`]): delete and recover return at
//!   once, but the entity appears (as deleted, or as recovered) a moment later; the poller reads
//!   it until it stops answering `404`.
//! - Azure Resource Manager ([`Poller::arm`]): follows `Azure-AsyncOperation`, then `Location`,
//!   then the resource's own `provisioningState`, and fetches the final resource.
//!
//! Both honour `Retry-After` between polls and stop with [`ErrorKind::Timeout`] after
//! [`PollerOptions::timeout`]. Awaiting a `Poller` (it implements `IntoFuture`) waits for the
//! result; [`Poller::poll`] takes one step; [`Poller::continuation_token`] lets another process
//! resume with [`Poller::resume`].

use crate::policies::parse_retry_after;
use crate::{Context, Error, ErrorKind, Method, Pipeline, RawResponse, Request, Result};
use async_trait::async_trait;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::{Duration, Instant, SystemTime};
use url::Url;

/// Where a long-running operation stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PollStatus {
    /// Not finished.
    InProgress,
    /// Finished successfully; the result can be read.
    Succeeded,
    /// Finished in failure.
    Failed,
    /// Cancelled.
    Canceled,
}

impl PollStatus {
    /// Whether the operation has finished, one way or another.
    pub fn is_terminal(self) -> bool {
        !matches!(self, PollStatus::InProgress)
    }
}

/// How a poller waits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PollerOptions {
    /// Wait between polls when the service gives no `Retry-After`. Default 2 s.
    pub interval: Duration,
    /// Give up after this long. Default 10 min.
    pub timeout: Duration,
}

impl Default for PollerOptions {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(2),
            timeout: Duration::from_secs(600),
        }
    }
}

/// One step of a long-running operation's protocol; implement it for operations of your own.
#[async_trait]
pub trait PollOperation: Send + Sync {
    /// The operation's result.
    type Output: Send;

    /// Asks the service once how the operation stands, with the wait it asked for, if any.
    async fn poll(&mut self) -> Result<(PollStatus, Option<Duration>)>;

    /// The result, after [`poll`](Self::poll) reported [`PollStatus::Succeeded`].
    async fn result(&mut self) -> Result<Self::Output>;

    /// The failure, after [`poll`](Self::poll) reported [`PollStatus::Failed`] or
    /// [`PollStatus::Canceled`].
    fn failure(&self) -> Error;

    /// A token from which [`Poller::resume`] continues the operation.
    fn continuation_token(&self) -> String;
}

/// A long-running operation. Await it for the result.
///
/// # Examples
///
/// ```no_run
/// # async fn run(poller: azkv_core::Poller<serde_json::Value>) -> azkv_core::Result<()> {
/// let result = poller.await?;
/// # Ok(()) }
/// ```
pub struct Poller<T> {
    operation: Box<dyn PollOperation<Output = T>>,
    status: PollStatus,
    options: PollerOptions,
    last_wait: Option<Duration>,
}

impl<T> fmt::Debug for Poller<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Poller")
            .field("status", &self.status)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl<T: Send + 'static> Poller<T> {
    /// A poller driving `operation`.
    pub fn new(
        operation: impl PollOperation<Output = T> + 'static,
        options: PollerOptions,
    ) -> Self {
        Self {
            operation: Box::new(operation),
            status: PollStatus::InProgress,
            options,
            last_wait: None,
        }
    }

    /// The status after the last poll.
    pub fn status(&self) -> PollStatus {
        self.status
    }

    /// A token from which [`Poller::resume`] continues the operation.
    pub fn continuation_token(&self) -> String {
        self.operation.continuation_token()
    }

    /// Polls once and returns the new status.
    ///
    /// # Errors
    ///
    /// Any error of the status request.
    pub async fn poll(&mut self) -> Result<PollStatus> {
        if self.status.is_terminal() {
            return Ok(self.status);
        }
        let (status, wait) = self.operation.poll().await?;
        self.status = status;
        self.last_wait = wait;
        Ok(status)
    }

    /// Polls until the operation finishes and returns its result.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::OperationFailed`] when it failed or was cancelled, [`ErrorKind::Timeout`]
    /// after [`PollerOptions::timeout`], or any error of a status request.
    pub async fn wait(mut self) -> Result<T> {
        let start = Instant::now();
        loop {
            match self.poll().await? {
                PollStatus::Succeeded => return self.operation.result().await,
                PollStatus::Failed | PollStatus::Canceled => return Err(self.operation.failure()),
                PollStatus::InProgress => {
                    let wait = self.last_wait.unwrap_or(self.options.interval);
                    if start.elapsed().saturating_add(wait) > self.options.timeout {
                        return Err(Error::new(
                            ErrorKind::Timeout,
                            format!(
                                "long-running operation did not finish within {:?}",
                                self.options.timeout
                            ),
                        ));
                    }
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }
}

struct Ready<T> {
    value: Option<T>,
    token: String,
}

#[async_trait]
impl<T: Send + Sync> PollOperation for Ready<T> {
    type Output = T;

    async fn poll(&mut self) -> Result<(PollStatus, Option<Duration>)> {
        Ok((PollStatus::Succeeded, None))
    }

    async fn result(&mut self) -> Result<T> {
        self.value
            .take()
            .ok_or_else(|| Error::new(ErrorKind::Other, "poller result already taken"))
    }

    fn failure(&self) -> Error {
        Error::new(
            ErrorKind::OperationFailed {
                code: None,
                message: None,
            },
            "operation failed",
        )
    }

    fn continuation_token(&self) -> String {
        self.token.clone()
    }
}

struct Mapped<T, U> {
    inner: Box<dyn PollOperation<Output = T>>,
    map: Box<dyn Fn(T) -> Result<U> + Send + Sync>,
}

#[async_trait]
impl<T: Send + 'static, U: Send + 'static> PollOperation for Mapped<T, U> {
    type Output = U;

    async fn poll(&mut self) -> Result<(PollStatus, Option<Duration>)> {
        self.inner.poll().await
    }

    async fn result(&mut self) -> Result<U> {
        (self.map)(self.inner.result().await?)
    }

    fn failure(&self) -> Error {
        self.inner.failure()
    }

    fn continuation_token(&self) -> String {
        self.inner.continuation_token()
    }
}

impl<T: Send + Sync + 'static> Poller<T> {
    /// A poller for an operation that already finished with `value` (for example a delete in
    /// a vault without soft-delete).
    pub fn ready(value: T) -> Self {
        let mut poller = Self::new(
            Ready {
                value: Some(value),
                token: String::new(),
            },
            PollerOptions::default(),
        );
        poller.status = PollStatus::Succeeded;
        poller
    }
}

impl<T: Send + 'static> Poller<T> {
    /// Converts the result with `map` once the operation succeeds.
    pub fn map<U: Send + 'static>(self, map: impl Fn(T) -> U + Send + Sync + 'static) -> Poller<U> {
        self.try_map(move |t| Ok(map(t)))
    }

    /// Converts the result with `map`, which may fail (a response that does not convert to
    /// the public model); its error becomes the poller's.
    pub fn try_map<U: Send + 'static>(
        self,
        map: impl Fn(T) -> Result<U> + Send + Sync + 'static,
    ) -> Poller<U> {
        Poller {
            operation: Box::new(Mapped {
                inner: self.operation,
                map: Box::new(map),
            }),
            status: self.status,
            options: self.options,
            last_wait: self.last_wait,
        }
    }
}

impl<T: Send + 'static> IntoFuture for Poller<T> {
    type Output = Result<T>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<T>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.wait())
    }
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Token {
    Entity {
        url: String,
    },
    Arm {
        status_url: Option<String>,
        location: Option<String>,
        resource: String,
        method: String,
    },
}

fn decode_token(token: &str) -> Result<Token> {
    serde_json::from_str(token)
        .map_err(|_| Error::invalid_input("continuation token", "not a token of this poller"))
}

fn parse_url(url: &str, what: &str) -> Result<Url> {
    Url::parse(url).map_err(|_| Error::invalid_input(what, "not a URL"))
}

fn same_origin(a: &Url, b: &Url) -> Result<()> {
    if a.origin() == b.origin() {
        Ok(())
    } else {
        Err(Error::new(
            ErrorKind::Deserialize,
            "operation status URL points to another host than the resource",
        ))
    }
}

async fn get(pipeline: &Pipeline, ctx: &Context, url: &Url) -> Result<RawResponse> {
    let mut request = Request::new(Method::GET, url.clone());
    pipeline.send(ctx, &mut request).await
}

/// Decodes a final body; an empty body decodes as JSON `null` (for `()` and `Option` outputs).
fn decode_final<T: DeserializeOwned>(body: &[u8]) -> Result<T> {
    if body.iter().all(u8::is_ascii_whitespace) {
        Ok(serde_json::from_slice(b"null")?)
    } else {
        Ok(serde_json::from_slice(body)?)
    }
}

struct EntityOperation<T> {
    pipeline: Pipeline,
    ctx: Context,
    url: Url,
    value: Option<T>,
}

#[async_trait]
impl<T: DeserializeOwned + Send + Sync> PollOperation for EntityOperation<T> {
    type Output = T;

    async fn poll(&mut self) -> Result<(PollStatus, Option<Duration>)> {
        let response = get(&self.pipeline, &self.ctx, &self.url).await?;
        let wait = parse_retry_after(response.headers(), SystemTime::now());
        match response.status().as_u16() {
            404 => Ok((PollStatus::InProgress, wait)),
            // Without permission to read the entity, the operation is taken as done, with the
            // value the first response gave.
            403 if self.value.is_some() => Ok((PollStatus::Succeeded, None)),
            _ => {
                let response = response.success()?;
                self.value = Some(response.json()?);
                Ok((PollStatus::Succeeded, None))
            }
        }
    }

    async fn result(&mut self) -> Result<T> {
        self.value
            .take()
            .ok_or_else(|| Error::new(ErrorKind::Other, "poller result already taken"))
    }

    fn failure(&self) -> Error {
        Error::new(
            ErrorKind::OperationFailed {
                code: None,
                message: None,
            },
            "operation failed",
        )
    }

    fn continuation_token(&self) -> String {
        serde_json::to_string(&Token::Entity {
            url: self.url.to_string(),
        })
        .unwrap_or_default()
    }
}

#[derive(Deserialize)]
struct OperationStatus {
    status: Option<String>,
    error: Option<OperationError>,
    properties: Option<ProvisioningProperties>,
}

#[derive(Deserialize)]
struct ProvisioningProperties {
    #[serde(rename = "provisioningState")]
    provisioning_state: Option<String>,
}

#[derive(Deserialize)]
struct OperationError {
    code: Option<String>,
    message: Option<String>,
}

fn status_of(text: &str) -> PollStatus {
    match text.to_ascii_lowercase().as_str() {
        "succeeded" => PollStatus::Succeeded,
        "failed" => PollStatus::Failed,
        "canceled" | "cancelled" => PollStatus::Canceled,
        _ => PollStatus::InProgress,
    }
}

struct ArmOperation<T> {
    pipeline: Pipeline,
    ctx: Context,
    status_url: Option<Url>,
    location: Option<Url>,
    resource: Url,
    method: Method,
    error: Option<(Option<String>, Option<String>)>,
    result: Option<T>,
}

#[async_trait]
impl<T: DeserializeOwned + Send + Sync> PollOperation for ArmOperation<T> {
    type Output = T;

    async fn poll(&mut self) -> Result<(PollStatus, Option<Duration>)> {
        if let Some(status_url) = &self.status_url {
            let response = get(&self.pipeline, &self.ctx, status_url)
                .await?
                .success()?;
            let wait = parse_retry_after(response.headers(), SystemTime::now());
            let body: OperationStatus = response.json()?;
            let status = status_of(body.status.as_deref().unwrap_or("InProgress"));
            if let Some(error) = body.error {
                self.error = Some((error.code, error.message));
            }
            return Ok((status, wait));
        }
        if let Some(location) = &self.location {
            let response = get(&self.pipeline, &self.ctx, location).await?;
            let wait = parse_retry_after(response.headers(), SystemTime::now());
            if response.status().as_u16() == 202 {
                return Ok((PollStatus::InProgress, wait));
            }
            let response = response.success()?;
            self.result = Some(decode_final(response.body())?);
            return Ok((PollStatus::Succeeded, None));
        }
        // Neither header: the resource's own provisioningState tells.
        let response = get(&self.pipeline, &self.ctx, &self.resource)
            .await?
            .success()?;
        let wait = parse_retry_after(response.headers(), SystemTime::now());
        let body: OperationStatus = decode_final::<Option<OperationStatus>>(response.body())?
            .unwrap_or(OperationStatus {
                status: None,
                error: None,
                properties: None,
            });
        let state = body
            .properties
            .and_then(|p| p.provisioning_state)
            .unwrap_or_else(|| "Succeeded".to_owned());
        let status = status_of(&state);
        if status == PollStatus::Succeeded {
            self.result = Some(decode_final(response.body())?);
        }
        Ok((status, wait))
    }

    async fn result(&mut self) -> Result<T> {
        if let Some(result) = self.result.take() {
            return Ok(result);
        }
        // After an Azure-AsyncOperation success: PUT and PATCH read the resource, others
        // read Location when given, else have no body.
        let url = if self.method == Method::PUT || self.method == Method::PATCH {
            Some(&self.resource)
        } else {
            self.location.as_ref()
        };
        match url {
            Some(url) => {
                let response = get(&self.pipeline, &self.ctx, url).await?.success()?;
                decode_final(response.body())
            }
            None => decode_final(b""),
        }
    }

    fn failure(&self) -> Error {
        let (code, message) = self.error.clone().unwrap_or((None, None));
        let text = match (&code, &message) {
            (Some(c), Some(m)) => format!("long-running operation failed: {c}: {m}"),
            (Some(c), None) => format!("long-running operation failed: {c}"),
            _ => "long-running operation failed".to_owned(),
        };
        Error::new(ErrorKind::OperationFailed { code, message }, text)
    }

    fn continuation_token(&self) -> String {
        serde_json::to_string(&Token::Arm {
            status_url: self.status_url.as_ref().map(Url::to_string),
            location: self.location.as_ref().map(Url::to_string),
            resource: self.resource.to_string(),
            method: self.method.to_string(),
        })
        .unwrap_or_default()
    }
}

impl<T: DeserializeOwned + Send + Sync + 'static> Poller<T> {
    /// A Key Vault poller that reads `url` until it stops answering `404`. `initial` is the
    /// value the starting request returned, used when the caller may not read the entity.
    pub fn key_vault_entity(
        pipeline: Pipeline,
        ctx: Context,
        url: Url,
        initial: Option<T>,
        options: PollerOptions,
    ) -> Self {
        Self::new(
            EntityOperation {
                pipeline,
                ctx,
                url,
                value: initial,
            },
            options,
        )
    }

    /// An Azure Resource Manager poller started by `initial`, the response to `method` on
    /// `resource`. A response without `Azure-AsyncOperation` or `Location` whose resource is
    /// already in a terminal `provisioningState` finishes at the first poll.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Http`] when `initial` is an error response; [`ErrorKind::Deserialize`] when
    /// its status URLs are not URLs on the resource's host.
    pub fn arm(
        pipeline: Pipeline,
        ctx: Context,
        method: Method,
        resource: Url,
        initial: RawResponse,
        options: PollerOptions,
    ) -> Result<Self> {
        let initial = initial.success()?;
        let header_url = |name: &str| -> Result<Option<Url>> {
            match initial.header(name) {
                None => Ok(None),
                Some(value) => {
                    let url = parse_url(value, name)?;
                    same_origin(&url, &resource)?;
                    Ok(Some(url))
                }
            }
        };
        let status_url = header_url("azure-asyncoperation")?;
        let location = header_url("location")?;
        let mut operation = ArmOperation {
            pipeline,
            ctx,
            status_url,
            location,
            resource,
            method,
            error: None,
            result: None,
        };
        let mut status = PollStatus::InProgress;
        if operation.status_url.is_none() && operation.location.is_none() {
            // The first response may already be final.
            let state = decode_final::<Option<OperationStatus>>(initial.body())
                .ok()
                .flatten()
                .and_then(|b| b.properties)
                .and_then(|p| p.provisioning_state);
            if let Some(state) = state {
                status = status_of(&state);
                if status == PollStatus::Succeeded {
                    operation.result = Some(decode_final(initial.body())?);
                }
            } else if initial.status().as_u16() != 202 {
                status = PollStatus::Succeeded;
                operation.result = Some(decode_final(initial.body())?);
            }
        }
        let mut poller = Self::new(operation, options);
        poller.status = status;
        Ok(poller)
    }

    /// Continues an operation from a [`continuation_token`](Self::continuation_token).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] when `token` is not a token of a built-in poller.
    pub fn resume(
        pipeline: Pipeline,
        ctx: Context,
        token: &str,
        options: PollerOptions,
    ) -> Result<Self> {
        Ok(match decode_token(token)? {
            Token::Entity { url } => Self::key_vault_entity(
                pipeline,
                ctx,
                parse_url(&url, "continuation token")?,
                None,
                options,
            ),
            Token::Arm {
                status_url,
                location,
                resource,
                method,
            } => Self::new(
                ArmOperation {
                    pipeline,
                    ctx,
                    status_url: status_url
                        .map(|u| parse_url(&u, "continuation token"))
                        .transpose()?,
                    location: location
                        .map(|u| parse_url(&u, "continuation token"))
                        .transpose()?,
                    resource: parse_url(&resource, "continuation token")?,
                    method: method
                        .parse()
                        .map_err(|_| Error::invalid_input("continuation token", "bad method"))?,
                    error: None,
                    result: None,
                },
                options,
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses() {
        assert_eq!(status_of("Succeeded"), PollStatus::Succeeded);
        assert_eq!(status_of("failed"), PollStatus::Failed);
        assert_eq!(status_of("Canceled"), PollStatus::Canceled);
        assert_eq!(status_of("RegisteringDns"), PollStatus::InProgress);
    }

    #[test]
    fn empty_final_body_is_null() {
        let unit: () = decode_final(b"").unwrap();
        assert_eq!(unit, ());
        let none: Option<u32> = decode_final(b"  ").unwrap();
        assert_eq!(none, None);
    }

    #[tokio::test]
    async fn ready_and_mapped_pollers_finish_at_once() {
        let poller = Poller::ready(20_u32).map(|n| n + 1);
        assert_eq!(poller.status(), PollStatus::Succeeded);
        assert_eq!(poller.await.unwrap(), 21);
    }

    #[test]
    fn bad_token_is_invalid_input() {
        assert_eq!(
            decode_token("garbage").err().unwrap().kind(),
            &ErrorKind::InvalidInput
        );
    }
}
