//! Devices: memory, bandwidth and peak compute per number format; presets; JSON and CSV import.
//!
//! [`DeviceSpec`] mirrors a file or a form (units in the field names: GB, GB/s, TFLOPS, TOPS,
//! all decimal: 1e9 and 1e12); [`Device::new`] validates it once and resolves the peak of every
//! format, so the roofline (method.md §3) only reads numbers. Achievable fractions of peak
//! scale compute and bandwidth: real decode reaches 50–60 % of rated bandwidth (method.md §3).

use super::csv_reader::{self, normalise_header, CsvError, CsvLimits, CsvReader, CsvRow};
use super::format_fractions::FormatFractions;
use super::precision::NumFormat;
use super::weight_format::WeightFormat;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::convert::Infallible;
use std::fmt;

/// A device as a user or a file describes it, before validation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceSpec {
    pub name: String,
    /// Memory available to the model, GB (1e9 bytes).
    pub memory_gb: f64,
    /// Rated memory bandwidth, GB/s (1e9 bytes per second).
    pub bandwidth_gbps: f64,
    /// Dense peak compute (no 2:4 sparsity), 1e12 operations per second; `None` = not given.
    #[serde(default)]
    pub fp32_tflops: Option<f64>,
    #[serde(default)]
    pub fp16_tflops: Option<f64>,
    #[serde(default)]
    pub bf16_tflops: Option<f64>,
    #[serde(default)]
    pub fp8_tflops: Option<f64>,
    #[serde(default)]
    pub int8_tops: Option<f64>,
    #[serde(default)]
    pub int4_tops: Option<f64>,
    /// Fraction of rated bandwidth the roofline uses, in (0, 1]; 1 = pure roofline.
    #[serde(default = "one")]
    pub bandwidth_fraction: f64,
    /// Fraction of peak compute the roofline uses, in (0, 1].
    #[serde(default = "one")]
    pub compute_fraction: f64,
    /// Measured decode bandwidth over rated, where a measurement is published; informative,
    /// the user may copy it into `bandwidth_fraction`.
    #[serde(default)]
    pub measured_bandwidth_fraction: Option<f64>,
    /// Where the numbers come from.
    #[serde(default)]
    pub source: String,
    /// Whether the memory is shared with the CPU and the OS (Jetson, phones, Raspberry Pi,
    /// Apple silicon) or dedicated to the accelerator; sets the default headroom.
    #[serde(default)]
    pub memory_kind: Option<MemoryKind>,
    /// Memory a model may use, GB (weights + KV cache); `None`: memory minus the default
    /// headroom of [`MemoryKind`] (see [`Device::usable_memory_bytes`]).
    #[serde(default)]
    pub usable_memory_gb: Option<f64>,
    /// Time added to every forward step whatever the model (sampling, synchronisation), ms: 0
    /// for rated numbers. A device file may give it; devices calibrated before the per-layer
    /// fit carry it (method.md, "per-step overhead"). Left out of files when 0, so devices
    /// saved before read and write the same.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub step_overhead_ms: f64,
    /// Time added to every forward step for each layer of the model, ms: what calibration
    /// fits, because a runtime launches its kernels layer by layer, so an 80-layer model pays
    /// about 2.5 times a 32-layer one's (method.md, "per-step overhead"). 0 for rated numbers;
    /// left out of files when 0.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub layer_overhead_ms: f64,
    /// Bandwidth fractions of weight formats a calibration measured apart ("Q8_0=0.56;
    /// FP16=0.75"): a runtime's kernels for each format reach their own share of the rated
    /// bandwidth. Every other format uses `bandwidth_fraction`. Left out of files when empty.
    #[serde(default, skip_serializing_if = "FormatFractions::is_empty")]
    pub format_bandwidth_fractions: FormatFractions,
    /// How far to trust the calibration this device comes from: the mean absolute percentage
    /// error of its predictions of published decode (prefill) runs of models left out of the
    /// fit. Measured devices carry it, so that the design panel can say it beside every
    /// latency; `None` for rated numbers and for a user's own calibration. Left out of files
    /// when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held_out_decode_pct: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held_out_prefill_pct: Option<f64>,
}

fn is_zero(v: &f64) -> bool {
    *v == 0.0
}

/// Largest per-step overhead accepted, ms: far above any runtime's launch cost.
pub const MAX_STEP_OVERHEAD_MS: f64 = 1000.0;
/// Largest per-layer overhead accepted, ms: a hundred times the launches of a layer.
pub const MAX_LAYER_OVERHEAD_MS: f64 = 10.0;
/// Largest held-out error accepted, percent: beyond it a prediction says nothing.
pub const MAX_HELD_OUT_PCT: f64 = 1000.0;

