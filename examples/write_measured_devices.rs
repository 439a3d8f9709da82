//! Writes the devices calibrated from the published set to
//! `public/data/measured-devices.json`; `tests/published.rs` checks the file equals a fresh
//! fit.
//!
//! Run from the crate root: `cargo run --release --example write_measured_devices`.

use roofscale::model::published::fit_measured_devices;

fn main() -> std::io::Result<()> {
    let devices = fit_measured_devices();
    let json = serde_json::to_string_pretty(&devices).expect("devices serialise");
    std::fs::write("public/data/measured-devices.json", json + "\n")?;
    println!(
        "wrote public/data/measured-devices.json: {} devices",
        devices.len()
    );
    Ok(())
}
