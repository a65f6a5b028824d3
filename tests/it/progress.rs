//! `regenerate_with_progress` reports load, lower, emit and one step per formatted Rust file,
//! which the CLI's progress bar counts.

use std::sync::Mutex;

use generator::{Progress, Step};

#[derive(Default)]
struct Recorder(Mutex<Vec<String>>);

impl Progress for Recorder {
    fn step(&self, step: Step<'_>) {
        let text = match step {
            Step::Load => "load".to_owned(),
            Step::Lower => "lower".to_owned(),
            Step::Emit { rust_files } => format!("emit {rust_files}"),
            Step::Formatted(path) => format!("formatted {path}"),
        };
        self.0.lock().unwrap().push(text);
    }
}

#[test]
fn every_step_and_every_rust_file_is_reported_once() {
    let recorder = Recorder::default();
    let spec = tests::read("tests/fixtures/ok/params.yaml");
    // With the typed mock, so that every Rust file the generator can write is reported.
    let config = generator::Config {
        mock: true,
        ..generator::Config::default()
    };
    let plain = generator::regenerate(None, &spec, &config, None).unwrap();
    let reported =
        generator::regenerate_with_progress(None, &spec, &config, None, &recorder).unwrap();
    assert_eq!(plain, reported, "reporting progress changes nothing");
    let mut steps = recorder.0.into_inner().unwrap();
    assert_eq!(steps[..3], ["load", "lower", "emit 5"]);
    let mut formatted = steps.split_off(3);
    formatted.sort();
    assert_eq!(
        formatted,
        [
            "formatted src/builder.rs",
            "formatted src/client.rs",
            "formatted src/lib.rs",
            "formatted src/mock.rs",
            "formatted src/types.rs"
        ]
    );
}
