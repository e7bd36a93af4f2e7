//! Managed identity (IMDS and App Service), workload identity, the Azure CLI and error
//! handling, against small servers that record exactly what each credential sends.

use crate::server::{json, Recorded, Reply, TestServer};
use azkv_core::{ErrorKind, TokenCredential, TokenRequestOptions, Url};
use azkv_identity::{
    AuthorityHost, AzureCliCredential, AzureCliCredentialOptions, ClientSecretCredential,
    ClientSecretCredentialOptions, ManagedIdentityCredential, ManagedIdentityCredentialOptions,
    ManagedIdentityId, ManagedIdentitySource, WorkloadIdentityCredential,
    WorkloadIdentityCredentialOptions,
};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const SCOPE: &str = "https://vault.azure.net/.default";

fn query(r: &Recorded) -> HashMap<String, String> {
    let url = Url::parse(&format!("http://x{}", r.target)).unwrap();
    url.query_pairs().into_owned().collect()
}

fn form(r: &Recorded) -> HashMap<String, String> {
    Url::parse(&format!("http://x/?{}", String::from_utf8_lossy(&r.body)))
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}

fn token_reply(expires_in: u64) -> Reply {
    json(
        200,
        &format!(
            r#"{{"token_type":"Bearer","expires_in":{expires_in},"access_token":"issued-token"}}"#
        ),
    )
}

fn in_an_hour() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 3600
}

