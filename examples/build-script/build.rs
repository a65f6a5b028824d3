//! Generates the Pet Store client (a spec split over several files) into `OUT_DIR` on every
//! build where the spec, one of its files or the config changed.

fn main() {
    generator::build::Builder::new("../../tests/fixtures/multi/petstore/openapi.yaml")
        .config("codegen.toml")
        .generate()
        .unwrap_or_else(|error| panic!("generating the Pet Store client failed:\n{error}"));
}
