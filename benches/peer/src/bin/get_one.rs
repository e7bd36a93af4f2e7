//! The compile-cost program on the official crates: get one secret with a client-secret
//! credential. Its twin on azkv is `benches/azkv-small`.

use azure_core::cloud::{CloudConfiguration, CustomConfiguration};
use azure_core::http::ClientOptions;
use azure_identity::{ClientSecretCredential, ClientSecretCredentialOptions};
use azure_security_keyvault_secrets::{SecretClient, SecretClientOptions};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    let mut cloud = CustomConfiguration::default();
    cloud.authority_host = var("AZURE_AUTHORITY_HOST");
    let client_options = ClientOptions { cloud: Some(Arc::new(CloudConfiguration::from(cloud))), ..Default::default() };
    let credential = ClientSecretCredential::new(
        &var("AZURE_TENANT_ID"),
        var("AZURE_CLIENT_ID"),
        var("AZURE_CLIENT_SECRET").into(),
        Some(ClientSecretCredentialOptions { client_options: client_options.clone() }),
    )?;
    let options = SecretClientOptions { client_options, ..Default::default() };
    let client = SecretClient::new(&var("AZURE_KEYVAULT_URL"), credential, Some(options))?;
    let secret = client.get_secret("my-secret", None).await?.into_model()?;
    println!("{}", secret.value.unwrap_or_default().len());
    Ok(())
}
