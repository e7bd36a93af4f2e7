//! The test-control endpoints on the main port, under `/_emulator/`:
//!
//! | method and path | what it does |
//! |---|---|
//! | `GET /_emulator/health` | `{"status":"ok"}` |
//! | `GET /_emulator/clock` | `{"now":SECS,"offset":SECS}`: the emulator's Unix time and how far it was moved |
//! | `POST /_emulator/clock/advance` with `{"seconds":N}` | moves the clock forward; answers like `GET /_emulator/clock` |
//! | `GET /_emulator/faults` | counters of injected faults and of retries seen, early ones apart |
//!
//! They need no token: they exist for tests on the same machine.

use crate::error::ApiError;
use crate::http::{json_response, Req, Response};
use crate::state::State;
use http::StatusCode;
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
struct Advance {
    seconds: u64,
}

fn clock(state: &State) -> Response {
    json_response(
        StatusCode::OK,
        &json!({ "now": state.clock.now(), "offset": state.clock.offset() }),
    )
}

/// Answers a control request; `None` for other paths.
pub fn route(state: &State, req: &Req) -> Option<Response> {
    let segments = req.segments();
    let response = match (req.method.as_str(), segments.as_slice()) {
        ("GET", ["_emulator", "health"]) => {
            json_response(StatusCode::OK, &json!({ "status": "ok" }))
        }
        ("GET", ["_emulator", "clock"]) => clock(state),
        ("GET", ["_emulator", "faults"]) => json_response(
            StatusCode::OK,
            &state.faults.as_ref().map(|f| f.stats()).unwrap_or_default(),
        ),
        ("POST", ["_emulator", "clock", "advance"]) => match req.json::<Advance>() {
            Ok(advance) => {
                advance_clock(state, advance.seconds);
                clock(state)
            }
            Err(err) => err.into_response(),
        },
        (_, ["_emulator", ..]) => {
            ApiError::not_found("NotFound", "No such control endpoint.").into_response()
        }
        _ => return None,
    };
    Some(response)
}

/// Moves the clock and purges what is now past its scheduled purge date.
pub fn advance_clock(state: &State, seconds: u64) {
    let now = state.clock.advance(seconds);
    state.persist_clock();
    let mut store = state.lock();
    for (name, vault) in store.vaults.iter_mut() {
        for key in vault.purge_expired(now) {
            // A failed write is logged by persist_secret; the purge is redone at next start.
            if state.persist_secret(name, vault, &key).is_err() {
                tracing::warn!(vault = %name, "a purge was not stored");
            }
        }
    }
}
