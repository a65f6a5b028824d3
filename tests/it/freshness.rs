//! Fails when the checked-in `generated-client/` differs from what the generator produces now.

use tests::{generate_seed, project_root};

#[test]
fn generated_client_is_fresh() {
    let root = project_root().join("generated-client");
    let mut stale = Vec::new();
    for file in generate_seed().files {
        let on_disk = std::fs::read_to_string(root.join(&file.path)).unwrap_or_default();
        if on_disk != file.contents {
            stale.push(file.path);
        }
    }
    assert!(
        stale.is_empty(),
        "generated-client/ is stale ({stale:?}); run `cargo xtask codegen` and commit the result"
    );
}