/// What the device's memory is shared with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemoryKind {
    /// Shared with the CPU, the OS and other apps.
    Unified,
    /// Dedicated to the accelerator (a discrete GPU's VRAM).
    Dedicated,
}

impl MemoryKind {
    pub fn key(self) -> &'static str {
        match self {
            MemoryKind::Unified => "unified",
            MemoryKind::Dedicated => "dedicated",
        }
    }

    /// Memory kept free by default, bytes, out of `memory` (method.md §3, "Usable memory"):
    /// unified memory keeps a quarter, at least 1.5 GB, for the OS, the runtime and other
    /// apps; dedicated memory keeps 5 %, at least 0.5 GB, for the runtime's context,
    /// activations and fragmentation. A DECISION of this page, not a measurement.
    pub fn default_headroom_bytes(self, memory: f64) -> f64 {
        let (fraction, floor) = match self {
            MemoryKind::Unified => (0.25, 1.5e9),
            MemoryKind::Dedicated => (0.05, 0.5e9),
        };
        (memory * fraction).max(floor).min(memory * 0.5)
    }
}

fn one() -> f64 {
    1.0
}

/// Field names, in file order (JSON keys and CSV columns).
pub const DEVICE_FIELDS: [&str; 20] = [
    "name",
    "memory_gb",
    "bandwidth_gbps",
    "fp32_tflops",
    "fp16_tflops",
    "bf16_tflops",
    "fp8_tflops",
    "int8_tops",
    "int4_tops",
    "bandwidth_fraction",
    "compute_fraction",
    "measured_bandwidth_fraction",
    "source",
    "memory_kind",
    "usable_memory_gb",
    "step_overhead_ms",
    "layer_overhead_ms",
    "format_bandwidth_fractions",
    "held_out_decode_pct",
    "held_out_prefill_pct",
];

/// Largest memory (GB), bandwidth (GB/s) and peak (TFLOPS/TOPS) accepted: far beyond any
/// single device, so a value above it is a unit mistake.
pub const MAX_DEVICE_VALUE: f64 = 100_000.0;

/// Why a [`DeviceSpec`] was refused; the message names the field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceError {
    pub field: &'static str,
    pub problem: String,
}

impl fmt::Display for DeviceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.problem)
    }
}

impl std::error::Error for DeviceError {}

fn err(field: &'static str, problem: impl Into<String>) -> DeviceError {
    DeviceError {
        field,
        problem: problem.into(),
    }
}

fn check_amount(field: &'static str, v: f64, unit: &str) -> Result<(), DeviceError> {
    if !v.is_finite() {
        return Err(err(field, format!("must be a finite number, got {v}")));
    }
    if v <= 0.0 {
        return Err(err(field, format!("must be positive, got {v}")));
    }
    if v > MAX_DEVICE_VALUE {
        return Err(err(
            field,
            format!("{v} {unit} is beyond the limit of {MAX_DEVICE_VALUE} {unit}"),
        ));
    }
    Ok(())
}

fn check_fraction(field: &'static str, v: f64) -> Result<(), DeviceError> {
    if !(v > 0.0 && v <= 1.0) {
        return Err(err(field, format!("must be in (0, 1], got {v}")));
    }
    Ok(())
}

/// A validated device. Construct with [`Device::new`] or take one of [`device_presets`].
#[derive(Clone, Debug, PartialEq)]
pub struct Device {
    spec: DeviceSpec,
    /// Effective peak per format (FLOP/s), indexed like [`NumFormat::ALL`], fallbacks resolved
    /// and the compute fraction applied.
    peaks: [f64; 6],
}

