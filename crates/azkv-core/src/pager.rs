//! [`Pager<T>`] and [`PageStream<T>`]: lists that span pages linked by `nextLink`.
//!
//! Nothing is sent until the stream is polled. A [`Pager`] yields items one by one across
//! pages; [`Pager::into_pages`] yields whole [`Page`]s with their continuation token, so a
//! listing can stop and resume later ([`Pager::starting_at`] and the clients' list options
//! take it back).

use crate::{Context, Error, Method, Pipeline, Request, Result};
use futures_core::Stream;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};
use url::Url;

/// One page of a list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page<T> {
    /// The page's items.
    pub items: Vec<T>,
    /// The token (a `nextLink` URL) of the next page; `None` on the last page.
    pub continuation_token: Option<String>,
}

type PageFuture<T> = Pin<Box<dyn Future<Output = Result<Page<T>>> + Send>>;
type FetchPage<T> = Arc<dyn Fn(Option<String>) -> PageFuture<T> + Send + Sync>;

enum State<T> {
    Next(Option<String>),
    Fetching(PageFuture<T>),
    Done,
}

/// A stream of whole pages.
pub struct PageStream<T> {
    fetch: FetchPage<T>,
    state: State<T>,
}

impl<T> fmt::Debug for PageStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.state {
            State::Next(_) => "ready",
            State::Fetching(_) => "fetching",
            State::Done => "done",
        };
        f.debug_struct("PageStream").field("state", &state).finish()
    }
}

impl<T: Send + 'static> PageStream<T> {
    /// The next page, or `None` after the last one.
    pub async fn next(&mut self) -> Option<Result<Page<T>>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }
}

impl<T: Send + 'static> Stream for PageStream<T> {
    type Item = Result<Page<T>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            match &mut this.state {
                State::Done => return Poll::Ready(None),
                State::Next(token) => {
                    let future = (this.fetch)(token.take());
                    this.state = State::Fetching(future);
                }
                State::Fetching(future) => {
                    let result = match future.as_mut().poll(cx) {
                        Poll::Pending => return Poll::Pending,
                        Poll::Ready(result) => result,
                    };
                    this.state = match &result {
                        Ok(Page {
                            continuation_token: Some(token),
                            ..
                        }) => State::Next(Some(token.clone())),
                        _ => State::Done,
                    };
                    return Poll::Ready(Some(result));
                }
            }
        }
    }
}

/// A stream of items across pages.
///
/// # Examples
///
/// ```
/// use azkv_core::{Page, Pager};
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> azkv_core::Result<()> {
/// // A pager over three in-memory pages; clients build theirs from HTTP requests.
/// let mut pager = Pager::new(|token: Option<String>| async move {
///     let n: u32 = token.as_deref().unwrap_or("0").parse().unwrap_or(0);
///     Ok(Page { items: vec![n * 10, n * 10 + 1], continuation_token: (n < 2).then(|| (n + 1).to_string()) })
/// });
/// let mut all = Vec::new();
/// while let Some(item) = pager.next().await {
///     all.push(item?);
/// }
/// assert_eq!(all, [0, 1, 10, 11, 20, 21]);
/// # Ok(()) }
/// ```
pub struct Pager<T> {
    pages: PageStream<T>,
    current: std::vec::IntoIter<T>,
}

// Items are only moved, never pinned in place, so the pager may move whatever T is.
impl<T> Unpin for Pager<T> {}
impl<T> Unpin for PageStream<T> {}

impl<T> fmt::Debug for Pager<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pager")
            .field("pages", &self.pages)
            .field("buffered", &self.current.len())
            .finish()
    }
}

