//! The compile-cost program on azkv: get one secret with a client-secret credential.

use azkv_identity::{AuthorityHost, ClientSecretCredential, ClientSecretCredentialOptions};
use azkv_secrets::SecretClient;
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    let options = ClientSecretCredentialOptions { authority_host: AuthorityHost::custom(&var("AZURE_AUTHORITY_HOST"))?, ..Default::default() };
    let credential = ClientSecretCredential::new(&var("AZURE_TENANT_ID"), &var("AZURE_CLIENT_ID"), var("AZURE_CLIENT_SECRET").into(), Some(options))?;
    let client = SecretClient::new(&var("AZURE_KEYVAULT_URL"), Arc::new(credential), None)?;
    let secret = client.get_secret("my-secret", None).await?.into_model();
    println!("{}", secret.value.expose().len());
    Ok(())
}