#[tokio::test]
async fn imds_request_shape_and_user_assigned_ids() {
    let server = TestServer::start(|_, _| {
        json(200, &format!(r#"{{"access_token":"mi-token","expires_on":"{}","resource":"https://vault.azure.net","token_type":"Bearer"}}"#, in_an_hour()))
    })
    .await;
    let ids = [
        (ManagedIdentityId::SystemAssigned, None),
        (
            ManagedIdentityId::ClientId("cid".into()),
            Some(("client_id", "cid")),
        ),
        (
            ManagedIdentityId::ObjectId("oid".into()),
            Some(("object_id", "oid")),
        ),
        (
            ManagedIdentityId::ResourceId("/subscriptions/s/rg".into()),
            Some(("msi_res_id", "/subscriptions/s/rg")),
        ),
    ];
    for (i, (id, expected)) in ids.into_iter().enumerate() {
        let credential = ManagedIdentityCredential::new(Some(ManagedIdentityCredentialOptions {
            id,
            source: Some(ManagedIdentitySource::Imds(
                server.url("/metadata/identity/oauth2/token"),
            )),
            ..Default::default()
        }))
        .unwrap();
        let token = credential
            .get_token(&[SCOPE], &TokenRequestOptions::default())
            .await
            .unwrap();
        assert_eq!(token.token.expose(), "mi-token");
        let request = &server.requests()[i];
        assert_eq!(request.method, "GET");
        assert!(request
            .target
            .starts_with("/metadata/identity/oauth2/token?"));
        assert_eq!(request.header("metadata"), Some("true"));
        let q = query(request);
        assert_eq!(q["api-version"], "2018-02-01");
        assert_eq!(q["resource"], "https://vault.azure.net");
        match expected {
            None => assert!(!q.contains_key("client_id") && !q.contains_key("object_id")),
            Some((k, v)) => assert_eq!(q[k], v),
        }
    }
}

#[tokio::test]
async fn imds_retries_410_then_succeeds() {
    let server = TestServer::start(|_, i| {
        if i == 0 {
            json(410, "{}")
        } else {
            json(
                200,
                &format!(
                    r#"{{"access_token":"late","expires_on":"{}"}}"#,
                    in_an_hour()
                ),
            )
        }
    })
    .await;
    let credential = ManagedIdentityCredential::new(Some(ManagedIdentityCredentialOptions {
        source: Some(ManagedIdentitySource::Imds(server.url("/token"))),
        ..Default::default()
    }))
    .unwrap();
    assert_eq!(
        credential
            .get_token(&[SCOPE], &TokenRequestOptions::default())
            .await
            .unwrap()
            .token
            .expose(),
        "late"
    );
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn app_service_request_shape() {
    let server = TestServer::start(|_, _| {
        json(200, &format!(r#"{{"access_token":"as-token","expires_on":"{}","resource":"https://vault.azure.net"}}"#, in_an_hour()))
    })
    .await;
    let credential = ManagedIdentityCredential::new(Some(ManagedIdentityCredentialOptions {
        id: ManagedIdentityId::ResourceId("/r".into()),
        source: Some(ManagedIdentitySource::AppService(
            server.url("/msi/token"),
            "header-secret".into(),
        )),
        ..Default::default()
    }))
    .unwrap();
    credential
        .get_token(&[SCOPE], &TokenRequestOptions::default())
        .await
        .unwrap();
    let request = &server.requests()[0];
    assert!(request.target.starts_with("/msi/token?"));
    assert_eq!(request.header("x-identity-header"), Some("header-secret"));
    assert!(request.header("metadata").is_none());
    let q = query(request);
    assert_eq!(q["api-version"], "2019-08-01");
    assert_eq!(q["mi_res_id"], "/r");
    assert!(!format!("{credential:?}").contains("header-secret"));
}

#[tokio::test]
async fn managed_identity_from_environment_variables() {
    let server = TestServer::start(|_, _| {
        json(
            200,
            &format!(
                r#"{{"access_token":"env-mi","expires_on":"{}"}}"#,
                in_an_hour()
            ),
        )
    })
    .await;
    let endpoint = format!("{}/msi/token", server.base);
    let credential = ManagedIdentityCredential::new(Some(ManagedIdentityCredentialOptions {
        env: azkv_identity::EnvVars::from_pairs([
            ("IDENTITY_ENDPOINT", endpoint.as_str()),
            ("IDENTITY_HEADER", "h"),
        ]),
        ..Default::default()
    }))
    .unwrap();
    assert_eq!(
        credential
            .get_token(&[SCOPE], &TokenRequestOptions::default())
            .await
            .unwrap()
            .token
            .expose(),
        "env-mi"
    );
    assert_eq!(server.requests()[0].header("x-identity-header"), Some("h"));
}

#[tokio::test]
async fn imds_probe_reports_unavailable_when_nothing_listens() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let credential = ManagedIdentityCredential::new(Some(ManagedIdentityCredentialOptions {
        source: Some(ManagedIdentitySource::Imds(
            Url::parse(&format!("http://127.0.0.1:{port}/token")).unwrap(),
        )),
        probe: true,
        ..Default::default()
    }))
    .unwrap();
    let err = credential
        .get_token(&[SCOPE], &TokenRequestOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::CredentialUnavailable);
    assert!(err.to_string().contains("ManagedIdentityCredential"));
}

#[tokio::test]
async fn workload_identity_sends_the_federated_token_as_assertion() {
    let server = TestServer::start(|_, _| token_reply(3600)).await;
    let dir = std::env::temp_dir().join(format!("azkv-wi-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("token");
    std::fs::write(&file, "federated-jwt\n").unwrap();
    let credential = WorkloadIdentityCredential::new(Some(WorkloadIdentityCredentialOptions {
        authority_host: Some(AuthorityHost::custom(&server.base).unwrap()),
        env: azkv_identity::EnvVars::from_pairs([
            ("AZURE_TENANT_ID", "tenant-w"),
            ("AZURE_CLIENT_ID", "client-w"),
            ("AZURE_FEDERATED_TOKEN_FILE", file.to_str().unwrap()),
        ]),
        ..Default::default()
    }))
    .unwrap();
    let token = credential
        .get_token(&[SCOPE], &TokenRequestOptions::default())
        .await
        .unwrap();
    assert_eq!(token.token.expose(), "issued-token");
    let request = &server.requests()[0];
    assert_eq!(request.method, "POST");
    assert_eq!(request.target, "/tenant-w/oauth2/v2.0/token");
    assert_eq!(
        request.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    let f = form(request);
    assert_eq!(f["grant_type"], "client_credentials");
    assert_eq!(f["client_id"], "client-w");
    assert_eq!(f["client_assertion"], "federated-jwt");
    assert_eq!(
        f["client_assertion_type"],
        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    );
    assert_eq!(f["scope"], SCOPE);
    let missing = WorkloadIdentityCredential::new(Some(WorkloadIdentityCredentialOptions {
        env: azkv_identity::EnvVars::from_pairs(Vec::<(String, String)>::new()),
        ..Default::default()
    }))
    .unwrap_err();
    assert_eq!(missing.kind(), &ErrorKind::CredentialUnavailable);
}

fn secret_credential(base: &str) -> ClientSecretCredential {
    ClientSecretCredential::new(
        "tenant-c",
        "client-c",
        "the-client-secret".into(),
        Some(ClientSecretCredentialOptions {
            authority_host: AuthorityHost::custom(base).unwrap(),
            client_options: azkv_core::ClientOptions {
                retry: azkv_core::policies::RetryOptions::none(),
                ..Default::default()
            },
            ..Default::default()
        }),
    )
    .unwrap()
}

#[tokio::test]
async fn concurrent_calls_make_one_token_request() {
    let server = TestServer::start(|_, _| {
        std::thread::sleep(Duration::from_millis(50));
        token_reply(3600)
    })
    .await;
    let credential = Arc::new(secret_credential(&server.base));
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let credential = credential.clone();
        tasks.push(tokio::spawn(async move {
            credential
                .get_token(&[SCOPE], &TokenRequestOptions::default())
                .await
                .unwrap()
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap().token.expose(), "issued-token");
    }
    assert_eq!(server.requests().len(), 1);
    let f = form(&server.requests()[0]);
    assert_eq!(f["client_secret"], "the-client-secret");
}

#[tokio::test]
async fn near_expiry_refreshes_and_failed_refresh_keeps_the_working_token() {
    // First token lives 2 minutes (inside the 5-minute window); the refresh then fails.
    let server = TestServer::start(|_, i| {
        if i == 0 {
            token_reply(120)
        } else {
            json(500, "{}")
        }
    })
    .await;
    let credential = secret_credential(&server.base);
    let first = credential
        .get_token(&[SCOPE], &TokenRequestOptions::default())
        .await
        .unwrap();
    let second = credential
        .get_token(&[SCOPE], &TokenRequestOptions::default())
        .await
        .unwrap();
    assert_eq!(second.token, first.token);
    assert_eq!(server.requests().len(), 2, "a refresh was attempted");

    // A token inside the window is refreshed when the authority answers.
    let server = TestServer::start(|_, i| {
        if i == 0 {
            token_reply(120)
        } else {
            json(200, r#"{"expires_in":3600,"access_token":"fresh"}"#)
        }
    })
    .await;
    let credential = secret_credential(&server.base);
    credential
        .get_token(&[SCOPE], &TokenRequestOptions::default())
        .await
        .unwrap();
    assert_eq!(
        credential
            .get_token(&[SCOPE], &TokenRequestOptions::default())
            .await
            .unwrap()
            .token
            .expose(),
        "fresh"
    );
}

#[tokio::test]
async fn unreachable_and_malformed_answers_are_typed_errors() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let credential = secret_credential(&format!("http://127.0.0.1:{port}"));
    let err = credential
        .get_token(&[SCOPE], &TokenRequestOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Credential);
    assert!(
        err.to_string().starts_with("ClientSecretCredential"),
        "{err}"
    );

    for body in [
        "not json",
        r#"{"access_token":"x"}"#,
        r#"{"expires_in":"soon","access_token":"x"}"#,
    ] {
        let server = TestServer::start(move |_, _| json(200, body)).await;
        let err = secret_credential(&server.base)
            .get_token(&[SCOPE], &TokenRequestOptions::default())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::Credential, "{body}");
        assert!(err.to_string().contains("ClientSecretCredential"));
    }
}

#[tokio::test]
async fn azure_cli_absent_or_signed_out_is_unavailable() {
    let absent = AzureCliCredential::new(Some(AzureCliCredentialOptions {
        program: "/nonexistent/az".into(),
        ..Default::default()
    }))
    .unwrap();
    let err = absent
        .get_token(&[SCOPE], &TokenRequestOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::CredentialUnavailable);
    assert!(err.to_string().contains("not installed"), "{err}");

    let dir = std::env::temp_dir().join(format!("azkv-az-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let signed_out = dir.join("az-signed-out");
    std::fs::write(
        &signed_out,
        "#!/bin/sh\necho \"ERROR: Please run 'az login' to setup account.\" >&2\nexit 1\n",
    )
    .unwrap();
    let signed_in = dir.join("az-signed-in");
    std::fs::write(
        &signed_in,
        format!("#!/bin/sh\necho \"$@\" > {}/args\necho '{{\"accessToken\":\"cli-token\",\"expires_on\":{}}}'\n", dir.display(), in_an_hour()),
    )
    .unwrap();
    for script in [&signed_out, &signed_in] {
        std::process::Command::new("chmod")
            .arg("+x")
            .arg(script)
            .status()
            .unwrap();
    }
    let out = AzureCliCredential::new(Some(AzureCliCredentialOptions {
        program: signed_out,
        ..Default::default()
    }))
    .unwrap();
    let err = out
        .get_token(&[SCOPE], &TokenRequestOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::CredentialUnavailable);
    assert!(err.to_string().contains("az login"));

    let cli = AzureCliCredential::new(Some(AzureCliCredentialOptions {
        program: signed_in,
        ..Default::default()
    }))
    .unwrap();
    let with_tenant = TokenRequestOptions {
        tenant_id: Some("tenant-z".into()),
        claims: None,
        ..Default::default()
    };
    assert_eq!(
        cli.get_token(&[SCOPE], &with_tenant)
            .await
            .unwrap()
            .token
            .expose(),
        "cli-token"
    );
    let args = std::fs::read_to_string(dir.join("args")).unwrap();
    assert_eq!(args.trim(), "account get-access-token --output json --resource https://vault.azure.net --tenant tenant-z");
    let bad = TokenRequestOptions {
        tenant_id: Some("--evil".into()),
        claims: None,
        ..Default::default()
    };
    assert_eq!(
        cli.get_token(&[SCOPE], &bad).await.unwrap_err().kind(),
        &ErrorKind::InvalidInput
    );
}
