//! A short tour of `SecretClient`: set, get, list, update, delete and recover, purge.
//!
//! With `AZURE_KEYVAULT_URL` unset it starts the azkv emulator in this process and runs
//! against it. With it set, it runs against that vault, authenticating with
//! `DefaultAzureCredential` (environment variables, workload identity, managed identity, or the
//! Azure CLI's signed-in account).
//!
//! ```sh
//! cargo run -p azkv-secrets --example quickstart
//! ```

use azkv_core::{ClientOptions, ReqwestTransport, TokenCredential, TransportOptions};
use azkv_identity::{
    AuthorityHost, ClientSecretCredential, ClientSecretCredentialOptions, DefaultAzureCredential,
};
use azkv_secrets::{
    SecretClient, SecretClientOptions, SetSecretOptions, UpdateSecretPropertiesOptions,
};
use std::collections::BTreeMap;
use std::error::Error;
use std::sync::Arc;

type BoxError = Box<dyn Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    match std::env::var("AZURE_KEYVAULT_URL") {
        Ok(url) => {
            println!("Using the vault at {url} with DefaultAzureCredential");
            let credential = DefaultAzureCredential::new(None)?;
            let client = SecretClient::new(&url, Arc::new(credential), None)?;
            tour(&client).await
        }
        Err(_) => {
            let emulator = azkv_emulator::Emulator::start(Default::default()).await?;
            println!(
                "AZURE_KEYVAULT_URL is not set: using the embedded emulator at {}",
                emulator.vault_url()
            );
            let pem = emulator
                .ca_cert_pem()
                .unwrap_or_default()
                .as_bytes()
                .to_vec();
            let transport = Arc::new(ReqwestTransport::new(&TransportOptions {
                additional_root_certificates: vec![pem],
                ..Default::default()
            })?);
            let client_options = ClientOptions {
                transport: Some(transport),
                ..Default::default()
            };
            let credential: Arc<dyn TokenCredential> = Arc::new(ClientSecretCredential::new(
                emulator.tenant_id(),
                "quickstart",
                "any-secret-works-here".into(),
                Some(ClientSecretCredentialOptions {
                    authority_host: AuthorityHost::custom(emulator.authority_host())?,
                    client_options: client_options.clone(),
                    ..Default::default()
                }),
            )?);
            let client = SecretClient::new(
                &emulator.vault_url(),
                credential,
                Some(SecretClientOptions {
                    client_options,
                    // The emulator's challenge names https://vault.azure.net, not 127.0.0.1.
                    verify_challenge_resource: false,
                    ..Default::default()
                }),
            )?;
            let result = tour(&client).await;
            emulator.shutdown().await;
            result
        }
    }
}

async fn tour(client: &SecretClient) -> Result<(), BoxError> {
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs();
    let name = format!("azkv-quickstart-{stamp}");

    let options = SetSecretOptions {
        content_type: Some("text/plain".into()),
        tags: Some(BTreeMap::from([(
            "created-by".to_owned(),
            "azkv quickstart".to_owned(),
        )])),
        ..Default::default()
    };
    let secret = client
        .set_secret(&name, "first value", Some(options))
        .await?
        .into_model();
    println!(
        "set     {} (version {})",
        secret.name(),
        secret.properties.version.as_deref().unwrap_or("?")
    );
    client.set_secret(&name, "second value", None).await?;

    let secret = client.get_secret(&name, None).await?.into_model();
    println!(
        "get     {} = {:?} (Debug hides it: {:?})",
        secret.name(),
        secret.value.expose(),
        secret.value
    );

    let mut listed = 0;
    let mut secrets = client.list_secret_properties(None);
    while let Some(properties) = secrets.next().await {
        if properties?.name == name {
            listed += 1;
        }
    }
    let mut versions = 0;
    let mut pager = client.list_secret_versions(&name, None);
    while let Some(version) = pager.next().await {
        version?;
        versions += 1;
    }
    println!("list    found {listed} secret named {name}, with {versions} versions");

    let update = UpdateSecretPropertiesOptions {
        content_type: Some("application/json".into()),
        ..Default::default()
    };
    let properties = client
        .update_secret_properties(&name, Some(update))
        .await?
        .into_model();
    println!(
        "update  content type is now {:?}",
        properties.content_type.as_deref().unwrap_or("")
    );

    let deleted = client.begin_delete_secret(&name, None).await?.await?;
    let purge_at = deleted
        .scheduled_purge_date
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_secs());
    println!("delete  done; purge scheduled for Unix time {purge_at}");
    let recovered = client
        .begin_recover_deleted_secret(&name, None)
        .await?
        .await?;
    println!("recover {} is back", recovered.name);

    client.begin_delete_secret(&name, None).await?.await?;
    client.purge_deleted_secret(&name, None).await?;
    println!("purge   {name} is gone for good");
    Ok(())
}