impl Device {
    /// Validates every field: amounts finite, positive and at most [`MAX_DEVICE_VALUE`],
    /// fractions in (0, 1], name not empty, an FP16 or FP32 peak given.
    pub fn new(spec: DeviceSpec) -> Result<Self, DeviceError> {
        let name = spec.name.trim();
        if name.is_empty() {
            return Err(err("name", "must not be empty"));
        }
        if name.chars().count() > 200 {
            return Err(err("name", "must be at most 200 characters"));
        }
        check_amount("memory_gb", spec.memory_gb, "GB")?;
        check_amount("bandwidth_gbps", spec.bandwidth_gbps, "GB/s")?;
        let peaks = [
            ("fp32_tflops", spec.fp32_tflops, "TFLOPS"),
            ("fp16_tflops", spec.fp16_tflops, "TFLOPS"),
            ("bf16_tflops", spec.bf16_tflops, "TFLOPS"),
            ("fp8_tflops", spec.fp8_tflops, "TFLOPS"),
            ("int8_tops", spec.int8_tops, "TOPS"),
            ("int4_tops", spec.int4_tops, "TOPS"),
        ];
        for (field, v, unit) in peaks {
            if let Some(v) = v {
                check_amount(field, v, unit)?;
            }
        }
        check_fraction("bandwidth_fraction", spec.bandwidth_fraction)?;
        check_fraction("compute_fraction", spec.compute_fraction)?;
        if let Some(m) = spec.measured_bandwidth_fraction {
            check_fraction("measured_bandwidth_fraction", m)?;
        }
        if let Some(u) = spec.usable_memory_gb {
            if !(u.is_finite() && u > 0.0 && u <= spec.memory_gb) {
                return Err(err(
                    "usable_memory_gb",
                    format!(
                        "expected a number of GB above 0 and at most memory_gb ({}), found {u}",
                        spec.memory_gb
                    ),
                ));
            }
        }
        let o = spec.step_overhead_ms;
        if !(o.is_finite() && (0.0..=MAX_STEP_OVERHEAD_MS).contains(&o)) {
            return Err(err(
                "step_overhead_ms",
                format!("expected 0 to {MAX_STEP_OVERHEAD_MS} ms, found {o}"),
            ));
        }
        let l = spec.layer_overhead_ms;
        if !(l.is_finite() && (0.0..=MAX_LAYER_OVERHEAD_MS).contains(&l)) {
            return Err(err(
                "layer_overhead_ms",
                format!("expected 0 to {MAX_LAYER_OVERHEAD_MS} ms per layer, found {l}"),
            ));
        }
        for (field, v) in [
            ("held_out_decode_pct", spec.held_out_decode_pct),
            ("held_out_prefill_pct", spec.held_out_prefill_pct),
        ] {
            if let Some(v) = v {
                if !(v.is_finite() && (0.0..=MAX_HELD_OUT_PCT).contains(&v)) {
                    return Err(err(
                        field,
                        format!("expected a percentage from 0 to {MAX_HELD_OUT_PCT}, found {v}"),
                    ));
                }
            }
        }
        let Some(fp16) = spec.fp16_tflops.or(spec.fp32_tflops) else {
            return Err(err(
                "fp16_tflops",
                "give fp16_tflops or fp32_tflops: other formats fall back to them",
            ));
        };
        // Fallbacks (documented on `peak_flops`).
        let int8 = spec.int8_tops.unwrap_or(fp16);
        let tera = [
            spec.fp32_tflops.unwrap_or(fp16 / 2.0),
            fp16,
            spec.bf16_tflops.unwrap_or(fp16),
            spec.fp8_tflops.unwrap_or(fp16),
            int8,
            spec.int4_tops.unwrap_or(int8),
        ];
        let peaks = tera.map(|t| t * 1e12 * spec.compute_fraction);
        Ok(Device { spec, peaks })
    }

    pub fn spec(&self) -> &DeviceSpec {
        &self.spec
    }

    pub fn name(&self) -> &str {
        &self.spec.name
    }

    /// Usable peak (FLOP/s or OP/s) of a matmul in `format`, times the compute fraction.
    /// A format the spec leaves out runs on the units of a wider one: BF16, FP8 and INT8 fall
    /// back to FP16, INT4 to INT8, FP16 to FP32 (no half-rate speed-up), and FP32 to half the
    /// FP16 peak (DECISION: a guess; give `fp32_tflops` when FP32 matters).
    #[inline]
    pub fn peak_flops(&self, format: NumFormat) -> f64 {
        self.peaks[format as usize]
    }

    /// Usable bandwidth, bytes/s: rated × `bandwidth_fraction`.
    #[inline]
    pub fn bandwidth(&self) -> f64 {
        self.spec.bandwidth_gbps * 1e9 * self.spec.bandwidth_fraction
    }

    /// The bandwidth fraction weights in `weights` are read at: their own, where a
    /// calibration measured it, else `bandwidth_fraction`.
    #[inline]
    pub fn bandwidth_fraction_for(&self, weights: &WeightFormat) -> f64 {
        if self.spec.format_bandwidth_fractions.is_empty() {
            return self.spec.bandwidth_fraction;
        }
        self.spec
            .format_bandwidth_fractions
            .get(weights)
            .unwrap_or(self.spec.bandwidth_fraction)
    }

    /// Usable bandwidth of a model whose weights are in `weights`, bytes/s (see
    /// [`Device::bandwidth_fraction_for`]).
    #[inline]
    pub fn bandwidth_for(&self, weights: &WeightFormat) -> f64 {
        self.spec.bandwidth_gbps * 1e9 * self.bandwidth_fraction_for(weights)
    }

    /// Memory in bytes (decimal GB).
    #[inline]
    pub fn memory_bytes(&self) -> f64 {
        self.spec.memory_gb * 1e9
    }

    /// Intensity (FLOP/byte) above which an operator in `format` is compute-bound.
    pub fn ridge_point(&self, format: NumFormat) -> f64 {
        self.peak_flops(format) / self.bandwidth()
    }

