//! Blocking wrappers for programs without an async runtime (command-line tools, build scripts):
//! [`Runtime`], a private current-thread runtime that runs one operation at a time;
//! [`Iter`], a [`Pager`](crate::Pager) as an `Iterator`; and [`Poller`], a
//! [`Poller`](crate::Poller) you `wait()` on.
//!
//! Calling any of them from inside an async runtime returns
//! [`ErrorKind::BlockingInAsyncContext`] instead of blocking (or panicking).

use crate::{Error, ErrorKind, PollStatus, Result};
use std::future::Future;
use std::sync::Arc;

/// A current-thread tokio runtime owned by one blocking client and its clones.
#[derive(Clone, Debug)]
pub struct Runtime {
    runtime: Arc<Owned>,
}

/// Shuts its runtime down without blocking when dropped, so that a blocking client may be
/// dropped anywhere, even inside an async runtime.
#[derive(Debug)]
struct Owned(Option<tokio::runtime::Runtime>);

impl Drop for Owned {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}

impl Runtime {
    /// A new runtime.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Other`] when the operating system refuses the runtime's resources.
    pub fn new() -> Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| {
                Error::with_source(
                    ErrorKind::Other,
                    "could not start the blocking client's runtime",
                    e,
                )
            })?;
        Ok(Self {
            runtime: Arc::new(Owned(Some(runtime))),
        })
    }

    /// Runs `future` to completion on this thread.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::BlockingInAsyncContext`] when called from inside an async runtime.
    pub fn block_on<F: Future>(&self, future: F) -> Result<F::Output> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(Error::new(
                ErrorKind::BlockingInAsyncContext,
                "a blocking client was called inside an async runtime; use the async client there",
            ));
        }
        match &self.runtime.0 {
            Some(runtime) => Ok(runtime.block_on(future)),
            None => Err(Error::new(
                ErrorKind::Other,
                "the blocking client's runtime is shut down",
            )),
        }
    }
}

/// A [`Pager`](crate::Pager) as a blocking `Iterator` of items.
#[derive(Debug)]
pub struct Iter<T> {
    pager: crate::Pager<T>,
    runtime: Runtime,
    done: bool,
}

impl<T: Send + 'static> Iter<T> {
    /// Iterates over `pager` on `runtime`.
    pub fn new(pager: crate::Pager<T>, runtime: Runtime) -> Self {
        Self {
            pager,
            runtime,
            done: false,
        }
    }
}

impl<T: Send + 'static> Iterator for Iter<T> {
    type Item = Result<T>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.runtime.block_on(self.pager.next()) {
            Ok(item) => item,
            Err(err) => {
                // Being inside a runtime will not change by calling again.
                self.done = true;
                Some(Err(err))
            }
        }
    }
}

/// A long-running operation, waited on by blocking.
#[derive(Debug)]
pub struct Poller<T> {
    poller: crate::Poller<T>,
    runtime: Runtime,
}

impl<T: Send + 'static> Poller<T> {
    /// Wraps `poller`, driven on `runtime`.
    pub fn new(poller: crate::Poller<T>, runtime: Runtime) -> Self {
        Self { poller, runtime }
    }

    /// The status after the last poll.
    pub fn status(&self) -> PollStatus {
        self.poller.status()
    }

    /// Polls once.
    ///
    /// # Errors
    ///
    /// As [`Poller::poll`](crate::Poller::poll), or [`ErrorKind::BlockingInAsyncContext`].
    pub fn poll(&mut self) -> Result<PollStatus> {
        self.runtime.block_on(self.poller.poll())?
    }

    /// A token to resume the operation later.
    pub fn continuation_token(&self) -> String {
        self.poller.continuation_token()
    }

    /// Waits until the operation finishes and returns its result.
    ///
    /// # Errors
    ///
    /// As [`Poller::wait`](crate::Poller::wait), or [`ErrorKind::BlockingInAsyncContext`].
    pub fn wait(self) -> Result<T> {
        self.runtime.block_on(self.poller.wait())?
    }
}

/// Defines blocking methods that run the async method of the same name on `self.inner` to
/// completion on `self.runtime`: the shape every blocking client in this workspace uses.
///
/// ```text
/// azkv_core::blocking_methods! {
///     /// See the async method.
///     fn get_key(&self, name: &str) -> Response<KeyVaultKey>;
/// }
/// ```
#[macro_export]
macro_rules! blocking_methods {
    ($($(#[$doc:meta])* fn $name:ident(&self $(, $arg:ident: $ty:ty)*) -> $out:ty;)*) => {
        $(
            $(#[$doc])*
            ///
            /// # Errors
            ///
            /// As the async method, or
            /// [`ErrorKind::BlockingInAsyncContext`](azkv_core::ErrorKind::BlockingInAsyncContext).
            pub fn $name(&self $(, $arg: $ty)*) -> $crate::Result<$out> {
                self.runtime.block_on(self.inner.$name($($arg),*))?
            }
        )*
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_futures_outside_a_runtime() {
        let runtime = Runtime::new().unwrap();
        assert_eq!(runtime.block_on(async { 7 }).unwrap(), 7);
        let poller = Poller::new(crate::Poller::ready(5_u8), runtime.clone());
        assert_eq!(poller.wait().unwrap(), 5);
        let pager = crate::Pager::new(|_| async {
            Ok(crate::Page {
                items: vec![1, 2],
                continuation_token: None,
            })
        });
        let items: Vec<u8> = Iter::new(pager, runtime).map(|r| r.unwrap()).collect();
        assert_eq!(items, [1, 2]);
    }

    #[tokio::test]
    async fn refuses_to_block_inside_a_runtime() {
        let runtime = Runtime::new().unwrap();
        let err = runtime.block_on(async { 1 }).unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::BlockingInAsyncContext);
        let pager = crate::Pager::new(|_| async {
            Ok(crate::Page {
                items: vec![1_u8],
                continuation_token: None,
            })
        });
        let mut iter = Iter::new(pager, runtime.clone());
        assert_eq!(
            iter.next().unwrap().unwrap_err().kind(),
            &ErrorKind::BlockingInAsyncContext
        );
        assert!(iter.next().is_none());
        // Dropping the blocking runtime inside an async one does not panic.
        drop(iter);
        drop(runtime);
    }
}
