//! The listeners and the dispatch of every request: identity endpoints, test control and the
//! data plane of the vault the request addresses.

use crate::error::ApiError;
use crate::faults::Fault;
use crate::http::{empty_response, parse_query, Req, Response, MAX_BODY};
use crate::secrets::{self, Call};
use crate::state::State;
use crate::{access, api_version, control, identity};
use bytes::Bytes;
use http::{HeaderValue, StatusCode};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

/// What a listener serves.
#[derive(Clone, Debug)]
pub enum Role {
    /// The main port: identity, management, test control and the default vault.
    Main,
    /// A vault's own port.
    Vault(String),
}

static REQUEST_COUNTER: AtomicU64 = AtomicU64::new(1);

/// Accepts connections on `listener` until `stop` changes.
pub async fn serve(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    role: Role,
    state: Arc<State>,
    graceful: Arc<GracefulShutdown>,
    mut stop: watch::Receiver<bool>,
) {
    let scheme = if tls.is_some() { "https" } else { "http" };
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stop.changed() => break,
        };
        let Ok((stream, _)) = accepted else {
            // Out of file descriptors or similar: back off a little instead of spinning.
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        };
        if let Err(err) = stream.set_nodelay(true) {
            tracing::debug!(error = %err, "could not disable Nagle's algorithm");
        }
        let state = state.clone();
        let role = role.clone();
        let tls = tls.clone();
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| {
                let state = state.clone();
                let role = role.clone();
                async move { handle(&state, &role, scheme, req).await }
            });
            let builder = hyper::server::conn::http1::Builder::new();
            match tls {
                Some(acceptor) => {
                    let Ok(Ok(stream)) =
                        tokio::time::timeout(Duration::from_secs(10), acceptor.accept(stream))
                            .await
                    else {
                        return;
                    };
                    let conn = builder.serve_connection(TokioIo::new(stream), service);
                    if let Err(err) = watcher.watch(conn).await {
                        tracing::debug!(error = %err, "connection ended with an error");
                    }
                }
                None => {
                    let conn = builder.serve_connection(TokioIo::new(stream), service);
                    if let Err(err) = watcher.watch(conn).await {
                        tracing::debug!(error = %err, "connection ended with an error");
                    }
                }
            }
        });
    }
}

async fn read_body(body: Incoming) -> Result<Bytes, ApiError> {
    match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(err)
            if err
                .downcast_ref::<http_body_util::LengthLimitError>()
                .is_some() =>
        {
            Err(too_large())
        }
        Err(_) => Err(ApiError::bad_parameter(
            "The request body could not be read.",
        )),
    }
}

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "RequestBodyTooLarge",
        format!("The request body is larger than {MAX_BODY} bytes."),
    )
}

/// The error that makes hyper close a connection without answering (an injected fault).
#[derive(Debug)]
pub struct DroppedConnection;

impl std::fmt::Display for DroppedConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by fault injection")
    }
}

impl std::error::Error for DroppedConnection {}

async fn handle(
    state: &State,
    role: &Role,
    scheme: &str,
    request: http::Request<Incoming>,
) -> Result<Response, DroppedConnection> {
    let request_id = format!(
        "{:08x}-0000-4000-8000-{:012x}",
        std::process::id(),
        REQUEST_COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    let client_request_id = request.headers().get("x-ms-client-request-id").cloned();
    let (parts, body) = request.into_parts();
    let declared_too_large = parts
        .headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .is_some_and(|n| n > MAX_BODY);
    let body = if declared_too_large {
        Err(too_large())
    } else {
        read_body(body).await
    };
    let mut response = match body {
        Err(err) => err.into_response(),
        Ok(body) => {
            let host = parts
                .headers
                .get(http::header::HOST)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
                .unwrap_or_else(|| {
                    state
                        .main_url
                        .trim_start_matches("http://")
                        .trim_start_matches("https://")
                        .to_owned()
                });
            let req = Req {
                method: parts.method,
                path: parts.uri.path().to_owned(),
                query: parse_query(parts.uri.query()),
                headers: parts.headers,
                body,
                base_url: format!("{scheme}://{host}"),
            };
            tracing::debug!(method = %req.method, path = %req.path, "request");
            match dispatch(state, role, &req, &host) {
                Routed::Done(response) => response,
                Routed::Vault(vault) => vault_request(state, &req, &vault).await?,
            }
        }
    };
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        headers.insert("x-ms-request-id", value);
    }
    if let Some(id) = client_request_id {
        headers.insert("x-ms-client-request-id", id);
    }
    headers.insert(
        "x-ms-keyvault-service-version",
        HeaderValue::from_static("1.9.0.0-azkv-emulator"),
    );
    headers.insert("x-ms-keyvault-region", HeaderValue::from_static("emulator"));
    headers.insert(
        http::header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache"),
    );
    Ok(response)
}