    /// Memory a model may take (weights + KV cache), bytes: the spec's `usable_memory_gb`,
    /// else memory minus the headroom of its kind (unified when not stated: the cautious one).
    pub fn usable_memory_bytes(&self) -> f64 {
        match self.spec.usable_memory_gb {
            Some(u) => u * 1e9,
            None => {
                let kind = self.spec.memory_kind.unwrap_or(MemoryKind::Unified);
                self.memory_bytes() - kind.default_headroom_bytes(self.memory_bytes())
            }
        }
    }

    /// Whether the usable memory is the kind's default (not set by the user).
    pub fn usable_memory_is_default(&self) -> bool {
        self.spec.usable_memory_gb.is_none()
    }

    /// The same device with another usable memory (`None`: the default headroom).
    pub fn with_usable_memory_gb(&self, gb: Option<f64>) -> Result<Device, DeviceError> {
        Device::new(DeviceSpec {
            usable_memory_gb: gb,
            ..self.spec.clone()
        })
    }

    /// Seconds added to every forward step (one prefill pass, each decode step) of a model
    /// with `layers` layers: the constant part plus the per-layer part; 0 for a rated device.
    #[inline]
    pub fn step_overhead_s(&self, layers: u32) -> f64 {
        (self.spec.step_overhead_ms + layers as f64 * self.spec.layer_overhead_ms) * 1e-3
    }

    /// Whether any overhead is added to a forward step (a calibrated device).
    pub fn has_overhead(&self) -> bool {
        self.spec.step_overhead_ms > 0.0 || self.spec.layer_overhead_ms > 0.0
    }

    /// The same device with another per-layer overhead, ms per layer per step (calibration).
    pub fn with_layer_overhead_ms(&self, ms: f64) -> Result<Device, DeviceError> {
        Device::new(DeviceSpec {
            layer_overhead_ms: ms,
            ..self.spec.clone()
        })
    }

    /// The same device with another per-step overhead, ms.
    pub fn with_step_overhead_ms(&self, ms: f64) -> Result<Device, DeviceError> {
        Device::new(DeviceSpec {
            step_overhead_ms: ms,
            ..self.spec.clone()
        })
    }

    pub fn measured_bandwidth_fraction(&self) -> Option<f64> {
        self.spec.measured_bandwidth_fraction
    }

    /// The same device with another achievable bandwidth fraction (calibration).
    pub fn with_bandwidth_fraction(&self, fraction: f64) -> Result<Device, DeviceError> {
        Device::new(DeviceSpec {
            bandwidth_fraction: fraction,
            ..self.spec.clone()
        })
    }

    /// The same device with another achievable compute fraction (calibration).
    pub fn with_compute_fraction(&self, fraction: f64) -> Result<Device, DeviceError> {
        Device::new(DeviceSpec {
            compute_fraction: fraction,
            ..self.spec.clone()
        })
    }
}

impl Default for Device {
    /// Jetson AGX Orin 64GB, the device for reproducing the paper (method.md §6).
    fn default() -> Self {
        device_presets().swap_remove(0)
    }
}

impl Serialize for Device {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.spec.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Device {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let spec = DeviceSpec::deserialize(d)?;
        Device::new(spec).map_err(serde::de::Error::custom)
    }
}

impl TryFrom<DeviceSpec> for Device {
    type Error = DeviceError;
    fn try_from(spec: DeviceSpec) -> Result<Self, Self::Error> {
        Device::new(spec)
    }
}

#[allow(clippy::too_many_arguments)]
fn preset(
    name: &str,
    memory_gb: f64,
    bandwidth_gbps: f64,
    fp32: Option<f64>,
    fp16: Option<f64>,
    int8: Option<f64>,
    measured_bandwidth_fraction: Option<f64>,
    source: &str,
    memory_kind: Option<MemoryKind>,
) -> Device {
    Device::new(DeviceSpec {
        name: name.to_string(),
        memory_gb,
        bandwidth_gbps,
        fp32_tflops: fp32,
        fp16_tflops: fp16,
        bf16_tflops: None,
        fp8_tflops: None,
        int8_tops: int8,
        int4_tops: None,
        bandwidth_fraction: 1.0,
        compute_fraction: 1.0,
        measured_bandwidth_fraction,
        source: source.to_string(),
        memory_kind,
        usable_memory_gb: None,
        step_overhead_ms: 0.0,
        layer_overhead_ms: 0.0,
        format_bandwidth_fractions: FormatFractions::NONE,
        held_out_decode_pct: None,
        held_out_prefill_pct: None,
    })
    .expect("preset devices are valid")
}

