//! The token endpoint, OpenID configuration and managed identity endpoint.

use crate::support::{start, start_with};
use azkv_emulator::EmulatorConfig;
use base64::Engine;
use reqwest::StatusCode;
use serde_json::Value;

async fn form(h: &crate::support::Harness, url: &str, body: &str) -> (StatusCode, Value) {
    let response = h
        .http
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    let status = response.status();
    (
        status,
        serde_json::from_slice(&response.bytes().await.unwrap()).unwrap(),
    )
}

fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap()
}

const SECRET_FORM: &str = "grant_type=client_credentials&client_id=app-1&client_secret=s3cret&scope=https%3A%2F%2Fvault.azure.net%2F.default";

#[tokio::test]
async fn client_secret_grant_gives_a_token_the_vault_accepts() {
    let h = start().await;
    let (status, body) = form(&h, &h.emulator.token_url(), SECRET_FORM).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    let token = body["access_token"].as_str().unwrap();
    let c = claims(token);
    assert_eq!(c["aud"], "https://vault.azure.net");
    assert_eq!(c["tid"], h.emulator.tenant_id());
    assert_eq!(c["appid"], "app-1");
    assert!(c["exp"].as_i64().unwrap() > c["nbf"].as_i64().unwrap());
    let url = h.url("/secrets?api-version=7.5");
    assert_eq!(
        h.send(reqwest::Method::GET, &url, None, Some(token))
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn client_assertion_grant_is_accepted() {
    let h = start().await;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header = b64.encode(r#"{"alg":"RS256","typ":"JWT","x5t#S256":"abc"}"#);
    let exp = h.emulator.now() + 600;
    let payload = b64.encode(format!(
        r#"{{"iss":"app-2","sub":"app-2","aud":"{}","exp":{exp},"jti":"1"}}"#,
        h.emulator.token_url()
    ));
    let assertion = format!("{header}.{payload}.c2ln");
    let body = format!(
        "grant_type=client_credentials&client_id=app-2&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion={assertion}&scope=https%3A%2F%2Fvault.azure.net%2F.default"
    );
    let (status, body) = form(&h, &h.emulator.token_url(), &body).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        claims(body["access_token"].as_str().unwrap())["appid"],
        "app-2"
    );
    // An assertion for another client is refused.
    let wrong = format!(
        "grant_type=client_credentials&client_id=app-3&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion={assertion}&scope=https%3A%2F%2Fvault.azure.net%2F.default"
    );
    let (status, body) = form(&h, &h.emulator.token_url(), &wrong).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"], "invalid_client");
}

#[tokio::test]
async fn registered_clients_restrict_who_gets_tokens() {
    let mut config = EmulatorConfig::default();
    config.clients.insert("app-1".into(), "s3cret".into());
    let h = start_with(config).await;
    let (status, _) = form(&h, &h.emulator.token_url(), SECRET_FORM).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = form(
        &h,
        &h.emulator.token_url(),
        &SECRET_FORM.replace("s3cret", "wrong"),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"], "invalid_client");
    assert!(
        !body.to_string().contains("wrong"),
        "the secret is not echoed"
    );
    let (status, body) = form(
        &h,
        &h.emulator.token_url(),
        &SECRET_FORM.replace("app-1", "app-9"),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "unauthorized_client");
}

#[tokio::test]
async fn bad_token_requests_get_oauth_errors() {
    let h = start().await;
    for (body, error) in [
        ("grant_type=password&client_id=a&scope=x/.default", "unsupported_grant_type"),
        ("grant_type=client_credentials&scope=x/.default&client_secret=s", "invalid_request"),
        ("grant_type=client_credentials&client_id=a&client_secret=s", "invalid_request"),
        ("grant_type=client_credentials&client_id=a&scope=x/.default", "invalid_client"),
        ("grant_type=client_credentials&client_id=a&client_secret=s&scope=https://vault.azure.net/read", "invalid_scope"),
    ] {
        let (status, answer) = form(&h, &h.emulator.token_url(), body).await;
        assert!(status.is_client_error(), "{body}");
        assert_eq!(answer["error"], error, "{body}");
        assert!(answer["error_description"].as_str().unwrap().starts_with("AADSTS"));
    }
}

#[tokio::test]
async fn openid_configuration_names_the_token_endpoint() {
    let h = start().await;
    let url = format!(
        "{}/{}/v2.0/.well-known/openid-configuration",
        h.emulator.authority_host(),
        h.emulator.tenant_id()
    );
    let answer = h.send(reqwest::Method::GET, &url, None, None).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body["token_endpoint"], h.emulator.token_url());
    assert_eq!(
        answer.body["issuer"],
        format!(
            "{}/{}/v2.0",
            h.emulator.authority_host(),
            h.emulator.tenant_id()
        )
    );
    let keys = h
        .send(
            reqwest::Method::GET,
            answer.body["jwks_uri"].as_str().unwrap(),
            None,
            None,
        )
        .await;
    assert_eq!(keys.body["keys"][0]["kty"], "EC");
}

#[tokio::test]
async fn managed_identity_endpoint_speaks_imds() {
    let h = start().await;
    let url = format!(
        "{}?api-version=2018-02-01&resource=https%3A%2F%2Fvault.azure.net",
        h.emulator.imds_url()
    );
    let without = h.http.get(&url).send().await.unwrap();
    assert_eq!(without.status(), StatusCode::BAD_REQUEST);
    let response = h
        .http
        .get(&url)
        .header("Metadata", "true")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert!(body["expires_on"].as_str().unwrap().parse::<i64>().is_ok());
    assert_eq!(body["client_id"], azkv_emulator::MANAGED_IDENTITY_CLIENT_ID);
    let token = body["access_token"].as_str().unwrap();
    let secrets = h.url("/secrets?api-version=7.5");
    assert_eq!(
        h.send(reqwest::Method::GET, &secrets, None, Some(token))
            .await
            .status,
        StatusCode::OK
    );
    let user = h
        .http
        .get(format!(
            "{url}&client_id=11111111-2222-3333-4444-555555555555"
        ))
        .header("Metadata", "true")
        .send()
        .await
        .unwrap();
    let body: Value = serde_json::from_slice(&user.bytes().await.unwrap()).unwrap();
    assert_eq!(body["client_id"], "11111111-2222-3333-4444-555555555555");
}
