//! Fuzz target: arbitrary bytes through the generator's entry point must never panic, hang or overflow.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = generator::decode_spec(data) {
        let _ = generator::generate(text, &generator::Config::default());
    }
});
