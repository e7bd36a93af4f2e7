//! Shared test helpers: a counting credential and pipelines pointed at a test server.

use azkv_core::policies::{ChallengePolicy, ChallengePolicyOptions, RetryOptions};
use azkv_core::{
    AccessToken, ClientOptions, Pipeline, Policy, Result, TokenCredential, TokenRequestOptions,
};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

/// Hands out `token-1`, `token-2`, ... and records every request it got.
#[derive(Debug)]
pub struct CountingCredential {
    pub calls: AtomicUsize,
    pub seen: Mutex<Vec<(Vec<String>, TokenRequestOptions)>>,
    /// Lifetime of each token, by call number (the last applies to later calls).
    pub lifetimes: Vec<Duration>,
    pub delay: Duration,
}

impl CountingCredential {
    pub fn new() -> Arc<Self> {
        Self::with_lifetimes(vec![Duration::from_secs(3600)])
    }

    pub fn with_lifetimes(lifetimes: Vec<Duration>) -> Arc<Self> {
        Arc::new(Self {
            calls: AtomicUsize::new(0),
            seen: Mutex::new(Vec::new()),
            lifetimes,
            delay: Duration::from_millis(30),
        })
    }

    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

#[async_trait::async_trait]
impl TokenCredential for CountingCredential {
    async fn get_token(
        &self,
        scopes: &[&str],
        options: &TokenRequestOptions,
    ) -> Result<AccessToken> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        self.seen.lock().unwrap().push((
            scopes.iter().map(|s| s.to_string()).collect(),
            options.clone(),
        ));
        tokio::time::sleep(self.delay).await;
        let lifetime = self.lifetimes[n.min(self.lifetimes.len() - 1)];
        Ok(AccessToken::new(
            format!("token-{}", n + 1),
            SystemTime::now() + lifetime,
        ))
    }
}

pub fn fast_retry(max_retries: u32) -> RetryOptions {
    RetryOptions {
        max_retries,
        initial_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(100),
        ..Default::default()
    }
}

pub fn pipeline(retry: RetryOptions, auth: Option<Arc<dyn Policy>>) -> Pipeline {
    let options = ClientOptions {
        retry,
        ..Default::default()
    };
    Pipeline::new("azkv-core-tests", "0.0.0", &options, auth).unwrap()
}

pub fn challenge_policy(credential: Arc<CountingCredential>, verify: bool) -> Arc<ChallengePolicy> {
    Arc::new(ChallengePolicy::new(
        credential,
        ChallengePolicyOptions {
            verify_challenge_resource: verify,
            allow_http_loopback: true,
        },
    ))
}
