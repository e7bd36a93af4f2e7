//! Requests without a valid token get 401 with a Key Vault challenge.

use crate::support::{start, API};
use base64::Engine;
use reqwest::{Method, StatusCode};

fn challenge_of(answer: &crate::support::Answer) -> String {
    answer.headers["www-authenticate"]
        .to_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn missing_token_gets_the_challenge() {
    let h = start().await;
    let url = h.url(&format!("/secrets/x?api-version={API}"));
    let answer = h.send(Method::GET, &url, None, None).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer.code(), "Unauthorized");
    let challenge = challenge_of(&answer);
    assert_eq!(
        challenge,
        format!(
            "Bearer authorization=\"{}/{}\", resource=\"https://vault.azure.net\"",
            h.emulator.authority_host(),
            h.emulator.tenant_id()
        )
    );
}

#[tokio::test]
async fn bad_tokens_are_refused() {
    let h = start().await;
    let url = h.url(&format!("/secrets/x?api-version={API}"));
    let management = h.emulator.issue_token("app", true).unwrap();
    // A token signed by another emulator.
    let other = azkv_emulator::Emulator::start(Default::default())
        .await
        .unwrap();
    let foreign = other.issue_token("app", false).unwrap();
    // A token whose payload was changed after signing.
    let mut parts: Vec<String> = h.token.split('.').map(str::to_owned).collect();
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut claims: serde_json::Value =
        serde_json::from_slice(&b64.decode(&parts[1]).unwrap()).unwrap();
    claims["appid"] = "someone-else".into();
    parts[1] = b64.encode(claims.to_string());
    let tampered = parts.join(".");
    for token in [
        management.as_str(),
        foreign.as_str(),
        tampered.as_str(),
        "garbage",
        "a.b.c",
    ] {
        let answer = h.send(Method::GET, &url, None, Some(token)).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{token}");
        assert!(challenge_of(&answer).starts_with("Bearer authorization="));
    }
}

#[tokio::test]
async fn expired_token_is_refused_after_the_clock_moves() {
    let h = start().await;
    assert_eq!(h.set("t", "x").await.status, StatusCode::OK);
    h.emulator
        .advance_clock(std::time::Duration::from_secs(3601));
    let answer = h.set("t", "y").await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert!(answer.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("expired"));
}

#[tokio::test]
async fn unauthorized_requests_change_nothing() {
    let h = start().await;
    let url = h.url(&format!("/secrets/x?api-version={API}"));
    let answer = h
        .send(
            Method::PUT,
            &url,
            Some(serde_json::json!({"value": "v"})),
            None,
        )
        .await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        h.call(Method::GET, "/secrets/x", None).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn access_policies_are_enforced_per_object_id() {
    let h = start().await;
    assert_eq!(h.set("guarded", "v").await.status, StatusCode::OK);
    let reader = h.emulator.issue_token("reader-app", false).unwrap();
    let policies = vec![
        azkv_emulator::AccessPolicy {
            object_id: h.emulator.object_id_of("reader-app"),
            secrets: vec!["get".into(), "list".into()],
            ..Default::default()
        },
        azkv_emulator::AccessPolicy {
            object_id: h.emulator.object_id_of("test-app"),
            secrets: vec!["all".into()],
            ..Default::default()
        },
    ];
    assert!(h.emulator.set_access_policies("emulator", Some(policies)));
    let get = h.url(&format!("/secrets/guarded?api-version={API}"));
    assert_eq!(
        h.send(Method::GET, &get, None, Some(&reader)).await.status,
        StatusCode::OK
    );
    let denied = h
        .send(
            Method::PUT,
            &get,
            Some(serde_json::json!({ "value": "x" })),
            Some(&reader),
        )
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    assert_eq!(denied.code(), "Forbidden");
    assert_eq!(denied.body["error"]["innererror"]["code"], "AccessDenied");
    assert!(denied.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("secrets set"));
    // Nothing changed, and a caller with no policy at all is refused everything.
    assert_eq!(
        h.call(Method::GET, "/secrets/guarded", None).await.body["value"],
        "v"
    );
    let stranger = h.emulator.issue_token("stranger", false).unwrap();
    assert_eq!(
        h.send(Method::GET, &get, None, Some(&stranger))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}
