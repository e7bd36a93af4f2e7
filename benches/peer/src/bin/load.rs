//! Load client of `cargo xtask bench` for the official `azure_security_keyvault_secrets`
//! `SecretClient`. Prints one JSON line of figures. Not meant to be run by hand.

#[path = "../../../common/measure.rs"]
mod measure;

use azure_core::cloud::{CloudConfiguration, CustomConfiguration};
use azure_core::http::{ClientOptions, Transport};
use azure_identity::{ClientSecretCredential, ClientSecretCredentialOptions};
use azure_security_keyvault_secrets::models::SetSecretParameters;
use azure_security_keyvault_secrets::{SecretClient, SecretClientOptions};
use measure::{run, Args};
use std::sync::Arc;

#[global_allocator]
static GLOBAL: measure::CountingAlloc = measure::CountingAlloc;

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let ca = std::fs::read(&args.ca).expect("read CA");
    let http = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&ca).expect("CA"))
        .build()
        .expect("http client");
    let mut cloud = CustomConfiguration::default();
    cloud.authority_host = args.authority.clone();
    let client_options = ClientOptions {
        transport: Some(Transport::new(Arc::new(http))),
        cloud: Some(Arc::new(CloudConfiguration::from(cloud))),
        ..Default::default()
    };
    let credential = ClientSecretCredential::new(
        &args.tenant,
        "bench-client".to_owned(),
        "bench-secret".to_owned().into(),
        Some(ClientSecretCredentialOptions { client_options: client_options.clone() }),
    )
    .expect("credential");
    let options = SecretClientOptions {
        client_options,
        verify_challenge_resource: Some(false),
        ..Default::default()
    };
    let client = Arc::new(SecretClient::new(&args.vault, credential, Some(options)).expect("client"));
    let seed = SetSecretParameters { value: Some("bench-value".into()), ..Default::default() };
    client
        .set_secret("bench", seed.try_into().expect("body"), None)
        .await
        .expect("seed secret");
    let set = args.op == "set";
    let outcome = run(args.concurrency, args.limit, move |n| {
        let client = client.clone();
        async move {
            if set {
                let params = SetSecretParameters { value: Some(format!("value-{n}")), ..Default::default() };
                let body = params.try_into().map_err(|e: azure_core::Error| e.to_string())?;
                let secret = client.set_secret("bench-set", body, None).await.map_err(|e| e.to_string())?;
                secret.into_model().map(|_| ()).map_err(|e| e.to_string())
            } else {
                let secret = client.get_secret("bench", None).await.map_err(|e| e.to_string())?;
                secret.into_model().map(|_| ()).map_err(|e| e.to_string())
            }
        }
    })
    .await;
    println!("{}", outcome.json("official", &args.op, args.concurrency));
}