/// The devices of the project's reference table (dense peaks), default first. Fractions are
/// 1.0 (rated numbers); published measurements are kept in `measured_bandwidth_fraction`.
pub fn device_presets() -> Vec<Device> {
    vec![
        preset(
            "Jetson AGX Orin 64GB",
            64.0,
            204.8,
            None,
            Some(42.5),
            Some(85.0),
            None,
            "NVIDIA: 170 sparse INT8 TOPS for the GPU (275 with DLAs), so 85 dense; \
             FP16 = INT8/2. Default device for reproducing the paper, which names only \
             \"Jetson Orin\".",
            Some(MemoryKind::Unified),
        ),
        preset(
            "Jetson Orin Nano Super 8GB",
            8.0,
            102.0,
            None,
            Some(16.75),
            Some(33.5),
            Some(59.4 / 102.0),
            "NVIDIA: 67 sparse INT8 TOPS, so 33.5 dense; FP16 = INT8/2. Measured 59.4 GB/s \
             and 9.56 FP16 TFLOPS (RooflineBench, arXiv 2602.11506).",
            Some(MemoryKind::Unified),
        ),
        preset(
            "Raspberry Pi 5 8GB",
            8.0,
            17.1,
            Some(0.154),
            Some(0.31),
            None,
            Some(3.98 / 17.1),
            "4× Cortex-A76 at 2.4 GHz: 0.154 TFLOPS FP32, FP16 ×2. Measured 3.98 GB/s.",
            Some(MemoryKind::Unified),
        ),
        preset(
            "Snapdragon 8 Gen 3 phone",
            12.0,
            76.8,
            None,
            Some(22.5),
            Some(45.0),
            None,
            "LPDDR5X-4800, 64-bit; 45 INT8 TOPS (NPU). FP16 is not published: assumed \
             INT8/2. Phones ship with 12–16 GB; 12 used. PLM was deployed on a OnePlus 12.",
            Some(MemoryKind::Unified),
        ),
        preset(
            "Apple M3 (MacBook Air)",
            8.0,
            102.4,
            Some(3.6),
            Some(3.6),
            None,
            None,
            "GPU FP16 at the FP32 rate, 3.6 TFLOPS. Configurations of 8–24 GB; 8 used. \
             PLM was deployed on one.",
            Some(MemoryKind::Unified),
        ),
        preset(
            "RTX 4090",
            24.0,
            1008.0,
            None,
            Some(165.2),
            Some(660.6),
            None,
            "Ada whitepaper, dense, FP16 with FP32 accumulate.",
            Some(MemoryKind::Dedicated),
        ),
        preset(
            "A100 80GB SXM",
            80.0,
            2039.0,
            None,
            Some(312.0),
            Some(624.0),
            None,
            "NVIDIA A100 datasheet, dense tensor-core peaks.",
            Some(MemoryKind::Dedicated),
        ),
        preset(
            "H100 SXM 80GB",
            80.0,
            3350.0,
            None,
            Some(989.4),
            Some(1978.9),
            None,
            "NVIDIA H100 datasheet, dense tensor-core peaks.",
            Some(MemoryKind::Dedicated),
        ),
        preset(
            "Paper worked example",
            4.0,
            50.0,
            None,
            Some(10.0),
            Some(10.0),
            None,
            "The \"10 TOPS, 50 GB/s, 4 GB\" device of the paper's §5 (method.md §5).",
            None,
        )
        // The paper's M_budget is the whole 4 GB.
        .with_usable_memory_gb(Some(4.0))
        .expect("4 GB of 4 GB"),
    ]
}

/// A JSON template for one device, units stated.
pub const DEVICE_TEMPLATE_JSON: &str = include_str!("../../public/templates/device-template.json");
/// A CSV template, one device per row, units stated in a comment line and the column names.
pub const DEVICE_TEMPLATE_CSV: &str = include_str!("../../public/templates/device-template.csv");

/// Where in an imported file a problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportPlace {
    /// The file as a whole (not JSON, no devices, …).
    File,
    /// A CSV line, 1-based as in the file (header, comments and blank lines counted).
    Line(usize),
    /// A device of a JSON list, counted from 1.
    Item(usize),
}

/// A problem in a device file, naming the place and the field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceImportError {
    /// The CSV file, named in the message as every CSV import does; `None` for JSON, whose
    /// reader is not told the file.
    pub file_name: Option<String>,
    pub place: ImportPlace,
    pub field: Option<String>,
    pub problem: String,
}

impl DeviceImportError {
    /// The message as shown in a list of problems: prefixed with `file_name` unless it names
    /// its file already.
    pub fn in_file(&self, file_name: &str) -> String {
        match self.file_name {
            Some(_) => self.to_string(),
            None => format!("{file_name}: {self}"),
        }
    }
}

