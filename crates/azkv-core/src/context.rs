//! [`Context`]: per-operation values that policies can read, such as the operation's name.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

/// Values attached to one operation and visible to every policy it passes through.
///
/// Values are keyed by their type, so each crate defines its own types for what it passes.
///
/// # Examples
///
/// ```
/// use azkv_core::Context;
///
/// #[derive(Debug, PartialEq)]
/// struct Tenant(&'static str);
///
/// let ctx = Context::new().with_value(Tenant("contoso"));
/// assert_eq!(ctx.value::<Tenant>(), Some(&Tenant("contoso")));
/// ```
#[derive(Clone, Default)]
pub struct Context {
    operation: Option<&'static str>,
    values: HashMap<TypeId, Arc<dyn Any + Send + Sync>>,
}

impl Context {
    /// An empty context.
    pub fn new() -> Self {
        Self::default()
    }

    /// A context for the named operation (e.g. `SecretClient::get_secret`), used in logs.
    pub fn for_operation(operation: &'static str) -> Self {
        Self {
            operation: Some(operation),
            values: HashMap::new(),
        }
    }

    /// The operation's name, when set.
    pub fn operation(&self) -> Option<&'static str> {
        self.operation
    }

    /// Adds a value, replacing any earlier value of the same type.
    pub fn with_value<T: Any + Send + Sync>(mut self, value: T) -> Self {
        self.values.insert(TypeId::of::<T>(), Arc::new(value));
        self
    }

    /// The value of type `T`, when set.
    pub fn value<T: Any + Send + Sync>(&self) -> Option<&T> {
        self.values
            .get(&TypeId::of::<T>())
            .and_then(|v| v.downcast_ref::<T>())
    }
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("operation", &self.operation)
            .field("values", &self.values.len())
            .finish()
    }
}
