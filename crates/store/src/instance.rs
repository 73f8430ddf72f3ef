//! Values generated once per installation and shared by every node.

use crate::{Query, Result, Statement, Store, params};

/// Returns the secret called `name`, creating it from `generate` if this is the
/// first node to ask. Nodes racing here all end up with the one that was stored.
pub async fn secret_or_insert(
    store: &Store,
    name: &str,
    generate: impl FnOnce() -> Vec<u8>,
) -> Result<Vec<u8>> {
    let fresh = generate();
    store
        .run(Statement::new(
            "INSERT INTO instance_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
            params![name, &fresh],
        ))
        .await?;
    store
        .one(Query::new(
            "SELECT value FROM instance_secrets WHERE name = $1",
            params![name],
            |c| c.bytes(),
        ))
        .await
}