impl fmt::Display for DeviceImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let line = match self.place {
            ImportPlace::Line(l) => Some(l),
            _ => None,
        };
        if let Some(file) = &self.file_name {
            return csv_reader::write_at(f, file, line, self.field.as_deref(), &self.problem);
        }
        match self.place {
            ImportPlace::File | ImportPlace::Line(_) => {}
            ImportPlace::Item(i) => write!(f, "device {i}: ")?,
        }
        if let Some(field) = &self.field {
            write!(f, "{field}: ")?;
        }
        f.write_str(&self.problem)
    }
}

impl std::error::Error for DeviceImportError {}

/// The good devices of a file and a list of the bad ones (report bad items and carry on).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DeviceImport {
    pub devices: Vec<Device>,
    pub errors: Vec<DeviceImportError>,
}

impl DeviceImport {
    fn file_error(problem: impl Into<String>) -> Self {
        DeviceImport {
            devices: Vec::new(),
            errors: vec![DeviceImportError {
                file_name: None,
                place: ImportPlace::File,
                field: None,
                problem: problem.into(),
            }],
        }
    }

    fn into_result(mut self) -> Result<Vec<Device>, DeviceImportError> {
        if !self.errors.is_empty() {
            return Err(self.errors.swap_remove(0));
        }
        if self.devices.is_empty() {
            return Err(DeviceImportError {
                file_name: None,
                place: ImportPlace::File,
                field: None,
                problem: "no devices in the file".to_string(),
            });
        }
        Ok(self.devices)
    }
}

/// Field-level access shared by the JSON and CSV readers, so both give the same messages.
trait Fields {
    /// `Ok(None)` when absent or empty.
    fn number(&self, field: &'static str) -> Result<Option<f64>, String>;
    fn text(&self, field: &'static str) -> Result<Option<String>, String>;
}

type FieldError = (String, String);

fn spec_from(fields: &impl Fields) -> Result<DeviceSpec, FieldError> {
    let num = |f: &'static str| fields.number(f).map_err(|p| (f.to_string(), p));
    let required = |f: &'static str| num(f)?.ok_or_else(|| (f.to_string(), "missing".into()));
    let name = fields
        .text("name")
        .map_err(|p| ("name".to_string(), p))?
        .ok_or_else(|| ("name".to_string(), "missing".to_string()))?;
    Ok(DeviceSpec {
        name,
        memory_gb: required("memory_gb")?,
        bandwidth_gbps: required("bandwidth_gbps")?,
        fp32_tflops: num("fp32_tflops")?,
        fp16_tflops: num("fp16_tflops")?,
        bf16_tflops: num("bf16_tflops")?,
        fp8_tflops: num("fp8_tflops")?,
        int8_tops: num("int8_tops")?,
        int4_tops: num("int4_tops")?,
        bandwidth_fraction: num("bandwidth_fraction")?.unwrap_or(1.0),
        compute_fraction: num("compute_fraction")?.unwrap_or(1.0),
        measured_bandwidth_fraction: num("measured_bandwidth_fraction")?,
        source: fields
            .text("source")
            .map_err(|p| ("source".to_string(), p))?
            .unwrap_or_default(),
        memory_kind: match fields
            .text("memory_kind")
            .map_err(|p| ("memory_kind".to_string(), p))?
        {
            None => None,
            Some(t) => Some(match t.trim().to_ascii_lowercase().as_str() {
                "unified" | "shared" => MemoryKind::Unified,
                "dedicated" | "discrete" | "vram" => MemoryKind::Dedicated,
                _ => {
                    return Err((
                        "memory_kind".to_string(),
                        format!("expected unified or dedicated, found \"{}\"", t.trim()),
                    ))
                }
            }),
        },
        usable_memory_gb: num("usable_memory_gb")?,
        step_overhead_ms: num("step_overhead_ms")?.unwrap_or(0.0),
        layer_overhead_ms: num("layer_overhead_ms")?.unwrap_or(0.0),
        format_bandwidth_fractions: match fields
            .text("format_bandwidth_fractions")
            .map_err(|p| ("format_bandwidth_fractions".to_string(), p))?
        {
            None => FormatFractions::NONE,
            Some(t) => FormatFractions::parse(&t)
                .map_err(|e| ("format_bandwidth_fractions".to_string(), e.to_string()))?,
        },
        held_out_decode_pct: num("held_out_decode_pct")?,
        held_out_prefill_pct: num("held_out_prefill_pct")?,
    })
}

fn device_from(fields: &impl Fields) -> Result<Device, FieldError> {
    let spec = spec_from(fields)?;
    Device::new(spec).map_err(|e| (e.field.to_string(), e.problem))
}

/// How the source of a [`DeviceRead::BandwidthOnly`] device begins.
pub const BANDWIDTH_ONLY_NOTE: &str = "NO COMPUTE PEAK PUBLISHED: a bound from bandwidth alone \
     (compute taken as unlimited), for decode only.";

/// Which rows a CSV import turns into devices.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DeviceRead {
    /// Every valid row (a row needs a compute peak).
    Rated,
    /// Only the rows without any compute peak, with compute taken as unlimited
    /// ([`MAX_DEVICE_VALUE`]) so that each operator's time is its memory time: a lower bound
    /// on decode, which moves the weights once a step, and no bound at all on the prefill.
    BandwidthOnly,
}

fn device_read(fields: &impl Fields, read: DeviceRead) -> Result<Device, FieldError> {
    match read {
        DeviceRead::Rated => device_from(fields),
        DeviceRead::BandwidthOnly => {
            let mut spec = spec_from(fields)?;
            if spec.fp16_tflops.is_some() || spec.fp32_tflops.is_some() {
                return Err(("fp16_tflops".into(), "has a compute peak".into()));
            }
            // Every format falls back to the FP16 peak: no real peak of another format may
            // make an operator compute-bound.
            spec.fp16_tflops = Some(MAX_DEVICE_VALUE);
            (
                spec.bf16_tflops,
                spec.fp8_tflops,
                spec.int8_tops,
                spec.int4_tops,
            ) = (None, None, None, None);
            spec.source = format!("{BANDWIDTH_ONLY_NOTE} {}", spec.source);
            Device::new(spec).map_err(|e| (e.field.to_string(), e.problem))
        }
    }
}

impl Device {
    /// A device read by [`import_bandwidth_only_devices_csv`]: its compute peak is a
    /// placeholder, so only its memory-bound (decode) times mean anything.
    pub fn is_bandwidth_only(&self) -> bool {
        let s = &self.spec;
        s.fp16_tflops == Some(MAX_DEVICE_VALUE)
            && s.fp32_tflops.is_none()
            && s.int8_tops.is_none()
            && s.source.starts_with(BANDWIDTH_ONLY_NOTE)
    }
}

/// The rows of a devices CSV that give no compute peak (refused by [`import_devices_csv`]),
/// as bandwidth-only devices ([`Device::is_bandwidth_only`]) for predicting decode; every
/// other row is skipped.
pub fn import_bandwidth_only_devices_csv(file_name: &str, text: &str) -> Vec<Device> {
    import_devices_csv_as(file_name, text, DeviceRead::BandwidthOnly).devices
}

/// `what`: "field" (JSON) or "column" (CSV).
fn unknown_problem(what: &str) -> String {
    format!(
        "unknown {what} (expected one of {})",
        DEVICE_FIELDS.join(", ")
    )
}

struct JsonFields<'a>(&'a serde_json::Map<String, serde_json::Value>);

