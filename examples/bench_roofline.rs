//! Throughput of `roofline::evaluate` over the paper's default grid (method.md §4): prefill,
//! the 16 decode steps in closed form and memory, FP16, on the default device.
//!
//! Run: `cargo run --release --example bench_roofline`.

use roofscale::model::arch::{ArchSpec, Architecture, Attention, FfnKind, Moe};
use roofscale::model::device::Device;
use roofscale::model::precision::Precision;
use roofscale::model::roofline::evaluate;
use roofscale::model::workload::Workload;
use std::hint::black_box;
use std::time::Instant;

/// The grid of method.md §4: d_h = 128, n_h = d/128, SwiGLU, n_kv dividing n_h, MoE expert
/// width r·d/K so that r is the active total.
fn paper_grid() -> Vec<Architecture> {
    let mut out = Vec::new();
    for layers in (4..=32).step_by(4) {
        for d in [768, 1024, 1280, 1536, 1792, 2048, 2304, 2560, 3072] {
            let heads = d / 128;
            let mut kv_options: Vec<u32> = [1, 2, 4, 8, heads]
                .into_iter()
                .filter(|kv| heads % kv == 0)
                .collect();
            kv_options.dedup();
            for (experts, active) in [(1, 1), (8, 1), (8, 2), (16, 1), (16, 2)] {
                for &kv_heads in &kv_options {
                    for r in [0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0] {
                        let width = (r * d as f64 / active as f64).round() as u32;
                        let spec = ArchSpec {
                            layers,
                            hidden: d,
                            vocab: 32_000,
                            tied_embeddings: true,
                            attention: Attention::Standard {
                                heads,
                                kv_heads,
                                head_dim: 128,
                                qkv_bias: false,
                                qk_norm: false,
                            },
                            sliding_window: None,
                            ffn_kind: FfnKind::SwiGlu,
                            intermediate: width,
                            moe: (experts > 1).then_some(Moe {
                                experts,
                                active,
                                expert_intermediate: width,
                                shared_experts: 0,
                                shared_intermediate: 0,
                            }),
                            norms_per_layer: 2,
                            final_norm: true,
                        };
                        out.push(Architecture::new(spec).expect("grid architectures are valid"));
                    }
                }
            }
        }
    }
    out
}

fn main() {
    let grid = paper_grid();
    let device = Device::default();
    let workload = Workload::default();
    let precision = Precision::FP16;
    let start = Instant::now();
    let mut evaluations = 0u64;
    let mut checksum = 0.0;
    while start.elapsed().as_secs_f64() < 1.5 {
        for arch in &grid {
            let report = evaluate(black_box(arch), &device, precision, &workload);
            checksum += black_box(report).total_s;
        }
        evaluations += grid.len() as u64;
    }
    let rate = evaluations as f64 / start.elapsed().as_secs_f64();
    println!(
        "roofline: {} candidates, {:.2} M evaluations/s (one core; {} evaluations, checksum {:.3e})",
        grid.len(),
        rate / 1e6,
        evaluations,
        checksum
    );
}
