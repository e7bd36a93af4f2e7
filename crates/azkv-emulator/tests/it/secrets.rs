//! Every secrets operation, as the service answers it.

use crate::support::{start, Harness};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

fn version_of(body: &Value) -> String {
    body["id"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn set_then_get_latest_and_by_version() {
    let h = start().await;
    let first = h
        .call(
            Method::PUT,
            "/secrets/db-password",
            Some(json!({
                "value": "v1", "contentType": "text/plain", "tags": { "env": "test" },
                "attributes": { "enabled": true, "exp": 4_102_444_800_i64 }
            })),
        )
        .await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.body["value"], "v1");
    assert_eq!(first.body["contentType"], "text/plain");
    assert_eq!(first.body["tags"]["env"], "test");
    assert_eq!(first.body["attributes"]["exp"], 4_102_444_800_i64);
    assert_eq!(
        first.body["attributes"]["recoveryLevel"],
        "Recoverable+Purgeable"
    );
    assert_eq!(first.body["attributes"]["recoverableDays"], 90);
    let v1 = version_of(&first.body);
    assert_eq!(v1.len(), 32);
    assert!(first.body["id"]
        .as_str()
        .unwrap()
        .starts_with(&h.url("/secrets/db-password/")));

    let second = h.set("db-password", "v2").await;
    let v2 = version_of(&second.body);
    assert_ne!(v1, v2);

    for path in [
        "/secrets/db-password",
        "/secrets/db-password/",
        "/secrets/DB-PASSWORD",
    ] {
        let latest = h.call(Method::GET, path, None).await;
        assert_eq!(latest.status, StatusCode::OK, "{path}");
        assert_eq!(latest.body["value"], "v2");
    }
    let old = h
        .call(Method::GET, &format!("/secrets/db-password/{v1}"), None)
        .await;
    assert_eq!(old.body["value"], "v1");
    assert_eq!(old.body["tags"]["env"], "test");
}

#[tokio::test]
async fn missing_secret_is_secret_not_found() {
    let h = start().await;
    let missing = h.call(Method::GET, "/secrets/nope", None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.code(), "SecretNotFound");
    h.set("exists", "x").await;
    let bad_version = h
        .call(
            Method::GET,
            "/secrets/exists/0123456789abcdef0123456789abcdef",
            None,
        )
        .await;
    assert_eq!(bad_version.code(), "SecretNotFound");
}

#[tokio::test]
async fn update_properties_changes_metadata_not_value() {
    let h = start().await;
    let set = h.set("upd", "value-1").await;
    let version = version_of(&set.body);
    let updated = h
        .call(Method::PATCH, &format!("/secrets/upd/{version}"), Some(json!({
            "contentType": "application/x-pem", "tags": { "a": "1" }, "attributes": { "enabled": false, "nbf": 1_700_000_000 }
        })))
        .await;
    assert_eq!(updated.status, StatusCode::OK);
    assert!(updated.body.get("value").is_none());
    assert_eq!(updated.body["contentType"], "application/x-pem");
    assert_eq!(updated.body["attributes"]["enabled"], false);
    assert_eq!(updated.body["attributes"]["nbf"], 1_700_000_000);
    // A disabled secret cannot be read.
    let get = h.call(Method::GET, "/secrets/upd", None).await;
    assert_eq!(get.status, StatusCode::FORBIDDEN);
    assert_eq!(get.code(), "Forbidden");
    assert_eq!(get.body["error"]["innererror"]["code"], "SecretDisabled");
    // Updating the latest version through the versionless path re-enables it.
    let again = h
        .call(
            Method::PATCH,
            "/secrets/upd/",
            Some(json!({ "attributes": { "enabled": true } })),
        )
        .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(
        h.call(Method::GET, "/secrets/upd", None).await.body["value"],
        "value-1"
    );
}

#[tokio::test]
async fn list_pages_with_maxresults_and_next_link() {
    let h = start().await;
    for i in 0..7 {
        h.set(&format!("page-{i}"), "x").await;
    }
    let mut url = h.url("/secrets?api-version=7.5&maxresults=3");
    let mut names = Vec::new();
    let mut pages = 0;
    loop {
        let page = h.send(Method::GET, &url, None, Some(&h.token)).await;
        assert_eq!(page.status, StatusCode::OK);
        pages += 1;
        for item in page.body["value"].as_array().unwrap() {
            assert!(item.get("value").is_none(), "list items carry no value");
            names.push(
                item["id"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .to_owned(),
            );
        }
        match page.body["nextLink"].as_str() {
            Some(next) => url = next.to_owned(),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(
        names,
        (0..7).map(|i| format!("page-{i}")).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn list_versions_pages_through_every_version() {
    let h = start().await;
    let mut versions = Vec::new();
    for i in 0..5 {
        versions.push(version_of(&h.set("multi", &format!("v{i}")).await.body));
    }
    let mut url = h.url("/secrets/multi/versions?api-version=7.5&maxresults=2");
    let mut seen = Vec::new();
    loop {
        let page = h.send(Method::GET, &url, None, Some(&h.token)).await;
        for item in page.body["value"].as_array().unwrap() {
            seen.push(version_of(item));
        }
        match page.body["nextLink"].as_str() {
            Some(next) => url = next.to_owned(),
            None => break,
        }
    }
    assert_eq!(seen, versions);
}

#[tokio::test]
async fn delete_recover_and_purge() {
    let h = start().await;
    h.set("gone", "v").await;
    let deleted = h.call(Method::DELETE, "/secrets/gone", None).await;
    assert_eq!(deleted.status, StatusCode::OK);
    assert_eq!(deleted.body["recoveryId"], h.url("/deletedsecrets/gone"));
    let deleted_date = deleted.body["deletedDate"].as_i64().unwrap();
    assert_eq!(
        deleted.body["scheduledPurgeDate"].as_i64().unwrap(),
        deleted_date + 90 * 86_400
    );
    assert!(deleted.body.get("value").is_none());

    // While the delete is in progress the name is busy.
    let busy = h.set("gone", "again").await;
    assert_eq!(busy.status, StatusCode::CONFLICT);
    assert_eq!(
        h.call(Method::GET, "/secrets/gone", None).await.status,
        StatusCode::NOT_FOUND
    );

    h.wait_deleted("gone").await;
    let conflict = h.set("gone", "again").await;
    assert_eq!(conflict.status, StatusCode::CONFLICT);
    assert_eq!(conflict.code(), "Conflict");
    let listed = h.call(Method::GET, "/deletedsecrets", None).await;
    assert_eq!(
        listed.body["value"][0]["recoveryId"],
        h.url("/deletedsecrets/gone")
    );

    let recovered = h
        .call(Method::POST, "/deletedsecrets/gone/recover", None)
        .await;
    assert_eq!(recovered.status, StatusCode::OK);
    assert_eq!(
        h.call(Method::GET, "/secrets/gone", None).await.body["value"],
        "v"
    );
    assert_eq!(
        h.call(Method::GET, "/deletedsecrets/gone", None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    h.call(Method::DELETE, "/secrets/gone", None).await;
    h.wait_deleted("gone").await;
    let purged = h.call(Method::DELETE, "/deletedsecrets/gone", None).await;
    assert_eq!(purged.status, StatusCode::NO_CONTENT);
    assert_eq!(
        h.call(Method::GET, "/deletedsecrets/gone", None)
            .await
            .code(),
        "SecretNotFound"
    );
    // The name is free again.
    assert_eq!(h.set("gone", "new").await.status, StatusCode::OK);
}

#[tokio::test]
async fn backup_and_restore_into_another_vault() {
    let h: Harness = crate::support::start_with(azkv_emulator::EmulatorConfig {
        vaults: vec!["second".into()],
        ..Default::default()
    })
    .await;
    h.set("portable", "one").await;
    h.set("portable", "two").await;
    let backup = h.call(Method::POST, "/secrets/portable/backup", None).await;
    assert_eq!(backup.status, StatusCode::OK);
    let blob = backup.body["value"].as_str().unwrap().to_owned();
    assert!(!blob.contains("one") && !blob.contains("two"));

    // Restoring over an existing secret conflicts.
    let clash = h
        .call(
            Method::POST,
            "/secrets/restore",
            Some(json!({ "value": blob })),
        )
        .await;
    assert_eq!(clash.status, StatusCode::CONFLICT);

    let second = h
        .emulator
        .vault_url_of("second")
        .unwrap()
        .trim_end_matches('/')
        .to_owned();
    let restored = h
        .send(
            Method::POST,
            &format!("{second}/secrets/restore?api-version=7.5"),
            Some(json!({ "value": blob })),
            Some(&h.token),
        )
        .await;
    assert_eq!(restored.status, StatusCode::OK);
    assert!(restored.body["id"].as_str().unwrap().starts_with(&second));
    let got = h
        .send(
            Method::GET,
            &format!("{second}/secrets/portable?api-version=7.5"),
            None,
            Some(&h.token),
        )
        .await;
    assert_eq!(got.body["value"], "two");
    let versions = h
        .send(
            Method::GET,
            &format!("{second}/secrets/portable/versions?api-version=7.5"),
            None,
            Some(&h.token),
        )
        .await;
    assert_eq!(versions.body["value"].as_array().unwrap().len(), 2);

    let last = if blob.ends_with('A') { 'B' } else { 'A' };
    let tampered = format!("{}{last}", &blob[..blob.len() - 1]);
    let bad = h
        .call(
            Method::POST,
            "/secrets/restore",
            Some(json!({ "value": tampered })),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn every_supported_api_version_answers() {
    let h = start().await;
    h.set("versioned", "x").await;
    for version in [
        "7.0",
        "7.1",
        "7.2",
        "7.3",
        "7.4",
        "7.5",
        "7.6",
        "2025-07-01",
        "2026-04-01",
        "7.6-preview.2",
    ] {
        let url = h.url(&format!("/secrets/versioned?api-version={version}"));
        let answer = h.send(Method::GET, &url, None, Some(&h.token)).await;
        assert_eq!(answer.status, StatusCode::OK, "{version}");
        assert_eq!(
            answer.body["attributes"].get("recoverableDays").is_some(),
            version != "7.0"
        );
    }
}

#[tokio::test]
async fn responses_carry_request_ids() {
    let h = start().await;
    let answer = h.set("ids", "x").await;
    assert!(answer.headers.contains_key("x-ms-request-id"));
    assert_eq!(
        answer.headers["content-type"],
        "application/json; charset=utf-8"
    );
}