/// Where a request goes.
enum Routed {
    /// Answered already (identity, control, unknown vault).
    Done(Response),
    /// A data-plane request for this vault.
    Vault(String),
}

/// Authenticates a data-plane request, applies injected faults, then serves it.
async fn vault_request(
    state: &State,
    req: &Req,
    vault: &str,
) -> Result<Response, DroppedConnection> {
    let claims = match state
        .issuer
        .verify(req.header("authorization"), state.clock.now(), false)
    {
        Ok(claims) => claims,
        Err(problem) => return Ok(challenge(state, problem.message())),
    };
    if let Some(faults) = &state.faults {
        let retry_after = faults.config().retry_after;
        let with_retry_after = |mut response: Response| {
            let secs = retry_after.as_millis().div_ceil(1000).max(1);
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                response.headers_mut().insert(http::header::RETRY_AFTER, v);
            }
            if retry_after.as_millis() % 1000 != 0 {
                if let Ok(v) = HeaderValue::from_str(&retry_after.as_millis().to_string()) {
                    response.headers_mut().insert("x-ms-retry-after-ms", v);
                }
            }
            response
        };
        match faults.decide(req.header("x-ms-client-request-id")) {
            Fault::None => {}
            Fault::Throttle => {
                return Ok(with_retry_after(
                    ApiError::new(
                        StatusCode::TOO_MANY_REQUESTS,
                        "Throttled",
                        "Too many requests: this request was throttled by fault injection.",
                    )
                    .into_response(),
                ))
            }
            Fault::Unavailable => {
                return Ok(with_retry_after(
                    ApiError::new(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "ServiceUnavailable",
                        "The service is unavailable (fault injection).",
                    )
                    .into_response(),
                ))
            }
            Fault::Drop => return Err(DroppedConnection),
            Fault::Slow => tokio::time::sleep(faults.config().slow_delay).await,
        }
    }
    let needed = secrets::permission(req)
        .map(|p| ("secrets", p))
        .or_else(|| crate::keys::permission(req).map(|p| ("keys", p)))
        .or_else(|| crate::certs::permission(req).map(|p| ("certificates", p)));
    if let Some((kind, permission)) = needed {
        if let Err(err) = access::check(state, vault, &claims, kind, permission) {
            return Ok(err.into_response());
        }
    }
    Ok(data_plane(state, req, vault))
}

fn dispatch(state: &State, role: &Role, req: &Req, host: &str) -> Routed {
    if matches!(role, Role::Main) {
        if let Some(response) = identity::route(&state.issuer, &state.clock, req) {
            return Routed::Done(response);
        }
        if let Some(response) = control::route(state, req) {
            return Routed::Done(response);
        }
        if let Some(response) = crate::mgmt::route(state, req) {
            return Routed::Done(response);
        }
    }
    // A Host of NAME.localhost selects vault NAME on any port.
    let hostname = host.rsplit_once(':').map_or(host, |(h, port)| {
        if port.chars().all(|c| c.is_ascii_digit()) {
            h
        } else {
            host
        }
    });
    let vault = match hostname.to_ascii_lowercase().strip_suffix(".localhost") {
        Some(name) => name.to_owned(),
        None => match role {
            Role::Main => state.config.default_vault.clone(),
            Role::Vault(name) => name.clone(),
        },
    };
    if !state.lock().vaults.contains_key(&vault) {
        return Routed::Done(
            ApiError::not_found(
                "VaultNotFound",
                format!("No vault named {vault} exists in this emulator."),
            )
            .into_response(),
        );
    }
    Routed::Vault(vault)
}

fn challenge(state: &State, message: &str) -> Response {
    let mut response =
        ApiError::new(StatusCode::UNAUTHORIZED, "Unauthorized", message).into_response();
    let header = format!(
        "Bearer authorization=\"{}/{}\", resource=\"https://vault.azure.net\"",
        state.main_url,
        state.issuer.tenant_id()
    );
    if let Ok(value) = HeaderValue::from_str(&header) {
        response
            .headers_mut()
            .insert(http::header::WWW_AUTHENTICATE, value);
    }
    response
}

fn data_plane(state: &State, req: &Req, vault: &str) -> Response {
    let api_version = match api_version::check(req.query("api-version")) {
        Ok(v) => v,
        Err(err) => return err.into_response(),
    };
    let call = Call {
        state,
        req,
        api_version,
        vault,
    };
    match secrets::route(&call)
        .or_else(|| crate::keys::route(&call))
        .or_else(|| crate::certs::route(&call))
    {
        Some(Ok(response)) => response,
        Some(Err(err)) => err.into_response(),
        None => {
            if req.method == http::Method::OPTIONS {
                return empty_response(StatusCode::NO_CONTENT);
            }
            ApiError::not_found(
                "NotFound",
                format!("No operation is found at {}.", req.path),
            )
            .into_response()
        }
    }
}