impl Fields for JsonFields<'_> {
    fn number(&self, field: &'static str) -> Result<Option<f64>, String> {
        match self.0.get(field) {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(serde_json::Value::Number(n)) => Ok(n.as_f64()),
            Some(other) => Err(format!("expected a number, got {other}")),
        }
    }

    fn text(&self, field: &'static str) -> Result<Option<String>, String> {
        match self.0.get(field) {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(serde_json::Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(serde_json::Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(format!("expected text, got {other}")),
        }
    }
}

/// Reads one device object or a list of them, keeping the good ones and listing the bad.
pub fn import_devices_json(text: &str) -> DeviceImport {
    let value: serde_json::Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => return DeviceImport::file_error(format!("not valid JSON: {e}")),
    };
    let items = match value {
        serde_json::Value::Array(items) => items,
        obj @ serde_json::Value::Object(_) => vec![obj],
        _ => {
            return DeviceImport::file_error("expected a device object or a list of them");
        }
    };
    let mut out = DeviceImport::default();
    for (i, item) in items.iter().enumerate() {
        let place = ImportPlace::Item(i + 1);
        let result = match item {
            serde_json::Value::Object(map) => {
                match map.keys().find(|k| !DEVICE_FIELDS.contains(&k.as_str())) {
                    Some(k) => Err((k.clone(), unknown_problem("field"))),
                    None => device_from(&JsonFields(map)),
                }
            }
            _ => Err((String::new(), "expected a device object".to_string())),
        };
        match result {
            Ok(d) => out.devices.push(d),
            Err((field, problem)) => out.errors.push(DeviceImportError {
                file_name: None,
                place,
                field: (!field.is_empty()).then_some(field),
                problem,
            }),
        }
    }
    out
}

/// Reads one device object or a list of them; fails on the first bad device.
pub fn parse_devices_json(text: &str) -> Result<Vec<Device>, DeviceImportError> {
    import_devices_json(text).into_result()
}