impl<T: Send + 'static> Pager<T> {
    /// A pager whose pages come from `fetch`, called with `None` for the first page and then
    /// with each page's continuation token.
    pub fn new<F, Fut>(fetch: F) -> Self
    where
        F: Fn(Option<String>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Page<T>>> + Send + 'static,
    {
        Self::starting_at(None, fetch)
    }

    /// Like [`new`](Self::new), but the first page fetched is the one `token` names.
    pub fn starting_at<F, Fut>(token: Option<String>, fetch: F) -> Self
    where
        F: Fn(Option<String>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Page<T>>> + Send + 'static,
    {
        let fetch: FetchPage<T> = Arc::new(move |token| Box::pin(fetch(token)));
        Self {
            pages: PageStream {
                fetch,
                state: State::Next(token),
            },
            current: Vec::new().into_iter(),
        }
    }

    /// A pager whose first (and only) item is `error`: how a list reports bad input
    /// without sending anything.
    pub fn failed(error: Error) -> Self {
        let error = std::sync::Mutex::new(Some(error));
        Self::new(move |_| {
            let error = error.lock().ok().and_then(|mut e| e.take());
            async move { Err(error.unwrap_or_else(|| Error::invalid_input("list", "already reported"))) }
        })
    }

    /// A pager over the Key Vault / Azure Resource Manager list shape (`{"value":[...],
    /// "nextLink":...}`): `first` is the first page's URL; later pages follow `nextLink`, which
    /// must stay on the same scheme, host and port. Each wire item becomes a `T` via `convert`.
    pub fn from_next_link<W, C>(
        pipeline: Pipeline,
        ctx: Context,
        first: Url,
        continuation_token: Option<String>,
        convert: C,
    ) -> Self
    where
        W: DeserializeOwned + Send + 'static,
        C: Fn(W) -> T + Send + Sync + 'static,
    {
        let convert = Arc::new(convert);
        Self::starting_at(continuation_token, move |token| {
            let pipeline = pipeline.clone();
            let ctx = ctx.clone();
            let first = first.clone();
            let convert = convert.clone();
            async move {
                let url = match token {
                    None => first,
                    Some(link) => next_link_url(&first, &link)?,
                };
                let mut request = Request::new(Method::GET, url);
                let response = pipeline.send(&ctx, &mut request).await?.success()?;
                let body: ListBody<W> = response.json()?;
                Ok(Page {
                    items: body.value.into_iter().map(|w| convert(w)).collect(),
                    continuation_token: body.next_link.filter(|l| !l.is_empty()),
                })
            }
        })
    }

    /// The next item, or `None` after the last one.
    pub async fn next(&mut self) -> Option<Result<T>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// The whole pages instead of items.
    pub fn into_pages(self) -> PageStream<T> {
        self.pages
    }
}

impl<T: Send + 'static> Stream for Pager<T> {
    type Item = Result<T>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.current.next() {
                return Poll::Ready(Some(Ok(item)));
            }
            match Pin::new(&mut this.pages).poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Ready(Some(Err(err))) => return Poll::Ready(Some(Err(err))),
                Poll::Ready(Some(Ok(page))) => this.current = page.items.into_iter(),
            }
        }
    }
}

#[derive(Deserialize)]
struct ListBody<W> {
    #[serde(default = "Vec::new")]
    value: Vec<W>,
    #[serde(rename = "nextLink")]
    next_link: Option<String>,
}

/// Parses a `nextLink` and checks it stays on the first page's origin, so tokens never follow
/// a link elsewhere. The first page's `api-version` is added when the link lacks one.
fn next_link_url(first: &Url, link: &str) -> Result<Url> {
    let url = first
        .join(link)
        .map_err(|_| Error::invalid_input("continuation token", "not a URL"))?;
    if url.origin() != first.origin() {
        return Err(Error::invalid_input(
            "continuation token",
            "points to another host than the list",
        ));
    }
    let has_version = url.query_pairs().any(|(k, _)| k == "api-version");
    let version = first
        .query_pairs()
        .find(|(k, _)| k == "api-version")
        .map(|(_, v)| v.into_owned());
    Ok(match (has_version, version) {
        (false, Some(version)) => {
            let mut url = url;
            url.query_pairs_mut().append_pair("api-version", &version);
            url
        }
        _ => url,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_link_keeps_origin_and_version() {
        let first =
            Url::parse("https://v.vault.azure.net/secrets?api-version=7.5&maxresults=2").unwrap();
        let same =
            next_link_url(&first, "https://v.vault.azure.net/secrets?$skiptoken=abc").unwrap();
        assert_eq!(
            same.query_pairs()
                .find(|(k, _)| k == "api-version")
                .unwrap()
                .1,
            "7.5"
        );
        let kept = next_link_url(
            &first,
            "https://v.vault.azure.net/secrets?api-version=2025-07-01&$skiptoken=abc",
        )
        .unwrap();
        assert_eq!(
            kept.query_pairs()
                .filter(|(k, _)| k == "api-version")
                .count(),
            1
        );
        let err = next_link_url(&first, "https://evil.example/secrets").unwrap_err();
        assert_eq!(err.kind(), &crate::ErrorKind::InvalidInput);
    }
}
