//! Writes the device presets to `public/presets/devices.json`, the file the app and users can
//! download; `tests/inputs.rs` checks it matches `device_presets()`.
//!
//! Run from the crate root: `cargo run --example write_presets`.

use roofscale::model::device::device_presets;

fn main() -> std::io::Result<()> {
    let json = serde_json::to_string_pretty(&device_presets()).expect("presets serialise");
    std::fs::write("public/presets/devices.json", json + "\n")?;
    println!("wrote public/presets/devices.json");
    Ok(())
}