/// Largest device CSV accepted: far above any real list of devices.
pub const MAX_CSV_BYTES: usize = 1024 * 1024;
/// Most devices in one CSV.
pub const MAX_CSV_ROWS: usize = 1_000;
const CSV_LIMITS: CsvLimits = CsvLimits {
    max_bytes: MAX_CSV_BYTES,
    max_rows: MAX_CSV_ROWS,
};

/// Column of each of [`DEVICE_FIELDS`] in a CSV.
type FieldColumns = [Option<usize>; DEVICE_FIELDS.len()];

struct CsvFields<'a> {
    columns: &'a FieldColumns,
    row: &'a CsvRow<'a>,
}

impl CsvFields<'_> {
    fn cell(&self, field: &'static str) -> Option<&str> {
        let i = DEVICE_FIELDS.iter().position(|f| *f == field)?;
        let cell = self.row.cell(self.columns[i]?);
        (!cell.is_empty()).then_some(cell)
    }
}

impl Fields for CsvFields<'_> {
    fn number(&self, field: &'static str) -> Result<Option<f64>, String> {
        self.cell(field).map(csv_reader::number).transpose()
    }

    fn text(&self, field: &'static str) -> Result<Option<String>, String> {
        Ok(self.cell(field).map(str::to_string))
    }
}

/// Columns a device file may carry for people, which the page reads past: the shipped
/// `data/devices.csv` keeps each row's links and caveats in them.
pub const DEVICE_NOTE_COLUMNS: [&str; 2] = ["source_url", "notes"];

/// Reads a CSV with one device per row (the rules of every CSV import: [`CsvReader`]); the
/// header names the columns (any order, optional columns may be left out or empty). Unknown
/// columns are refused, as unknown JSON fields are: a misspelt optional column would
/// otherwise be dropped silently. [`DEVICE_NOTE_COLUMNS`] are read past.
pub fn import_devices_csv(file_name: &str, text: &str) -> DeviceImport {
    import_devices_csv_as(file_name, text, DeviceRead::Rated)
}

fn import_devices_csv_as(file_name: &str, text: &str, read: DeviceRead) -> DeviceImport {
    let at = |line: Option<usize>, field: Option<String>, problem: String| DeviceImportError {
        file_name: Some(file_name.to_string()),
        place: line.map_or(ImportPlace::File, ImportPlace::Line),
        field,
        problem,
    };
    let refused = |e: CsvError<Infallible>| {
        let l = e.kind.located();
        DeviceImport {
            devices: Vec::new(),
            errors: vec![at(l.line, l.column.map(str::to_string), l.message)],
        }
    };
    let reader = match CsvReader::open(file_name, text, CSV_LIMITS) {
        Ok(r) => r,
        Err(e) => return refused(e),
    };
    let headers = reader.headers().to_vec();
    let line = Some(reader.header_line());
    let mut columns: FieldColumns = [None; DEVICE_FIELDS.len()];
    let mut header_errors = Vec::new();
    for (col, name) in headers.iter().enumerate() {
        let key = normalise_header(name);
        match DEVICE_FIELDS.iter().position(|f| *f == key) {
            Some(i) => match columns[i] {
                Some(j) => header_errors.push(at(
                    line,
                    None,
                    format!(
                        "columns \"{}\" and \"{name}\" give the same field; keep one",
                        headers[j]
                    ),
                )),
                None => columns[i] = Some(col),
            },
            None if DEVICE_NOTE_COLUMNS.contains(&key.as_str()) => {}
            None => header_errors.push(at(line, Some(name.clone()), unknown_problem("column"))),
        }
    }
    for (i, field) in DEVICE_FIELDS.iter().enumerate().take(3) {
        if columns[i].is_none() {
            header_errors.push(at(line, None, format!("missing column \"{field}\"")));
        }
    }
    if !header_errors.is_empty() {
        return DeviceImport {
            devices: Vec::new(),
            errors: header_errors,
        };
    }
    // A field is named by its column as written, when the file has one.
    let column_of = |field: String| match DEVICE_FIELDS.iter().position(|f| *f == field) {
        Some(i) => columns[i].map_or(field, |c| headers[c].clone()),
        None => field,
    };
    let rows = reader.rows(|row| {
        device_read(
            &CsvFields {
                columns: &columns,
                row,
            },
            read,
        )
        .map_err(|(field, problem)| csv_reader::RowIssue {
            line: row.line,
            column: Some(column_of(field)),
            message: problem,
        })
    });
    match rows {
        Err(e) => refused(e),
        Ok(rows) => DeviceImport {
            devices: rows.good,
            errors: rows
                .issues
                .into_iter()
                .map(|i| at(Some(i.line), i.column, i.message))
                .collect(),
        },
    }
}

/// Reads a CSV of devices; fails on the first bad row.
pub fn parse_devices_csv(file_name: &str, text: &str) -> Result<Vec<Device>, DeviceImportError> {
    import_devices_csv(file_name, text).into_result()
}
